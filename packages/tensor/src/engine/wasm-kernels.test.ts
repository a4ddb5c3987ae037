import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type TensorFlow } from '../index.js';

/**
 * Our wasm kernels against the pure-JS cpu backend on fresh random inputs. Tolerance: max abs error
 * ≤ 1e-5 × (1 + max abs of the reference), i.e. relative error < 1e-5 for float32 accumulations.
 */
let tf: TensorFlow;

beforeAll(async () => {
  ({ tf } = await initBackend({ engine: 'cpu' }));
  await initBackend({ engine: 'wasm', native: false });
});

type Tensor = import('@tensorflow/tfjs-core').Tensor;
interface Result { values: Float32Array | Int32Array | Uint8Array; shape: number[] }

/** Draws the inputs on cpu, computes there, then recomputes from the same values on wasm. */
async function onBoth(compute: (inputs: Tensor[]) => Tensor, makeInputs: () => Tensor[]): Promise<{ reference: Result; actual: Result }> {
  const run = (inputs: Tensor[]): Result => tf.tidy(() => {
    const out = compute(inputs);
    return { values: out.dataSync().slice(), shape: out.shape };
  });
  await initBackend({ engine: 'cpu' });
  const drawn = makeInputs();
  const data = drawn.map((t) => ({ values: t.dataSync().slice(), shape: t.shape, dtype: t.dtype }));
  const reference = run(drawn);
  tf.dispose(drawn);
  await initBackend({ engine: 'wasm', native: false });
  const copies = data.map((d) => tf.tensor(d.values, d.shape, d.dtype));
  const actual = run(copies);
  tf.dispose(copies);
  return { reference, actual };
}

function expectClose(actual: Result, reference: Result) {
  expect(actual.shape).toEqual(reference.shape);
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < reference.values.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(reference.values[i] as number));
    maxErr = Math.max(maxErr, Math.abs((actual.values[i] as number) - (reference.values[i] as number)));
  }
  expect(maxErr).toBeLessThanOrEqual(1e-5 * (1 + maxRef));
}

const matMulCases: Array<{ a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }> = [
  { a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
  { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
  { a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [4, 6, 9], b: [4, 9, 5], transposeA: false, transposeB: false },
  { a: [4, 9, 6], b: [4, 5, 9], transposeA: true, transposeB: true },
  { a: [2, 3, 16, 8], b: [2, 3, 16, 8], transposeA: false, transposeB: true },
  { a: [2, 3, 16, 8], b: [2, 3, 16, 8], transposeA: true, transposeB: false },
  { a: [3, 10, 12], b: [12, 6], transposeA: false, transposeB: false },
  { a: [3, 10, 12], b: [6, 12], transposeA: false, transposeB: true },
  { a: [12, 10], b: [3, 12, 6], transposeA: true, transposeB: false },
  { a: [1, 33, 65], b: [1, 65, 17], transposeA: false, transposeB: false },
];

describe('wasm BatchMatMul with both operands broadcast on different batch axes', () => {
  // tfjs's own cpu and wasm kernels get this case wrong, so the reference is a float64 product in JS:
  // out[i, j] = A[i, 0] · B[0, j] for a [2, 1, m, k] × [1, 3, k, n] product.
  it('a [2,1,4,5] × b [1,3,5,6] gives the 2 × 3 products of the broadcast pairs', async () => {
    await initBackend({ engine: 'wasm', native: false });
    const a = tf.randomNormal([2, 1, 4, 5], 0, 1, 'float32', 21);
    const b = tf.randomNormal([1, 3, 5, 6], 0, 1, 'float32', 22);
    const out = tf.matMul(a, b);
    const A = a.arraySync() as number[][][][];
    const B = b.arraySync() as number[][][][];
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) {
      let sum = 0;
      for (let k = 0; k < 5; k++) sum += (A[i]![0]![r]![k] as number) * (B[0]![j]![k]![c] as number);
      expected.push(sum);
    }
    expectClose({ values: out.dataSync(), shape: out.shape }, { values: Float32Array.from(expected), shape: [2, 3, 4, 6] });
    tf.dispose([a, b, out]);
  });
});

describe('wasm BatchMatMul fast path', () => {
  for (const c of matMulCases) {
    it(`a ${c.a} ${c.transposeA ? 'ᵀ' : ''} × b ${c.b} ${c.transposeB ? 'ᵀ' : ''}`, async () => {
      const { reference, actual } = await onBoth(
        (x) => tf.matMul(x[0]!, x[1]!, c.transposeA, c.transposeB),
        () => [tf.randomNormal(c.a), tf.randomNormal(c.b)],
      );
      expectClose(actual, reference);
    });
  }
});

describe('wasm _FusedMatMul fast path', () => {
  const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  const shapes = [
    { a: [6, 8], b: [8, 5], transposeA: false, transposeB: false },
    { a: [8, 6], b: [5, 8], transposeA: true, transposeB: true },
    { a: [3, 6, 8], b: [3, 5, 8], transposeA: false, transposeB: true },
    { a: [3, 8, 6], b: [8, 5], transposeA: true, transposeB: false },
  ];
  for (const c of shapes) {
    for (const activation of activations) {
      it(`${activation}, a ${c.a}${c.transposeA ? 'ᵀ' : ''} × b ${c.b}${c.transposeB ? 'ᵀ' : ''} + bias [5]`, async () => {
        const { reference, actual } = await onBoth(
          (x) => tf.fused.matMul({
            a: x[0]!, b: x[1]!, transposeA: c.transposeA, transposeB: c.transposeB, bias: x[2]!, activation,
            ...(activation === 'prelu' ? { preluActivationWeights: x[3]! } : {}),
            ...(activation === 'leakyrelu' ? { leakyreluAlpha: 0.3 } : {}),
          }),
          () => [tf.randomNormal(c.a), tf.randomNormal(c.b), tf.randomNormal([5]), tf.randomUniform([5], 0.05, 0.5)],
        );
        expectClose(actual, reference);
      });
    }
  }
  it('broadcast bias of another shape ([6, 5]) and no bias', async () => {
    const { reference, actual } = await onBoth(
      (x) => tf.add(tf.fused.matMul({ a: x[0]!, b: x[1]!, bias: x[2]!, activation: 'relu' }), tf.fused.matMul({ a: x[0]!, b: x[1]! })),
      () => [tf.randomNormal([6, 8]), tf.randomNormal([8, 5]), tf.randomNormal([6, 5])],
    );
    expectClose(actual, reference);
  });
});

describe('wasm matmul gradients', () => {
  it('d/da and d/db of sum(tanh(a·bᵀ)) for a batched, transposed product', async () => {
    const { reference, actual } = await onBoth(
      (x) => {
        const [da, db] = tf.grads((a, b) => tf.sum(tf.tanh(tf.matMul(a as Tensor, b as Tensor, false, true))))([x[0]!, x[1]!]);
        return tf.concat([tf.reshape(da as Tensor, [-1]), tf.reshape(db as Tensor, [-1])]);
      },
      () => [tf.randomNormal([3, 7, 5]), tf.randomNormal([3, 4, 5])],
    );
    expectClose(actual, reference);
  });
});

describe('UnsortedSegmentSum (our kernel on wasm and cpu) and gather gradients', () => {
  for (const engine of ['wasm', 'cpu'] as const) {
    it(`${engine}: segment sums match hand-derived values; ids out of range are dropped`, async () => {
      await initBackend({ engine, native: false });
      // rows 0 and 2 go to segment 1, row 1 to segment 0, row 3 (id 5) is out of range; segment 2 stays 0.
      const out = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), tf.tensor1d([1, 0, 1, 5], 'int32'), 3);
      expect(Array.from(out.dataSync())).toEqual([3, 4, 6, 8, 0, 0]);
      out.dispose();
    });

    it(`${engine}: d/dtable Σ gather(table, idx)² = 2 · count(row) · table[row]`, async () => {
      await initBackend({ engine, native: false });
      const table = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
      const grad = tf.grad((t) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([1, 3, 3, 0, 1, 1], 'int32')))))(table);
      // counts: row 0 → 1, row 1 → 3, row 2 → 0, row 3 → 2
      expect(Array.from(grad.dataSync())).toEqual([2, 4, 18, 24, 0, 0, 28, 32]);
      tf.dispose([table, grad]);
    });
  }
});
