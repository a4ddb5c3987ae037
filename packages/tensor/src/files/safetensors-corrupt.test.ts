import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './read-safetensors.js';
import { fixtures, safetensorsBytes, temporaryDirectory } from './test-support.js';

// Every file here is built byte by byte (test-support.ts: 8-byte little-endian length, header text,
// data), and each must fail with an UnsupportedInputError whose message names the file, the tensor
// where there is one, and what was expected.

const f32 = (begin: number, end: number, shape = [2]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
const sixteenBytes = new Uint8Array(16);

async function expectError(bytes: Uint8Array, message: (path: string) => string) {
  const dir = await temporaryDirectory();
  const path = join(dir, 'corrupt.safetensors');
  await writeFile(path, bytes);
  const error = await readSafetensors(path).catch((e: unknown) => e);
  expect(UnsupportedInputError.isInstance(error), String(error)).toBe(true);
  expect((error as Error).message).toBe(message(path));
}

describe('readSafetensors rejects corrupt files', () => {
  it('a file too short for the length field', async () => {
    await expectError(Uint8Array.from([1, 2, 3, 4, 5]), (p) =>
      `${p}: expected a safetensors file: an 8-byte little-endian header length, a JSON header, then the tensor data, found 5 bytes (truncated?)`);
  });

  it('a header length beyond the end of the file', async () => {
    const header = JSON.stringify({ a: f32(0, 8) });
    await expectError(safetensorsBytes(header, sixteenBytes, 1000n), (p) =>
      `${p}: expected a 1000-byte JSON header after the 8-byte length, found only ${header.length + 16} bytes in the file (truncated?)`);
  });

  it('a header length above the 100 MB bound (e.g. a text file)', async () => {
    // "hello wo" read as a little-endian u64 is 0x6f77206f6c6c6568.
    await expectError(Buffer.from('hello world, not a tensor file'), (p) =>
      `${p}: expected a header length of at most 100000000 bytes in the first 8 bytes, found ${0x6f77206f6c6c6568n} (not a safetensors file, or corrupt)`);
  });

  it('a truncated file (the last tensor runs past the end)', async () => {
    const whole = readFileSync(join(fixtures, 'all-dtypes.safetensors'));
    // The data section is 122 bytes (make_fixtures.py); the last tensor by offset is 'u8' at [119, 122]. Cut 2 bytes.
    await expectError(whole.subarray(0, whole.length - 2), (p) =>
      `${p}, tensor 'u8': expected data_offsets inside the data section of 120 bytes, found data_offsets [119, 122] (file truncated or offsets corrupt)`);
  });

  it('overlapping offsets', async () => {
    await expectError(safetensorsBytes({ a: f32(0, 8), b: f32(4, 12) }, sixteenBytes.subarray(0, 12)), (p) =>
      `${p}, tensor 'b': expected data that overlaps no other tensor, found data_offsets [4, 12] overlapping tensor 'a' at [0, 8]`);
  });

  it('a gap between tensors', async () => {
    await expectError(safetensorsBytes({ a: f32(0, 8), b: f32(12, 20) }, new Uint8Array(20)), (p) =>
      `${p}: expected tensor data packed without gaps, found bytes [8, 12) of the data section belong to no tensor`);
  });

  it('bytes after the last tensor', async () => {
    await expectError(safetensorsBytes({ a: f32(0, 8) }, new Uint8Array(11)), (p) =>
      `${p}: expected a data section ending with the last tensor at byte 8, found 3 more bytes after it`);
  });

  it('a byte count that does not match the shape and dtype', async () => {
    await expectError(safetensorsBytes({ a: f32(0, 12, [2, 2]) }, sixteenBytes.subarray(0, 12)), (p) =>
      `${p}, tensor 'a': expected 16 bytes of data (shape [2, 2] = 4 elements × 4 bytes of F32), found data_offsets [0, 12] = 12 bytes`);
  });

  it('an unknown dtype, and a valid safetensors dtype TensorFlow.js cannot hold', async () => {
    await expectError(safetensorsBytes({ a: { ...f32(0, 8), dtype: 'F17' } }, sixteenBytes.subarray(0, 8)), (p) =>
      `${p}, tensor 'a': expected dtype F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, found unknown dtype 'F17'`);
    await expectError(safetensorsBytes({ a: { ...f32(0, 8), dtype: 'U16', shape: [4] } }, sixteenBytes.subarray(0, 8)), (p) =>
      `${p}, tensor 'a': expected dtype F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, found 'U16' (a safetensors dtype with no TensorFlow.js equivalent)`);
  });

  it('a header that is not JSON, not an object, or not UTF-8', async () => {
    const badJson = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
    let jsonMessage = '';
    try {
      JSON.parse(badJson);
    } catch (error) {
      jsonMessage = (error as Error).message; // the engine's own wording, quoted in ours
    }
    await expectError(safetensorsBytes(badJson, sixteenBytes.subarray(0, 8)), (p) =>
      `${p}: expected a JSON object as header, found invalid JSON (${jsonMessage})`);
    await expectError(safetensorsBytes('[1, 2]'), (p) => `${p}: expected a JSON object as header, found the array [1,2]`);
    const invalidUtf8 = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xff, 0x7d])]);
    await expectError(invalidUtf8, (p) => `${p}: expected a UTF-8 JSON header, found bytes that are not UTF-8`);
  });

  it('malformed tensor entries and metadata', async () => {
    await expectError(safetensorsBytes({ a: f32(0, 8, [-2]) }, sixteenBytes.subarray(0, 8)), (p) =>
      `${p}, tensor 'a': expected a shape of non-negative integers, found shape the array [-2]`);
    await expectError(safetensorsBytes({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, sixteenBytes.subarray(0, 8)), (p) =>
      `${p}, tensor 'a': expected data_offsets [begin, end] with 0 ≤ begin ≤ end, found data_offsets the array [8,0]`);
    await expectError(safetensorsBytes({ a: [1] }), (p) => `${p}, tensor 'a': expected an object {"dtype", "shape", "data_offsets"}, found the array [1]`);
    await expectError(safetensorsBytes({ __metadata__: { step: 3 } }), (p) => `${p}, __metadata__: expected a string value for 'step', found number 3`);
  });

  it('an I64 value that does not fit in int32, naming the element', async () => {
    const data = Buffer.alloc(16);
    data.writeBigInt64LE(-1n, 0);
    data.writeBigInt64LE(2n ** 32n, 8);
    const bytes = safetensorsBytes({ ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data);
    await expectError(bytes, (p) =>
      `${p}, tensor 'ids': expected I64 values within int32 [-2147483648, 2147483647] (TensorFlow.js has no int64; read with { int64: 'bigint' } to get a BigInt64Array), found element 1 = 4294967296`);
  });
});

