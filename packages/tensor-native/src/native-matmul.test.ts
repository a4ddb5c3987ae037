import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installNativeKernels, uninstallNativeKernels } from './install-native-kernels.js';
import { type Data, floats, randn, rng, runOn, tf, useEngine } from './test-engines.js';

/**
 * The OpenBLAS BatchMatMul/_FusedMatMul against an exact (float64) product computed here, and against the
 * stock wasm and the cpu kernels. Tolerance: the textbook float32 bound |ĉ − c| ≤ 2·k·2⁻²⁴·(|A|·|B|) per
 * element (k the inner size), plus one rounding of each activation.
 */
const probe = installNativeKernels({ quiet: true });
uninstallNativeKernels();
// Needs OpenBLAS (apt-get install libopenblas0-pthread); the fallback without it is tested in install.test.ts.
const withBlas = describe.skipIf(probe.blas === null);

beforeAll(async () => {
  await useEngine('wasm');
});
afterAll(() => uninstallNativeKernels());

interface Exact {
  values: Float64Array;
  bound: Float64Array;
  shape: number[];
}

/** op(a)·op(b) in float64 with numpy batch broadcasting, and the per-element float32 error bound. */
function exactMatMul(a: Data, b: Data, transposeA: boolean, transposeB: boolean): Exact {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
  const k = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
  const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...new Array<number>(rank - batchA.length).fill(1), ...batchA];
  const padB = [...new Array<number>(rank - batchB.length).fill(1), ...batchB];
  const batchShape = padA.map((d, i) => Math.max(d, padB[i] as number));
  const batch = batchShape.reduce((x, y) => x * y, 1);
  const values = new Float64Array(batch * m * n);
  const bound = new Float64Array(batch * m * n);
  const index = (pad: number[], flat: number) => {
    let rest = flat;
    let idx = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rest % (batchShape[d] as number);
      rest = Math.floor(rest / (batchShape[d] as number));
      if ((pad[d] as number) !== 1) idx += coord * stride;
      stride *= pad[d] as number;
    }
    return idx;
  };
  for (let t = 0; t < batch; t++) {
    const ao = index(padA, t) * m * k;
    const bo = index(padB, t) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const x = a.values[ao + (transposeA ? p * m + i : i * k + p)] as number;
          const y = b.values[bo + (transposeB ? j * k + p : p * n + j)] as number;
          sum += x * y;
          abs += Math.abs(x * y);
        }
        values[t * m * n + i * n + j] = sum;
        bound[t * m * n + i * n + j] = 2 * k * 2 ** -24 * abs + 1e-30;
      }
    }
  }
  return { values, bound, shape: [...batchShape, m, n] };
}

function expectWithin(actual: { values: ArrayLike<number>; shape: number[] }, exact: Exact, extra: (y: number) => number = () => 0) {
  expect(actual.shape).toEqual(exact.shape);
  let worst = 0;
  for (let i = 0; i < exact.values.length; i++) {
    const y = exact.values[i] as number;
    const ratio = Math.abs((actual.values[i] as number) - y) / ((exact.bound[i] as number) + extra(y));
    if (!(ratio <= worst)) worst = Number.isNaN(ratio) ? Infinity : ratio;
  }
  expect(worst).toBeLessThanOrEqual(1);
}

async function runNative(inputs: Data[], compute: Parameters<typeof runOn>[2]) {
  const result = installNativeKernels({ quiet: true });
  expect(result.kernels).toContain('BatchMatMul');
  try {
    return await runOn('wasm', inputs, compute);
  } finally {
    uninstallNativeKernels();
  }
}

interface Case { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }
const fixed: Case[] = [
  { a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
  { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
  { a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [1, 1], b: [1, 1], transposeA: false, transposeB: false },
  { a: [1, 9], b: [9, 1], transposeA: false, transposeB: false },
  { a: [4, 6, 9], b: [4, 9, 5], transposeA: false, transposeB: false },
  { a: [4, 9, 6], b: [4, 5, 9], transposeA: true, transposeB: true },
  { a: [2, 3, 16, 8], b: [2, 3, 16, 8], transposeA: false, transposeB: true },
  { a: [2, 3, 16, 8], b: [2, 3, 16, 8], transposeA: true, transposeB: false },
  { a: [3, 10, 12], b: [12, 6], transposeA: false, transposeB: false }, // b broadcast: one GEMM over 30 rows
  { a: [3, 12, 10], b: [12, 6], transposeA: true, transposeB: false }, // b broadcast, transposed a: per batch
  { a: [3, 10, 12], b: [6, 12], transposeA: false, transposeB: true },
  { a: [12, 10], b: [3, 12, 6], transposeA: true, transposeB: false }, // a broadcast
  { a: [2, 1, 5, 4], b: [1, 3, 4, 6], transposeA: false, transposeB: false }, // both broadcast, other axes
  { a: [2, 1, 4, 5], b: [3, 6, 4], transposeA: true, transposeB: true }, // rank 4 with rank 3
  { a: [1, 33, 65], b: [1, 65, 17], transposeA: false, transposeB: false },
  { a: [2, 130, 257], b: [2, 257, 65], transposeA: false, transposeB: false },
  { a: [8, 12, 16], b: [8, 20, 16], transposeA: false, transposeB: true },
];

/**
 * Both operands broadcast along different batch axes ([2, 1] with [1, 3]). tfjs 4.22's own cpu and wasm kernels
 * report the right shape but compute only max(batchA, batchB) matrices there (a tfjs bug), so only the native
 * kernel is compared with the exact product.
 */
function generalBroadcast(c: Case): boolean {
  const size = (shape: number[]) => shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const out = exactBatch(c);
  return size(c.a) !== 1 && size(c.b) !== 1 && (size(c.a) !== out || size(c.b) !== out);
}

function exactBatch(c: Case): number {
  const a = c.a.slice(0, -2);
  const b = c.b.slice(0, -2);
  const rank = Math.max(a.length, b.length);
  const padA = [...new Array<number>(rank - a.length).fill(1), ...a];
  const padB = [...new Array<number>(rank - b.length).fill(1), ...b];
  return padA.reduce((acc, d, i) => acc * Math.max(d, padB[i] as number), 1);
}

/** Random shapes: rank 2–4, sizes 1–48, random transposes and batch broadcasting. */
function randomCases(count: number): Case[] {
  const next = rng(20261123);
  const dim = () => 1 + Math.floor(next() * 48);
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const m = dim();
    const k = dim();
    const n = dim();
    const transposeA = next() < 0.5;
    const transposeB = next() < 0.5;
    const rank = 2 + Math.floor(next() * 3);
    const batch = Array.from({ length: rank - 2 }, () => 1 + Math.floor(next() * 4));
    const pick = next();
    const batchA = batch.map((d) => (pick < 0.25 ? 1 : d));
    const batchB = batch.map((d) => (pick > 0.75 ? 1 : d));
    cases.push({
      a: [...batchA, ...(transposeA ? [k, m] : [m, k])],
      b: [...(pick > 0.6 && pick <= 0.75 ? [] : batchB), ...(transposeB ? [n, k] : [k, n])],
      transposeA,
      transposeB,
    });
  }
  return cases;
}

withBlas('native BatchMatMul on OpenBLAS', () => {
  const next = rng(1);
  for (const c of [...fixed, ...randomCases(40)]) {
    const name = `a [${c.a}]${c.transposeA ? 'ᵀ' : ''} · b [${c.b}]${c.transposeB ? 'ᵀ' : ''}`;
    it(`${name}: native, stock wasm and cpu all within float32 rounding of the exact product`, async () => {
      const inputs = [randn(next, c.a), randn(next, c.b)];
      const exact = exactMatMul(inputs[0] as Data, inputs[1] as Data, c.transposeA, c.transposeB);
      const compute = (x: import('@tensorflow/tfjs-core').Tensor[]) => tf.matMul(x[0]!, x[1]!, c.transposeA, c.transposeB);
      const [native] = await runNative(inputs, compute);
      expectWithin(native!, exact);
      if (!generalBroadcast(c)) {
        const [stock] = await runOn('wasm', inputs, compute);
        const [cpu] = await runOn('cpu', inputs, compute);
        expectWithin(stock!, exact);
        expectWithin(cpu!, exact);
      }
    });
  }

  it('an empty inner dimension gives zeros', async () => {
    const [native] = await runNative([floats([], [3, 0]), floats([], [0, 4])], (x) => tf.matMul(x[0]!, x[1]!));
    expect(native!.shape).toEqual([3, 4]);
    expect([...native!.values]).toEqual(new Array(12).fill(0));
  });

  it('mismatched inner sizes fail with tfjs’s message', async () => {
    const result = installNativeKernels({ quiet: true });
    expect(result.blas).not.toBeNull();
    try {
      await useEngine('wasm');
      expect(() => tf.tidy(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 5])))).toThrow(/inner shapes \(3\) and \(4\)/);
    } finally {
      uninstallNativeKernels();
    }
  });
});

withBlas('native _FusedMatMul on OpenBLAS', () => {
  const next = rng(2);
  const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  const act = (name: string, x: number, alpha: number) => {
    switch (name) {
      case 'relu': return Math.max(x, 0);
      case 'relu6': return Math.min(Math.max(x, 0), 6);
      case 'elu': return x < 0 ? Math.expm1(x) : x;
      case 'sigmoid': return 1 / (1 + Math.exp(-x));
      case 'leakyrelu':
      case 'prelu': return x < 0 ? alpha * x : x;
      default: return x;
    }
  };
  // bias shapes: per column, scalar, a full [m, n] broadcast (goes through the wasm Add kernel); prelu alphas alike.
  const shapes = [
    { a: [6, 8], b: [8, 5], transposeA: false, transposeB: false, bias: [5], alpha: [5] },
    { a: [8, 6], b: [5, 8], transposeA: true, transposeB: true, bias: [1], alpha: [1] },
    { a: [3, 6, 8], b: [3, 5, 8], transposeA: false, transposeB: true, bias: [6, 5], alpha: [6, 5] },
    { a: [3, 8, 6], b: [8, 5], transposeA: true, transposeB: false, bias: [1, 5], alpha: [5] },
  ];
  for (const c of shapes) {
    for (const activation of activations) {
      it(`${activation}, a [${c.a}]${c.transposeA ? 'ᵀ' : ''} · b [${c.b}]${c.transposeB ? 'ᵀ' : ''} + bias [${c.bias}]${activation === 'prelu' ? `, alpha [${c.alpha}]` : ''}`, async () => {
        const inputs = [randn(next, c.a), randn(next, c.b), randn(next, c.bias), floats(Array.from({ length: c.alpha.reduce((x, y) => x * y, 1) }, () => 0.05 + 0.4 * next()), c.alpha)];
        const compute = (x: import('@tensorflow/tfjs-core').Tensor[]) => tf.fused.matMul({
          a: x[0]!, b: x[1]!, transposeA: c.transposeA, transposeB: c.transposeB, bias: x[2]!, activation,
          ...(activation === 'prelu' ? { preluActivationWeights: x[3]! } : {}),
          ...(activation === 'leakyrelu' ? { leakyreluAlpha: 0.3 } : {}),
        });
        const product = exactMatMul(inputs[0]!, inputs[1]!, c.transposeA, c.transposeB);
        const n = product.shape[product.shape.length - 1] as number;
        const m = product.shape[product.shape.length - 2] as number;
        const bias = inputs[2]!.values;
        const alphas = inputs[3]!.values;
        const pick = (values: ArrayLike<number>, shape: number[], i: number) => {
          const col = i % n;
          const row = Math.floor(i / n) % m;
          if (shape.length === 2 && shape[0] === m && shape[1] === n) return values[row * n + col] as number;
          return values.length === 1 ? (values[0] as number) : (values[col] as number);
        };
        const exact: Exact = { values: new Float64Array(product.values.length), bound: product.bound, shape: product.shape };
        for (let i = 0; i < exact.values.length; i++) {
          const alpha = activation === 'leakyrelu' ? 0.3 : pick(alphas, c.alpha, i);
          exact.values[i] = act(activation, (product.values[i] as number) + pick(bias, c.bias, i), alpha);
        }
        const extra = (y: number) => 4e-7 * (1 + Math.abs(y));
        const [native] = await runNative(inputs, compute);
        expectWithin(native!, exact, extra);
        const [cpu] = await runOn('cpu', inputs, compute);
        expectWithin(cpu!, exact, extra);
      });
    }
  }

  it('gradients through a batched, transposed product match the cpu engine', async () => {
    const inputs = [randn(next, [3, 7, 5]), randn(next, [3, 4, 5]), randn(next, [3, 7, 4])];
    const compute = (x: import('@tensorflow/tfjs-core').Tensor[]) => {
      const [da, db] = tf.grads((a, b) => tf.sum(tf.mul(tf.matMul(a!, b!, false, true), x[2]!)))([x[0]!, x[1]!]);
      return [da!, db!];
    };
    const native = await runNative(inputs, compute);
    const cpu = await runOn('cpu', inputs, compute);
    // d/da Σ (a·bᵀ)∘w = w·b and d/db = wᵀ·a: products over 4 and 7 terms.
    for (let i = 0; i < 2; i++) {
      expect(native[i]!.shape).toEqual(cpu[i]!.shape);
      for (let j = 0; j < cpu[i]!.values.length; j++) expect(native[i]!.values[j]).toBeCloseTo(cpu[i]!.values[j] as number, 5);
    }
  });

  it('repeated calls leak no tensors and no wasm memory', async () => {
    installNativeKernels({ quiet: true });
    try {
      await useEngine('wasm');
      const a = tf.randomNormal([4, 33, 17]);
      const b = tf.randomNormal([17, 9]);
      const bias = tf.randomNormal([9]);
      const once = () => tf.tidy(() => {
        tf.matMul(a, b).dataSync();
        tf.fused.matMul({ a, b, bias, activation: 'elu' }).dataSync();
        tf.matMul(a, a, true, false).dataSync();
      });
      once();
      const before = tf.memory();
      for (let i = 0; i < 20; i++) once();
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
      tf.dispose([a, b, bias]);
    } finally {
      uninstallNativeKernels();
    }
  });
});
