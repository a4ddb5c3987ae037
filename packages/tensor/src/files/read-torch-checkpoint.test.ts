import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { UnsupportedInputError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './read-safetensors.js';
import { readTorchCheckpoint } from './read-torch-checkpoint.js';
import { fixtures, PickleWriter, temporaryDirectory, torchArchive, zipBytes } from './test-support.js';

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const u16 = (values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);
const i64 = (values: bigint[]) => new Uint8Array(BigInt64Array.from(values).buffer);

async function saved(bytes: Uint8Array, name = 'pytorch_model.bin'): Promise<string> {
  const dir = await temporaryDirectory();
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(UnsupportedInputError.isInstance(error), `expected an UnsupportedInputError, got ${String(error)}`).toBe(true);
  return error as Error;
}

/** A state dict pickle: OrderedDict() then SETITEMS of name → tensor, as torch.save writes it. */
function stateDict(body: (p: PickleWriter) => void): Uint8Array {
  const p = new PickleWriter().proto().orderedDict().mark();
  body(p);
  return p.setItems().stop().bytes();
}

describe('readTorchCheckpoint on the golden pytorch_model.bin (torch 1.13 zip format)', () => {
  it('gives exactly the tensors of the neighbouring model.safetensors', async () => {
    const bin = await readTorchCheckpoint(join(fixtures, 'deberta-v3-tiny-seqcls/pytorch_model.bin'));
    const st = await readSafetensors(join(fixtures, 'deberta-v3-tiny-seqcls/model.safetensors'));
    expect([...bin.tensors.keys()].sort()).toEqual([...st.tensors.keys()].sort());
    expect(bin.tensors.size).toBe(42);
    for (const [name, entry] of bin.tensors) expect(entry, name).toEqual(st.tensors.get(name));
    expect(bin.metadata).toEqual({});
    // State-dict order, as pickled (embeddings first), not sorted.
    expect([...bin.tensors.keys()][0]).toBe('deberta.embeddings.word_embeddings.weight');
  });

  it('applies the filter', async () => {
    const { tensors } = await readTorchCheckpoint(join(fixtures, 'deberta-v3-tiny-seqcls/pytorch_model.bin'), { filter: (n) => n.startsWith('classifier.') });
    expect([...tensors.keys()]).toEqual(['classifier.weight', 'classifier.bias']);
    expect(tensors.get('classifier.weight')!.shape).toEqual([3, 32]);
  });
});

describe('readTorchCheckpoint on hand-built archives', () => {
  // Storage '0' is float32 0, 1, ..., 11 (a 3×4 matrix when read row-major).
  const storage0 = f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

  it('materialises offsets, strided, transposed, broadcast and tied views, parameters and every storage type', async () => {
    const pickle = stateDict((p) => {
      p.string('plain').tensor('FloatStorage', '0', 12, 0, [3, 4], [4, 1]);
      p.string('transposed').tensor('FloatStorage', '0', 12, 0, [4, 3], [1, 4]);
      p.string('window').tensor('FloatStorage', '0', 12, 5, [2, 2], [4, 1]);
      p.string('tied').tensor('FloatStorage', '0', 12, 0, [3, 4], [4, 1]);
      p.string('broadcast').tensor('FloatStorage', '0', 12, 1, [2, 3], [0, 1]);
      p.string('scalar').tensor('FloatStorage', '0', 12, 7, [], []);
      p.string('param').global('torch._utils', '_rebuild_parameter').mark();
      p.tensor('HalfStorage', '1', 3, 0, [3], [1]).false().get(0).emptyTuple().reduce().tuple().reduce();
      p.string('ids').tensor('LongStorage', '2', 2, 0, [2], [1]);
      p.string('bf').tensor('BFloat16Storage', '3', 2, 0, [2], [1]);
      p.string('mask').tensor('BoolStorage', '4', 2, 0, [2], [1]);
      p.string('f64').tensor('DoubleStorage', '5', 1, 0, [1], [1]);
    });
    // torch.save appends the state dict's _metadata through BUILD: {'_metadata': OrderedDict([('', {'version': 1})])}.
    const withMetadata = Buffer.concat([
      pickle.subarray(0, pickle.length - 1),
      new PickleWriter().emptyDict().string('_metadata').orderedDict().string('').emptyDict().string('version').int(1).setItem().setItem().setItem().build().stop().bytes(),
    ]);
    const path = await saved(torchArchive(withMetadata, {
      0: storage0,
      1: u16([0x3c00, 0xc000, 0x3555]),
      2: i64([3n, -1n]),
      3: u16([0x3f80, 0xc040]),
      4: Uint8Array.from([1, 0]),
      5: new Uint8Array(Float64Array.from([0.1]).buffer),
    }));
    const { tensors, metadata } = await readTorchCheckpoint(path);
    expect(metadata).toEqual({});
    expect([...tensors.keys()]).toEqual(['plain', 'transposed', 'window', 'tied', 'broadcast', 'scalar', 'param', 'ids', 'bf', 'mask', 'f64']);
    const t = (name: string) => tensors.get(name)!;
    expect(t('plain')).toEqual({ dtype: 'F32', shape: [3, 4], data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) });
    expect(t('transposed')).toEqual({ dtype: 'F32', shape: [4, 3], data: Float32Array.from([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]) });
    expect(t('window')).toEqual({ dtype: 'F32', shape: [2, 2], data: Float32Array.from([5, 6, 9, 10]) });
    expect(t('broadcast')).toEqual({ dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 1, 2, 3]) });
    expect(t('scalar')).toEqual({ dtype: 'F32', shape: [], data: Float32Array.from([7]) });
    expect(t('param')).toEqual({ dtype: 'F16', shape: [3], data: Float32Array.from([1, -2, 0.333251953125]) });
    expect(t('ids')).toEqual({ dtype: 'I64', shape: [2], data: Int32Array.from([3, -1]) });
    expect(t('bf')).toEqual({ dtype: 'BF16', shape: [2], data: Float32Array.from([1, -3]) });
    expect(t('mask')).toEqual({ dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) });
    expect(t('f64')).toEqual({ dtype: 'F64', shape: [1], data: Float64Array.from([0.1]) });
    // Tied weights: equal values, but separate arrays (writing one does not change the other).
    expect(t('tied')).toEqual(t('plain'));
    (t('tied').data as Float32Array)[0] = 100;
    expect(t('plain').data[0]).toBe(0);
  });

  it('gathers strided views of 1-, 2- and 8-byte storages', async () => {
    const pickle = stateDict((p) => {
      p.string('longT').tensor('LongStorage', '0', 6, 0, [3, 2], [1, 3]); // the transpose of [[0, 1, 2], [3, 4, 5]]
      p.string('halfEven').tensor('HalfStorage', '1', 4, 0, [2], [2]); // elements 0 and 2
      p.string('bytesOdd').tensor('ByteStorage', '2', 5, 1, [2], [2]); // elements 1 and 3
    });
    const path = await saved(torchArchive(pickle, {
      0: i64([0n, 1n, 2n, 3n, 4n, 5n]),
      1: u16([0x3c00, 0x4000, 0x4200, 0x4400]), // 1, 2, 3, 4
      2: Uint8Array.from([10, 11, 12, 13, 14]),
    }));
    const { tensors } = await readTorchCheckpoint(path, { int64: 'bigint' });
    expect(tensors.get('longT')).toEqual({ dtype: 'I64', shape: [3, 2], data: BigInt64Array.from([0n, 3n, 1n, 4n, 2n, 5n]) });
    expect(tensors.get('halfEven')).toEqual({ dtype: 'F16', shape: [2], data: Float32Array.from([1, 3]) });
    expect(tensors.get('bytesOdd')).toEqual({ dtype: 'U8', shape: [2], data: Uint8Array.from([11, 13]) });
  });

  it("narrows I64 to int32 with a precise error, or keeps it with { int64: 'bigint' }", async () => {
    const path = await saved(torchArchive(stateDict((p) => p.string('ids').tensor('LongStorage', '0', 3, 1, [2], [1])), { 0: i64([2n ** 40n, 5n, -(2n ** 31n) - 1n]) }));
    // Element 0 of the storage is out of range but outside the view (offset 1): only viewed values matter.
    const error = await errorOf(readTorchCheckpoint(path));
    expect(error.message).toBe(
      `${path}, tensor 'ids': expected I64 values within int32 [-2147483648, 2147483647] (TensorFlow.js has no int64; read with { int64: 'bigint' } to get a BigInt64Array), found element 1 = -2147483649`,
    );
    const { tensors } = await readTorchCheckpoint(path, { int64: 'bigint' });
    expect(tensors.get('ids')!.data).toEqual(BigInt64Array.from([5n, -(2n ** 31n) - 1n]));
  });
});

describe('readTorchCheckpoint refuses what a state dict never contains', () => {
  it('a forbidden global (os.system via GLOBAL + REDUCE) is refused at the GLOBAL, before anything runs', async () => {
    const marker = join(await temporaryDirectory(), 'pwned');
    // The classic malicious pickle, byte by byte:
    const pickle = Buffer.concat([
      Buffer.from([0x80, 0x02]), // PROTO 2
      Buffer.from('cos\nsystem\n', 'latin1'), // GLOBAL 'os' 'system'                   (byte 2)
      Buffer.from([0x58]), // BINUNICODE
      Buffer.from(Uint32Array.from([`touch ${marker}`.length]).buffer), //   u32 length
      Buffer.from(`touch ${marker}`, 'utf8'), //   the shell command
      Buffer.from([0x85]), // TUPLE1: (command,)
      Buffer.from([0x52]), // REDUCE: os.system(command)
      Buffer.from([0x2e]), // STOP
    ]);
    const path = await saved(torchArchive(pickle, {}));
    const error = await errorOf(readTorchCheckpoint(path));
    expect(error.message).toBe(
      `${path}, zip entry 'archive/data.pkl' at byte 2: expected only the globals a PyTorch state dict needs (collections.OrderedDict, ` +
        'torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.DoubleStorage, torch.FloatStorage, torch.HalfStorage, ' +
        'torch.BFloat16Storage, torch.LongStorage, torch.IntStorage, torch.ShortStorage, torch.CharStorage, torch.ByteStorage, ' +
        "torch.BoolStorage), found global 'os.system', refused without evaluating it",
    );
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ['builtins', 'eval'],
    ['subprocess', 'Popen'],
    ['torch', 'load'],
    ['torch._utils', '_rebuild_device_tensor_from_numpy'],
    ['torch', 'constructor'], // an inherited property of the allow-list object must not count as allowed
    ['collections', 'defaultdict'],
  ])('global %s.%s is refused, even inside an otherwise valid state dict', async (module, name) => {
    const pickle = stateDict((p) => p.string('w').tensor('FloatStorage', '0', 1, 0, [1], [1]).string('x').global(module, name).emptyTuple().reduce());
    const error = await errorOf(readTorchCheckpoint(await saved(torchArchive(pickle, { 0: f32([1]) }))));
    expect(error.message).toMatch(new RegExp(`found global '${module}\\.${name}', refused without evaluating it$`));
  });

  it('STACK_GLOBAL (protocol 4) goes through the same allow-list', async () => {
    const pickle = Buffer.concat([
      Buffer.from([0x80, 0x04]), // PROTO 4
      Buffer.from([0x8c, 8]), Buffer.from('builtins'), // SHORT_BINUNICODE 'builtins'
      Buffer.from([0x8c, 4]), Buffer.from('exec'), // SHORT_BINUNICODE 'exec'
      Buffer.from([0x93]), // STACK_GLOBAL                                        (byte 18)
      Buffer.from([0x8c, 1]), Buffer.from('1'), Buffer.from([0x85, 0x52, 0x2e]), // ('1',) REDUCE STOP
    ]);
    const path = await saved(torchArchive(pickle, {}));
    const error = await errorOf(readTorchCheckpoint(path));
    expect(error.message).toMatch(new RegExp(`^${escape(path)}, zip entry 'archive/data.pkl' at byte 18: .* found global 'builtins.exec', refused without evaluating it$`));
  });

  it('object-building opcodes are refused by name (INST, OBJ, NEWOBJ)', async () => {
    // PROTO 2, MARK, then INST 'os' 'system' (0x69 + two lines), which would call os.system() in Python.
    const inst = Buffer.concat([Buffer.from([0x80, 0x02, 0x28, 0x69]), Buffer.from('os\nsystem\n'), Buffer.from([0x2e])]);
    const path = await saved(torchArchive(inst, {}));
    expect((await errorOf(readTorchCheckpoint(path))).message).toBe(
      `${path}, zip entry 'archive/data.pkl' at byte 3: expected only the pickle opcodes of a tensor state dict, found opcode 0x69 (INST), which is not allowed`,
    );
    const newobj = Buffer.from([0x80, 0x02, 0x81, 0x2e]); // PROTO 2, NEWOBJ, STOP
    expect((await errorOf(readTorchCheckpoint(await saved(torchArchive(newobj, {}))))).message).toMatch(/at byte 2: .* found opcode 0x81 \(NEWOBJ\), which is not allowed$/);
  });

  it('an allowed global used as something else (calling a storage type)', async () => {
    const pickle = new PickleWriter().proto().global('torch', 'FloatStorage').emptyTuple().reduce().stop().bytes();
    const path = await saved(torchArchive(pickle, {}));
    expect((await errorOf(readTorchCheckpoint(path))).message).toBe(
      `${path}, zip entry 'archive/data.pkl' at byte 23: expected an allowed callable for REDUCE, found torch.FloatStorage`,
    );
  });

  it('a training checkpoint (non-tensor values) and a bare legacy pickle', async () => {
    const pickle = new PickleWriter().proto().emptyDict().string('epoch').int(3).setItem().stop().bytes();
    const path = await saved(torchArchive(pickle, {}));
    expect((await errorOf(readTorchCheckpoint(path))).message).toBe(
      `${path}, zip entry 'archive/data.pkl', key 'epoch': expected a tensor (a plain state dict, not a training checkpoint), found number 3`,
    );
    const legacy = await saved(Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e])); // PROTO 2, LONG1 magic number
    expect((await errorOf(readTorchCheckpoint(legacy))).message).toBe(
      `${legacy}: expected a torch.save ZIP archive (PyTorch ≥ 1.6), found a bare pickle: the legacy torch.save format of PyTorch < 1.6, not supported (re-save it with a newer PyTorch or convert it to safetensors)`,
    );
  });

  it('views outside their storage, storages of the wrong size, and missing storages', async () => {
    const outside = stateDict((p) => p.string('w').tensor('FloatStorage', '0', 12, 4, [3, 4], [4, 1]));
    const path1 = await saved(torchArchive(outside, { 0: f32(Array.from({ length: 12 }, (_, i) => i)) }));
    expect((await errorOf(readTorchCheckpoint(path1))).message).toMatch(
      /at byte \d+: expected a view inside storage '0' of 12 elements, found offset 4, size \[3,4\], stride \[4,1\] reaching element 15$/,
    );
    const wrongSize = stateDict((p) => p.string('w').tensor('FloatStorage', '0', 12, 0, [12], [1]));
    const path2 = await saved(torchArchive(wrongSize, { 0: f32([1, 2]) }));
    expect((await errorOf(readTorchCheckpoint(path2))).message).toBe(`${path2}, zip entry 'archive/data/0': expected 48 bytes (12 × F32), found 8 bytes`);
    const path3 = await saved(torchArchive(wrongSize, {}));
    expect((await errorOf(readTorchCheckpoint(path3))).message).toBe(`${path3}, tensor 'w': expected the zip entry 'archive/data/0' holding its storage, found no such entry`);
  });
});

describe('readTorchCheckpoint refuses unsafe or damaged archives', () => {
  const valid = () => stateDict((p) => p.string('w').tensor('FloatStorage', '0', 2, 0, [2], [1]));

  it.each(['../evil', 'archive/../../evil', '/etc/passwd', 'C:/Windows/evil', 'archive\\..\\evil'])('a zip entry named %j', async (name) => {
    const bytes = zipBytes([
      { name: 'archive/data.pkl', data: valid() },
      { name: 'archive/data/0', data: f32([1, 2]) },
      { name, data: Buffer.from('#!/bin/sh\n') },
    ]);
    const path = await saved(bytes);
    expect((await errorOf(readTorchCheckpoint(path))).message).toBe(
      `${path}, zip entry '${name}': expected a relative entry path inside the archive (no absolute path, drive, backslash or ".." segment), found an unsafe path`,
    );
  });

  it('a compressed (deflated) entry', async () => {
    const bytes = zipBytes([
      { name: 'archive/data.pkl', data: deflateRawSync(valid()), method: 8, size: valid().length },
      { name: 'archive/data/0', data: f32([1, 2]) },
    ]);
    const path = await saved(bytes);
    expect((await errorOf(readTorchCheckpoint(path))).message).toBe(
      `${path}, zip entry 'archive/data.pkl': expected an uncompressed (STORED) entry, as torch.save writes them, found compression method 8 (re-zipped by another tool? re-save with torch.save or convert to safetensors)`,
    );
  });

  it('a corrupted storage byte (CRC-32 mismatch) and a truncated archive', async () => {
    const bytes = Buffer.from(torchArchive(valid(), { 0: f32([1, 2]) }));
    const at = bytes.indexOf(Buffer.from(f32([1, 2])));
    bytes[at + 3] = bytes[at + 3]! ^ 0x01; // flip one bit of the storage, leaving the recorded CRC
    const path = await saved(bytes);
    expect((await errorOf(readTorchCheckpoint(path))).message).toMatch(
      new RegExp(`^${escape(path)}, zip entry 'archive/data/0': expected data with CRC-32 0x[0-9a-f]{8} \\(from the central directory\\), found 0x[0-9a-f]{8} \\(corrupt file\\)$`),
    );
    const truncated = await saved(bytes.subarray(0, bytes.length - 30));
    expect((await errorOf(readTorchCheckpoint(truncated))).message).toBe(
      `${truncated}: expected a ZIP archive (torch.save format) ending with an end-of-central-directory record, found none (not a zip file, or truncated)`,
    );
  });

  it('the golden .bin truncated in its data', async () => {
    const whole = readFileSync(join(fixtures, 'deberta-v3-tiny-seqcls/pytorch_model.bin'));
    const path = await saved(Buffer.concat([whole.subarray(0, 40000), whole.subarray(whole.length - 2000)]));
    // Cutting out the middle leaves a tail whose ZIP64 record offset (108301) points past the shortened file.
    expect((await errorOf(readTorchCheckpoint(path))).message).toBe(
      `${path}: expected a ZIP64 end-of-central-directory record before its locator, found offset 108301, past the locator at byte 41958 (truncated or corrupt archive)`,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
