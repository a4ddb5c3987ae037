import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './read-safetensors.js';
import { fixtures, hasSharedModels, manifest, sha256, sharedModels, temporaryDirectory } from './test-support.js';
import { writeSafetensors } from './write-safetensors.js';

async function expectMatchesManifest(path: string, expected: (typeof manifest.fixtures)[string]) {
  const { tensors, metadata } = await readSafetensors(path);
  expect(metadata).toEqual(expected.metadata);
  expect([...tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
  for (const [name, entry] of tensors) {
    const want = expected.tensors[name]!;
    expect({ name, dtype: entry.dtype, shape: entry.shape, sha256: sha256(entry.data) }).toEqual({ name, ...want });
    expect(entry.data.length).toBe(want.shape.reduce((a, b) => a * b, 1));
  }
}

describe('readSafetensors on the fixtures', () => {
  it.each(Object.entries(manifest.fixtures))('%s reads back exactly (values as numpy decodes them)', async (file, expected) => {
    await expectMatchesManifest(join(fixtures, file), expected);
  });

  // The shared reference folder is not part of a clone (only a selection is copied into __fixtures__),
  // so this check runs where that folder exists, i.e. on the machine that holds the golden data.
  it.skipIf(!hasSharedModels).each(Object.entries(manifest.reference))(
    'golden %s reads back exactly',
    async (file, expected) => {
      await expectMatchesManifest(join(sharedModels, file), expected);
    },
  );

  it('returns every dtype as its documented typed array with the values written by make_fixtures.py', async () => {
    const { tensors } = await readSafetensors(join(fixtures, 'all-dtypes.safetensors'));
    const get = (name: string) => tensors.get(name)!;
    expect(get('f64').data).toEqual(Float64Array.from([1.5, -2.25, 1e300, 5e-324]));
    expect(get('f32').data).toEqual(Float32Array.from([0.5, -1.25, 3.0e38, 1.0e-45]));
    expect(get('f16').data).toEqual(Float32Array.from([1, -2, 65504, 2 ** -24, Infinity]));
    expect(get('bf16').data).toEqual(Float32Array.from([1, -3, 0.2001953125, -Infinity]));
    expect(get('i64').data).toEqual(Int32Array.from([-1, 2147483647, -2147483648]));
    expect(get('i32').data).toEqual(Int32Array.from([0, -1, 2147483647, -2147483648]));
    expect(get('i16').data).toEqual(Int16Array.from([-32768, 32767]));
    expect(get('i8').data).toEqual(Int8Array.from([-128, 127]));
    expect(get('u8').data).toEqual(Uint8Array.from([0, 128, 255]));
    expect(get('bool').data).toEqual(Uint8Array.from([1, 0, 1]));
    expect(get('scalar')).toEqual({ dtype: 'F32', shape: [], data: Float32Array.from([42]) });
    expect(get('empty')).toEqual({ dtype: 'F32', shape: [0, 3], data: new Float32Array(0) });
    expect(get('f64').shape).toEqual([2, 2]);
    // Order is the header's (sorted by name, as written).
    expect([...tensors.keys()]).toEqual(['bf16', 'bool', 'empty', 'f16', 'f32', 'f64', 'i16', 'i32', 'i64', 'i8', 'scalar', 'u8']);
  });

  it("returns I64 exactly as a BigInt64Array with { int64: 'bigint' }", async () => {
    const { tensors } = await readSafetensors(join(fixtures, 'all-dtypes.safetensors'), { int64: 'bigint' });
    expect(tensors.get('i64')!.data).toEqual(BigInt64Array.from([-1n, 2147483647n, -2147483648n]));
  });

  it('gives the F16 checkpoint the F32 weights to half precision (same state dict, rounded to fp16)', async () => {
    const full = (await readSafetensors(join(fixtures, 'deberta-v3-tiny-seqcls/model.safetensors'))).tensors;
    const half = (await readSafetensors(join(fixtures, 'deberta-v3-tiny-f16-seqcls/model.safetensors'))).tensors;
    expect([...half.keys()]).toEqual([...full.keys()]);
    let worst = 0;
    for (const [name, h] of half) {
      const f = full.get(name)!;
      expect(h.shape).toEqual(f.shape);
      expect(h.dtype).toBe('F16');
      h.data.forEach((v, i) => {
        const x = f.data[i] as number;
        // round-to-nearest in binary16 errs by at most half an ulp: 2^-11 relative for normals, 2^-25 absolute below 2^-14.
        worst = Math.max(worst, Math.abs((v as number) - x) / Math.max(Math.abs(x), 2 ** -14));
      });
    }
    expect(worst).toBeLessThanOrEqual(2 ** -11);
    expect(worst).toBeGreaterThan(0); // the two files do differ
  });

  it('reads only the tensors the filter keeps and never touches the others\' bytes', async () => {
    const dir = await temporaryDirectory();
    const bytes = Uint8Array.from(readFileSync(join(fixtures, 'all-dtypes.safetensors')));
    // 'bool' is stored at data_offsets [8, 11]; make its first byte 7, which is not a valid BOOL.
    const header = Number(Buffer.from(bytes).readBigUInt64LE(0));
    bytes[8 + header + 8] = 7;
    const path = join(dir, 'bad-bool.safetensors');
    await writeFile(path, bytes);
    await expect(readSafetensors(path)).rejects.toThrow(`${path}, tensor 'bool': expected BOOL bytes of 0 or 1, found element 0 = 7`);
    const { tensors } = await readSafetensors(path, { filter: (name) => name.startsWith('f') });
    expect([...tensors.keys()]).toEqual(['f16', 'f32', 'f64']);
  });
});

describe('readSafetensors on a sharded checkpoint (model.safetensors.index.json)', () => {
  async function shardedCheckpoint() {
    const dir = await temporaryDirectory();
    await writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), {
      'a.weight': { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) },
      'b.weight': { dtype: 'F16', shape: [1], data: Float32Array.from([0.5]) },
    }, { format: 'pt' });
    await writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), {
      'c.bias': { dtype: 'I64', shape: [2], data: Int32Array.from([7, -7]) },
    }, { format: 'pt' });
    const index = {
      metadata: { total_size: 18 },
      weight_map: { 'c.bias': 'model-00002-of-00002.safetensors', 'a.weight': 'model-00001-of-00002.safetensors', 'b.weight': 'model-00001-of-00002.safetensors' },
    };
    const path = join(dir, 'model.safetensors.index.json');
    await writeFile(path, JSON.stringify(index));
    return { dir, path, index };
  }

  it('reads every shard, in weight_map order', async () => {
    const { path } = await shardedCheckpoint();
    const { tensors, metadata } = await readSafetensors(path);
    expect([...tensors.keys()]).toEqual(['c.bias', 'a.weight', 'b.weight']);
    expect(tensors.get('a.weight')).toEqual({ dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) });
    expect(tensors.get('b.weight')).toEqual({ dtype: 'F16', shape: [1], data: Float32Array.from([0.5]) });
    expect(tensors.get('c.bias')).toEqual({ dtype: 'I64', shape: [2], data: Int32Array.from([7, -7]) });
    expect(metadata).toEqual({ format: 'pt' });
  });

  it('applies the filter across shards', async () => {
    const { path } = await shardedCheckpoint();
    const { tensors } = await readSafetensors(path, { filter: (name) => name.endsWith('.weight') });
    expect([...tensors.keys()]).toEqual(['a.weight', 'b.weight']);
  });

  it('fails when a shard lacks a tensor the index puts there', async () => {
    const { dir, path, index } = await shardedCheckpoint();
    await writeFile(path, JSON.stringify({ weight_map: { ...index.weight_map, 'd.bias': 'model-00002-of-00002.safetensors' } }));
    await expect(readSafetensors(path)).rejects.toThrow(
      `${join(dir, 'model-00002-of-00002.safetensors')}: expected tensor 'd.bias' (the index ${path} puts it in this shard), found no such tensor`,
    );
  });

  it('refuses shard names that leave the folder, and indexes without weight_map', async () => {
    const { path } = await shardedCheckpoint();
    await writeFile(path, JSON.stringify({ weight_map: { 'a.weight': '../elsewhere.safetensors' } }));
    const error = await readSafetensors(path).catch((e: unknown) => e);
    expect(UnsupportedInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      `${path}, weight_map['a.weight']: expected a shard file name in the same folder (no path separators), found "../elsewhere.safetensors"`,
    );
    await writeFile(path, JSON.stringify({ weight_map: { 'a.weight': 'model.safetensors.index.json' } }));
    await expect(readSafetensors(path)).rejects.toThrow(`${path}, weight_map['a.weight']: expected a shard file, not another index, found "model.safetensors.index.json"`);
    await writeFile(path, JSON.stringify({ metadata: {} }));
    await expect(readSafetensors(path)).rejects.toThrow(`${path}: expected a JSON object with a "weight_map" object {tensor name: shard file}, found no such object`);
    await writeFile(path, '{"weight_map": ');
    await expect(readSafetensors(path)).rejects.toThrow(`${path}: expected a JSON shard index, found invalid JSON (`);
  });
});
