import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { assertLittleEndianHost, checkTensorData, encodeTensorData } from './tensor-codec.js';
import { elementCount, elementSize, isTensorFileDType, tensorFileDTypes, type TensorEntry } from './tensor-file.js';

/** Orders strings by Unicode code point, which is the UTF-8 byte order the Rust `safetensors` writer sorts by. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Writes all of `bytes`: one write(2) call moves at most ~2 GiB, and a tensor can be larger. */
async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
}

/**
 * Writes tensors to a safetensors file that the Python/Rust `safetensors` library reads back, and that
 * is byte-identical to what it writes for name-sorted tensors: compact JSON header with `__metadata__`
 * first (only when `metadata` is given), tensors sorted by name and stored back to back in that order,
 * header padded with spaces so the data starts 8-byte aligned.
 *
 * `entry.dtype` is the dtype to store; `entry.data` is what `readSafetensors` returns for it (for F32/F64
 * either float array; F16/BF16 take a Float32Array and round to nearest even; I64 takes Int32Array or
 * BigInt64Array). Everything is validated before the file is touched, and the file is replaced
 * atomically: written to a temporary file next to it, flushed, then renamed over `path`, so a reader
 * never sees a half-written file and a failure leaves the old one in place.
 */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, TensorEntry> | Readonly<Record<string, TensorEntry>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  assertLittleEndianHost();
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  entries.sort(([a], [b]) => byCodePoint(a, b));

  const parts: string[] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new UnsupportedInputError({ source: `writeSafetensors(${path}), metadata '${key}'`, expected: 'a string value', found: typeof value });
      }
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const [name, entry] of entries) {
    const source = `writeSafetensors(${path}), tensor '${name}'`;
    if (name === '' || name === '__metadata__') {
      throw new UnsupportedInputError({ source, expected: 'a non-empty tensor name other than __metadata__', found: JSON.stringify(name) });
    }
    const { dtype, shape, data } = entry;
    if (!isTensorFileDType(dtype)) {
      throw new UnsupportedInputError({ source, expected: `dtype ${tensorFileDTypes.join(', ')}`, found: JSON.stringify(dtype) });
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new UnsupportedInputError({ source, expected: 'a shape of non-negative integers', found: JSON.stringify(shape) });
    }
    checkTensorData(dtype, data, source);
    const count = elementCount(shape);
    if (data.length !== count) {
      throw new UnsupportedInputError({ source, expected: `${count} values for shape [${shape.join(', ')}]`, found: `${data.length}` });
    }
    const bytes = count * elementSize[dtype];
    parts.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape, data_offsets: [offset, offset + bytes] })}`);
    offset += bytes;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const header = Buffer.alloc(8 + Math.ceil(json.length / 8) * 8, 0x20);
  header.writeBigUInt64LE(BigInt(header.length - 8), 0);
  json.copy(header, 8);

  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx');
  try {
    await writeAll(handle, header);
    for (const [, { dtype, data }] of entries) await writeAll(handle, encodeTensorData(dtype, data));
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}
