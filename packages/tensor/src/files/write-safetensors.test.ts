import { readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './read-safetensors.js';
import type { TensorEntry } from './tensor-file.js';
import { fixtures, temporaryDirectory } from './test-support.js';
import { writeSafetensors } from './write-safetensors.js';

function headerText(bytes: Buffer): string {
  return bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8');
}

describe('writeSafetensors', () => {
  // The fixtures were written by the golden generator's own writer (and make_fixtures.py) following the
  // reference format: reproducing them byte for byte checks header layout, order, padding and data.
  it.each([
    ['deberta-v3-tiny-seqcls/model.safetensors', {}],
    ['deberta-v3-tiny-f16-seqcls/model.safetensors', {}],
    ['all-dtypes.safetensors', {}],
    ['all-dtypes.safetensors', { int64: 'bigint' as const }],
  ])('rewrites %s byte for byte (%j)', async (file, options) => {
    const dir = await temporaryDirectory();
    const original = readFileSync(join(fixtures, file));
    const { tensors, metadata } = await readSafetensors(join(fixtures, file), options);
    await writeSafetensors(join(dir, 'out.safetensors'), tensors, metadata);
    expect(readFileSync(join(dir, 'out.safetensors')).equals(original)).toBe(true);
  });

  it('rounds the F32 checkpoint to exactly the F16 checkpoint (torch.half() rounding)', async () => {
    const dir = await temporaryDirectory();
    const { tensors, metadata } = await readSafetensors(join(fixtures, 'deberta-v3-tiny-seqcls/model.safetensors'));
    const asHalf = new Map([...tensors].map(([name, e]) => [name, { ...e, dtype: 'F16' as const }]));
    await writeSafetensors(join(dir, 'half.safetensors'), asHalf, metadata);
    const expected = readFileSync(join(fixtures, 'deberta-v3-tiny-f16-seqcls/model.safetensors'));
    expect(readFileSync(join(dir, 'half.safetensors')).equals(expected)).toBe(true);
  });

  it('round-trips every dtype', async () => {
    const dir = await temporaryDirectory();
    const tensors: Record<string, TensorEntry> = {
      f64: { dtype: 'F64', shape: [3], data: Float64Array.from([Math.PI, -1e-300, 1e300]) },
      f32: { dtype: 'F32', shape: [2, 2], data: Float32Array.from([Math.fround(Math.E), -0, Infinity, 1e-40]) },
      f16: { dtype: 'F16', shape: [4], data: Float32Array.from([65504, -(2 ** -24), 0.333251953125, -Infinity]) },
      bf16: { dtype: 'BF16', shape: [3], data: Float32Array.from([2 ** 100, -0.2001953125, 2 ** -133]) },
      i64: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) },
      i32: { dtype: 'I32', shape: [1, 2], data: Int32Array.from([-2147483648, 2147483647]) },
      i16: { dtype: 'I16', shape: [2], data: Int16Array.from([-32768, 32767]) },
      i8: { dtype: 'I8', shape: [2], data: Int8Array.from([-128, 127]) },
      u8: { dtype: 'U8', shape: [2, 1, 1], data: Uint8Array.from([0, 255]) },
      bool: { dtype: 'BOOL', shape: [2], data: Uint8Array.from([0, 1]) },
      scalar: { dtype: 'F32', shape: [], data: Float32Array.from([7]) },
      empty: { dtype: 'I32', shape: [3, 0], data: new Int32Array(0) },
    };
    const path = join(dir, 'all.safetensors');
    await writeSafetensors(path, tensors, { format: 'pt' });
    const back = await readSafetensors(path, { int64: 'bigint' });
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(Object.fromEntries(back.tensors)).toEqual(tensors);
  });

  it('narrows on write: F64 values to F32, float32 to BF16 (nearest even), Int32Array to I64', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'narrow.safetensors');
    await writeSafetensors(path, {
      a: { dtype: 'F32', shape: [1], data: Float64Array.from([0.1]) },
      b: { dtype: 'BF16', shape: [1], data: Float32Array.from([0.2]) },
      c: { dtype: 'I64', shape: [1], data: Int32Array.from([-5]) },
      d: { dtype: 'F64', shape: [1], data: Float32Array.from([0.1]) },
    });
    const { tensors } = await readSafetensors(path, { int64: 'bigint' });
    expect(tensors.get('a')!.data).toEqual(Float32Array.from([0.1]));
    expect(tensors.get('b')!.data).toEqual(Float32Array.from([0.2001953125]));
    expect(tensors.get('c')!.data).toEqual(BigInt64Array.from([-5n]));
    expect(tensors.get('d')!.data).toEqual(Float64Array.from([Math.fround(0.1)]));
  });

  it('sorts names by code point, puts __metadata__ first only when given, and pads the header to 8 bytes', async () => {
    const dir = await temporaryDirectory();
    const one = (v: number): TensorEntry => ({ dtype: 'U8', shape: [1], data: Uint8Array.from([v]) });
    await writeSafetensors(join(dir, 'a.safetensors'), new Map([['z', one(1)], ['ä', one(2)], ['B', one(3)], ['a', one(4)]]));
    const bytes = readFileSync(join(dir, 'a.safetensors'));
    const text = headerText(bytes);
    expect(text.trimEnd()).toBe(
      '{"B":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},' +
        '"z":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"ä":{"dtype":"U8","shape":[1],"data_offsets":[3,4]}}',
    );
    expect((8 + Buffer.byteLength(text)) % 8).toBe(0);
    expect([...bytes.subarray(bytes.length - 4)]).toEqual([3, 4, 1, 2]);
    await writeSafetensors(join(dir, 'b.safetensors'), { x: one(0) }, { format: 'pt' });
    expect(headerText(readFileSync(join(dir, 'b.safetensors')))).toMatch(/^\{"__metadata__":\{"format":"pt"\},"x":/);
  });

  it('replaces the file atomically and leaves no temporary file', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'model.safetensors');
    await writeFile(path, 'old contents');
    await writeSafetensors(path, { x: { dtype: 'F32', shape: [1], data: Float32Array.from([1]) } });
    expect(await readdir(dir)).toEqual(['model.safetensors']);
    expect((await readSafetensors(path)).tensors.get('x')!.data).toEqual(Float32Array.from([1]));
  });

  it('validates everything before touching the file', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'model.safetensors');
    await writeFile(path, 'old contents');
    const good = { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) } as const;
    const cases: [Record<string, unknown>, string][] = [
      [{ a: good, b: { ...good, shape: [3] } }, `writeSafetensors(${path}), tensor 'b': expected 3 values for shape [3], found 2`],
      [{ a: { ...good, dtype: 'F16', data: Float64Array.from([1, 2]) } }, `writeSafetensors(${path}), tensor 'a': expected data as Float32Array for dtype F16, found Float64Array`],
      [{ a: { ...good, dtype: 'I32' } }, `writeSafetensors(${path}), tensor 'a': expected data as Int32Array for dtype I32, found Float32Array`],
      [{ a: { ...good, data: [1, 2] } }, `writeSafetensors(${path}), tensor 'a': expected data as Float32Array or Float64Array for dtype F32, found a plain Array`],
      [{ a: { ...good, dtype: 'U16' } }, `writeSafetensors(${path}), tensor 'a': expected dtype F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, found "U16"`],
      [{ a: { ...good, shape: [-2] } }, `writeSafetensors(${path}), tensor 'a': expected a shape of non-negative integers, found [-2]`],
      [{ a: { dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 2]) } }, `writeSafetensors(${path}), tensor 'a': expected BOOL values of 0 or 1, found element 1 = 2`],
      [{ __metadata__: good }, `writeSafetensors(${path}), tensor '__metadata__': expected a non-empty tensor name other than __metadata__, found "__metadata__"`],
    ];
    for (const [tensors, message] of cases) {
      const error = await writeSafetensors(path, tensors as Record<string, TensorEntry>).catch((e: unknown) => e);
      expect(UnsupportedInputError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(message);
    }
    await expect(writeSafetensors(path, { a: good }, { step: 3 } as unknown as Record<string, string>)).rejects.toThrow(
      `writeSafetensors(${path}), metadata 'step': expected a string value, found number`,
    );
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(await readdir(dir)).toEqual(['model.safetensors']);
  });

  it('accepts a Buffer as U8 data', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'u8.safetensors');
    await writeSafetensors(path, { u: { dtype: 'U8', shape: [3], data: Buffer.from([9, 8, 7]) } });
    expect((await readSafetensors(path)).tensors.get('u')!.data).toEqual(Uint8Array.from([9, 8, 7]));
  });
});
