import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installNativeKernels, uninstallNativeKernels } from './install-native-kernels.js';
import { type Data, floats, ints, maxAbsDiff, randn, rng, runOn, tf, useEngine } from './test-engines.js';

/**
 * The native Exp, Erf, Sum, GatherV2, UnsortedSegmentSum and the gather gradient against float64 truth
 * (PyTorch, src/__fixtures__/torch-reference.json), hand-computed values, and the cpu engine.
 */
const reference = JSON.parse(readFileSync(new URL('./__fixtures__/torch-reference.json', import.meta.url), 'utf8')) as {
  cases: Record<string, { shape: number[]; x: number[]; y: number[] }>;
};
const probe = installNativeKernels({ quiet: true });
uninstallNativeKernels();
// Needs the addon (built by `pnpm build` where a C compiler exists); install.test.ts covers the build without it.
const withAddon = describe.skipIf(!probe.installed);

beforeAll(async () => {
  await useEngine('wasm');
});
afterAll(() => uninstallNativeKernels());

async function native(inputs: Data[], compute: Parameters<typeof runOn>[2]) {
  installNativeKernels({ quiet: true });
  try {
    return await runOn('wasm', inputs, compute);
  } finally {
    uninstallNativeKernels();
  }
}

withAddon('Exp and Erf', () => {
  it('exp is within 2 float32 ulps of the float64 value over [-87, 88]', async () => {
    const c = reference.cases.exp!;
    const [y] = await native([floats(c.x, c.shape)], (t) => tf.exp(t[0]!));
    for (let i = 0; i < c.y.length; i++) expect(Math.abs((y!.values[i] as number) - (c.y[i] as number))).toBeLessThanOrEqual(2 * 2 ** -23 * (c.y[i] as number));
  });

  it('exp of ±∞, NaN and far below the float32 range', async () => {
    const [y] = await native([floats([-Infinity, Infinity, Number.NaN, -200, 0], [5])], (t) => tf.exp(t[0]!));
    expect([...y!.values]).toEqual([0, Infinity, Number.NaN, 0, 1]);
  });

  it('erf is within 2e-7 of the float64 value over [-6, 6] (the cpu engine’s own erf is off by up to 1.5e-7)', async () => {
    const c = reference.cases.erf!;
    const [y] = await native([floats(c.x, c.shape)], (t) => tf.erf(t[0]!));
    expect(maxAbsDiff(y!.values, c.y)).toBeLessThanOrEqual(2e-7);
    const [cpu] = await runOn('cpu', [floats(c.x, c.shape)], (t) => tf.erf(t[0]!));
    expect(maxAbsDiff(cpu!.values, c.y)).toBeLessThanOrEqual(2e-7);
  });

  it('int32 inputs go to the stock kernel', async () => {
    const [y] = await native([ints([0, 1, 2], [3])], (t) => tf.exp(t[0]!));
    expect(y!.values[2]).toBeCloseTo(Math.exp(2), 5);
  });
});

withAddon('Sum', () => {
  const x = randn(rng(5), [4, 5, 6]);
  const cases: Array<{ axis: number | number[] | null; keepDims: boolean }> = [
    { axis: 0, keepDims: false }, { axis: [0, 1], keepDims: false }, { axis: 2, keepDims: false }, { axis: -1, keepDims: true },
    { axis: [1, 2], keepDims: true }, { axis: 1, keepDims: false }, { axis: [0, 2], keepDims: false }, { axis: null, keepDims: false },
    { axis: [2, 1], keepDims: false },
  ];
  for (const c of cases) {
    it(`axis ${JSON.stringify(c.axis)}${c.keepDims ? ', keepDims' : ''} equals the cpu engine`, async () => {
      const compute = (t: import('@tensorflow/tfjs-core').Tensor[]) => tf.sum(t[0]!, c.axis ?? undefined, c.keepDims);
      const [got] = await native([x], compute);
      const [want] = await runOn('cpu', [x], compute);
      expect(got!.shape).toEqual(want!.shape);
      expect(maxAbsDiff(got!.values, want!.values)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('the bias gradient: Σ over rows of [[1, 2], [3, 4], [5, 6]] is [9, 12]', async () => {
    const [db] = await native([floats([1, 2, 3, 4, 5, 6], [3, 2]), floats([0, 0], [2])], (t) => tf.grad((b) => tf.sum(tf.mul(tf.add(t[0]!, b), t[0]!)))(t[1]!));
    expect([...db!.values]).toEqual([9, 12]);
  });

  it('int32 sums go to the stock kernel', async () => {
    const [s] = await native([ints([1, 2, 3, 4], [2, 2])], (t) => tf.sum(t[0]!, 0));
    expect(s!.values).toBeInstanceOf(Int32Array);
    expect([...s!.values]).toEqual([4, 6]);
  });
});

withAddon('Identity without a copy', () => {
  it('a clone shares the memory of its source and outlives it', async () => {
    installNativeKernels({ quiet: true });
    try {
      await useEngine('wasm');
      const backend = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } };
      const x = tf.tensor1d([1, 2, 3]);
      const y = tf.clone(x);
      expect(backend.dataIdMap.get(y.dataId).memoryOffset).toBe(backend.dataIdMap.get(x.dataId).memoryOffset);
      x.dispose();
      expect([...y.dataSync()]).toEqual([1, 2, 3]);
      const v = tf.variable(y);
      v.assign(tf.tensor1d([7, 8, 9]));
      expect([...y.dataSync()]).toEqual([1, 2, 3]); // assign re-points the variable; the shared memory is untouched
      tf.dispose([y, v]);
    } finally {
      uninstallNativeKernels();
    }
  });
});

withAddon('GatherV2, its gradient and UnsortedSegmentSum', () => {
  const next = rng(9);
  const gathers: Array<{ name: string; x: Data; indices: Data; axis: number; batchDims?: number }> = [
    { name: 'rows of a table (axis 0)', x: randn(next, [30, 7]), indices: ints([3, 0, 29, 3, 17], [5]), axis: 0 },
    { name: 'the last axis with 2-D indices', x: randn(next, [6, 50]), indices: ints([1, 49, 0, 0, 7, 7], [2, 3]), axis: 1 },
    { name: 'a middle axis', x: randn(next, [6, 50, 7]), indices: ints([3, 0, 49, 3], [4]), axis: 1 },
    { name: 'a negative axis', x: randn(next, [4, 3, 9]), indices: ints([8, 0], [2]), axis: -1 },
  ];
  for (const g of gathers) {
    it(`${g.name}: values and gradient equal the cpu engine`, async () => {
      const dyShape = g.x.shape.slice(0, (g.axis + g.x.shape.length) % g.x.shape.length).concat(
        g.indices.shape.slice(g.batchDims ?? 0), g.x.shape.slice(((g.axis + g.x.shape.length) % g.x.shape.length) + 1));
      const dy = randn(next, dyShape);
      const compute = (t: import('@tensorflow/tfjs-core').Tensor[]) => [
        tf.gather(t[0]!, t[1]!, g.axis, g.batchDims),
        ...((g.batchDims ?? 0) === 0 ? [tf.grad((x) => tf.gather(x, t[1]!, g.axis))(t[0]!, t[2]!)] : []),
      ];
      const got = await native([g.x, g.indices, dy], compute);
      const want = await runOn('cpu', [g.x, g.indices, dy], compute);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) {
        expect(got[i]!.shape).toEqual(want[i]!.shape);
        expect(maxAbsDiff(got[i]!.values, want[i]!.values)).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it('batchDims 1: out[b, j] = x[b, idx[b, j]] and its gradient, by hand (stock wasm reads garbage here, tfjs 4.22)', async () => {
    const x = floats([0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 25, 26, 27], [3, 8]);
    const idx = ints([1, 2, 0, 7, 7, 3], [3, 2]);
    const dy = floats([1, 2, 3, 4, 5, 6], [3, 2]);
    const [y, dx] = await native([x, idx, dy], (t) => [tf.gather(t[0]!, t[1]!, 1, 1), tf.grad((a) => tf.gather(a, t[1]!, 1, 1))(t[0]!, t[2]!)]);
    expect(y!.shape).toEqual([3, 2]);
    expect([...y!.values]).toEqual([1, 2, 10, 17, 27, 23]);
    expect([...dx!.values]).toEqual([0, 1, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 5]);
  });

  it('int32 data is gathered natively too', async () => {
    const [y] = await native([ints([10, 11, 12, 13], [4]), ints([3, 3, 0], [3])], (t) => tf.gather(t[0]!, t[1]!));
    expect([...y!.values]).toEqual([13, 13, 10]);
  });

  it('an index out of range fails with tfjs’s message', async () => {
    installNativeKernels({ quiet: true });
    try {
      await useEngine('wasm');
      expect(() => tf.tidy(() => tf.gather(tf.zeros([4, 2]), tf.tensor1d([1, 4], 'int32')))).toThrow('GatherV2: the index value 4 is not in [0, 3]');
    } finally {
      uninstallNativeKernels();
    }
  });

  it('unsortedSegmentSum adds rows per segment and drops ids out of range', async () => {
    const [s] = await native([floats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2]), ints([2, 0, 2, -1, 3], [5])], (t) => tf.unsortedSegmentSum(t[0]!, t[1]! as import('@tensorflow/tfjs-core').Tensor1D, 3));
    // segment 0: row 1; segment 1: none; segment 2: rows 0 and 2; ids −1 and 3 dropped
    expect(s!.shape).toEqual([3, 2]);
    expect([...s!.values]).toEqual([3, 4, 0, 0, 6, 8]);
  });
});
