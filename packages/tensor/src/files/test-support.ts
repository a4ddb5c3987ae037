// Helpers shared by the tensor-file tests (not part of the package: nothing in src/index.ts imports this).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateRawSync } from 'node:zlib';
import { onTestFinished } from 'vitest';
import type { TensorData } from './tensor-file.js';

/** `src/files/__fixtures__/` (see the README there for where each file comes from). */
export const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

/** The golden checkpoints of the project's shared reference data, when this checkout has them. */
export const sharedModels = '/work/shared/reference/models';
export const hasSharedModels = existsSync(join(sharedModels, 'README.md'));

interface ManifestFile {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; sha256: string }>;
}

/** `manifest.json`, written by `make_fixtures.py` (numpy decodes each tensor; see its docstring). */
export const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as {
  reference: Record<string, ManifestFile>;
  fixtures: Record<string, ManifestFile>;
};

/** SHA-256 of a typed array's bytes (little-endian on every supported host), to compare with the manifest. */
export function sha256(data: TensorData): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/** A fresh temporary directory, removed after the current test. */
export async function temporaryDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'adalora-tensor-files-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A safetensors file built byte by byte: 8-byte little-endian header length (or `declaredLength`),
 * the header text as given (no padding unless it is in the text), then `data`.
 */
export function safetensorsBytes(header: string | object, data: Uint8Array = new Uint8Array(), declaredLength?: bigint): Uint8Array {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(declaredLength ?? BigInt(text.length));
  return Buffer.concat([length, text, data]);
}

/**
 * A ZIP archive built byte by byte (all integers little-endian), each entry STORED unless `method`
 * says otherwise (the bytes are then written as given, e.g. already deflated):
 * local header  `50 4B 03 04`, version 20, flags 0, method, time 0, date 0, CRC-32, sizes, name length, extra length 0, name, data;
 * central entry `50 4B 01 02`, made-by 20, version 20, flags 0, method, time, date, CRC-32, sizes, name length, extra length, 0, disk 0, attributes 0, local header offset, name, extra;
 * end record    `50 4B 05 06`, disks 0/0, entry counts, directory size, directory offset, comment length 0.
 * With `zip64`, as large `torch.save` files are written: the central entries' sizes and offset are
 * 0xFFFFFFFF with the real values in a ZIP64 extra field (id 1, 24 bytes: size, compressed size, offset),
 * and the end record (counts 0xFFFF, size/offset 0xFFFFFFFF) follows a ZIP64 end record `50 4B 06 06`
 * (record size 44, versions 45, disks 0, counts, directory size, directory offset as u64) and its
 * locator `50 4B 06 07` (disk 0, record offset u64, 1 disk).
 */
export function zipBytes(
  entries: readonly { name: string; data: Uint8Array; method?: number; size?: number; localName?: string }[],
  { zip64 = false }: { zip64?: boolean } = {},
): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data, method = 0, size = data.length, localName = name } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const localNameBytes = Buffer.from(localName, 'utf8');
    const crc = crc32(method === 0 ? data : inflateRawSync(data));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localNameBytes.length, 26);
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(data.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(zip64 ? 0xffffffff : data.length, 20);
    central.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    locals.push(local, localNameBytes, Buffer.from(data));
    centrals.push(central, nameBytes, extra);
    offset += 30 + localNameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, directory, ...tail, end]);
}

/** A `torch.save`-style archive: `<prefix>/data.pkl`, `<prefix>/data/<key>` storages, `<prefix>/version`. */
export function torchArchive(pickle: Uint8Array, storages: Readonly<Record<string, Uint8Array>>, prefix = 'archive'): Uint8Array {
  return zipBytes([
    { name: `${prefix}/data.pkl`, data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `${prefix}/data/${key}`, data })),
    { name: `${prefix}/version`, data: Buffer.from('3\n') },
  ]);
}

/**
 * Pickle bytes, one opcode per method (protocol 2, the opcodes `torch.save` emits; byte values in the
 * comments). Used to write state dicts, and malicious pickles, by hand.
 */
export class PickleWriter {
  private readonly parts: Buffer[] = [];
  private op(...bytes: number[]): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  private raw(bytes: Uint8Array): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  proto(version = 2) { return this.op(0x80, version); } // PROTO
  global(module: string, name: string) { return this.op(0x63).raw(Buffer.from(`${module}\n${name}\n`, 'latin1')); } // GLOBAL 'c'
  string(value: string) { // BINUNICODE 'X' + u32 length + UTF-8
    const bytes = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    return this.op(0x58).raw(length).raw(bytes);
  }
  int(value: number) { // BININT 'J' + i32
    const bytes = Buffer.alloc(4);
    bytes.writeInt32LE(value);
    return this.op(0x4a).raw(bytes);
  }
  mark() { return this.op(0x28); } // MARK '('
  tuple() { return this.op(0x74); } // TUPLE 't'
  emptyTuple() { return this.op(0x29); } // EMPTY_TUPLE ')'
  emptyDict() { return this.op(0x7d); } // EMPTY_DICT '}'
  ints(values: readonly number[]) { this.mark(); values.forEach((v) => this.int(v)); return this.tuple(); }
  reduce() { return this.op(0x52); } // REDUCE 'R'
  build() { return this.op(0x62); } // BUILD 'b'
  persistentId() { return this.op(0x51); } // BINPERSID 'Q'
  setItem() { return this.op(0x73); } // SETITEM 's'
  setItems() { return this.op(0x75); } // SETITEMS 'u'
  put(index: number) { return this.op(0x71, index); } // BINPUT 'q'
  get(index: number) { return this.op(0x68, index); } // BINGET 'h'
  false() { return this.op(0x89); } // NEWFALSE
  stop() { return this.op(0x2e); } // STOP '.'
  /** `OrderedDict()`, memoised as 0 so `backward_hooks` can reuse it: GLOBAL, BINPUT 0, EMPTY_TUPLE, REDUCE. */
  orderedDict() { return this.global('collections', 'OrderedDict').put(0).emptyTuple().reduce(); }
  /** `_rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())`. */
  tensor(type: string, key: string, numel: number, offset: number, size: readonly number[], stride: readonly number[]) {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().string('storage').global('torch', type).string(key).string('cpu').int(numel).tuple().persistentId();
    this.int(offset).ints(size).ints(stride).false().get(0).emptyTuple().reduce();
    return this.tuple().reduce();
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}
