import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gelu, layerNorm } from './fused-ops.js';
import { installNativeKernels, uninstallNativeKernels } from './install-native-kernels.js';
import { type Data, floats, runOn, tf, useEngine } from './test-engines.js';

/**
 * The fused LayerNorm, GELU and softmax-gradient kernels (and the unfused tfjs-core compositions they replace)
 * against PyTorch's float64 results on the same float32 inputs (src/__fixtures__/torch-reference.json).
 * Tolerance: |Δ| ≤ 2e-5·(1 + |ref|) for LayerNorm (float32 mean/variance over up to 768 values), 1e-6·(1 + |ref|)
 * for GELU and softmax.
 */
type Case = Record<string, number[]> & { shape: number[]; eps?: number };
const reference = JSON.parse(readFileSync(new URL('./__fixtures__/torch-reference.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };
const cases = reference.cases;
const probe = installNativeKernels({ quiet: true });
uninstallNativeKernels();
// Needs the addon (built by `pnpm build` where a C compiler exists); install.test.ts covers the build without it.
const withAddon = describe.skipIf(!probe.installed);

beforeAll(async () => {
  await useEngine('wasm');
});
afterAll(() => uninstallNativeKernels());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: (ref: number) => number) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const ratio = Math.abs((actual[i] as number) - (expected[i] as number)) / tolerance(expected[i] as number);
    if (!(ratio <= worst)) worst = Number.isNaN(ratio) ? Infinity : ratio;
  }
  expect(worst).toBeLessThanOrEqual(1);
}

const lnTolerance = (ref: number) => 2e-5 * (1 + Math.abs(ref));
const tightTolerance = (ref: number) => 1e-6 * (1 + Math.abs(ref));

async function onPath(path: 'native' | 'wasm' | 'cpu', inputs: Data[], compute: Parameters<typeof runOn>[2]) {
  if (path !== 'native') return runOn(path, inputs, compute);
  const result = installNativeKernels({ quiet: true });
  expect(result.kernels).toEqual(expect.arrayContaining(['AdaLoraLayerNorm', 'AdaLoraGelu', 'AdaLoraSoftmaxGrad']));
  try {
    return await runOn('wasm', inputs, compute);
  } finally {
    uninstallNativeKernels();
  }
}

const paths = ['native', 'wasm', 'cpu'] as const;

withAddon('layerNorm, fused (native) and composite (stock wasm, cpu), against PyTorch', () => {
  for (const name of ['layer_norm_bert', 'layer_norm_deberta', 'layer_norm_roberta']) {
    const c = cases[name] as Case;
    const cols = c.shape[c.shape.length - 1] as number;
    for (const path of paths) {
      it(`${name} (eps ${c.eps}) on ${path}: y, dx, dgamma, dbeta`, async () => {
        const inputs = [floats(c.x!, c.shape), floats(c.gamma!, [cols]), floats(c.beta!, [cols]), floats(c.dy!, c.shape)];
        const [y, dx, dgamma, dbeta] = await onPath(path, inputs, (t) => {
          const f = (x: import('@tensorflow/tfjs-core').Tensor, g: import('@tensorflow/tfjs-core').Tensor, b: import('@tensorflow/tfjs-core').Tensor) =>
            layerNorm(x, g, b, c.eps as number);
          const grads = tf.grads(f)([t[0]!, t[1]!, t[2]!], t[3]!);
          return [f(t[0]!, t[1]!, t[2]!), ...grads];
        });
        expect(y!.shape).toEqual(c.shape);
        expectClose(y!.values, c.y!, lnTolerance);
        expectClose(dx!.values, c.dx!, lnTolerance);
        expectClose(dgamma!.values, c.dgamma!, lnTolerance);
        expectClose(dbeta!.values, c.dbeta!, lnTolerance);
      });
    }
  }

  it('a hand-derived row: [1, 2, 3, 4] normalises to ±1.3416, ±0.4472', async () => {
    const [y] = await onPath('native', [floats([1, 2, 3, 4], [1, 4]), floats([1, 1, 1, 1], [4]), floats([0, 0, 0, 0], [4])], (t) => layerNorm(t[0]!, t[1]!, t[2]!, 0));
    // mean 2.5, variance 1.25: (x − 2.5)/√1.25
    expectClose(y!.values, [-1.5, -0.5, 0.5, 1.5].map((v) => v / Math.sqrt(1.25)), () => 1e-6);
  });

  it('gamma and beta of the wrong size fail with a message naming them', async () => {
    installNativeKernels({ quiet: true });
    try {
      await useEngine('wasm');
      expect(() => tf.tidy(() => layerNorm(tf.ones([2, 4]), tf.ones([3]), tf.zeros([4]), 1e-5))).toThrow(/gamma must be float32 with 4 values/);
    } finally {
      uninstallNativeKernels();
    }
  });
});

withAddon('gelu and the softmax gradient against PyTorch', () => {
  const g = cases.gelu as Case;
  const s = cases.softmax as Case;
  for (const path of paths) {
    it(`gelu on ${path}: y and dx`, async () => {
      const [y, dx] = await onPath(path, [floats(g.x!, g.shape), floats(g.dy!, g.shape)], (t) => [gelu(t[0]!), tf.grad((x) => gelu(x))(t[0]!, t[1]!)]);
      expectClose(y!.values, g.y!, tightTolerance);
      expectClose(dx!.values, g.dx!, tightTolerance);
    });
    it(`softmax gradient on ${path}`, async () => {
      const [y, dx] = await onPath(path, [floats(s.x!, s.shape), floats(s.dy!, s.shape)], (t) => [tf.softmax(t[0]!), tf.grad((x) => tf.softmax(x))(t[0]!, t[1]!)]);
      expectClose(y!.values, s.y!, tightTolerance);
      expectClose(dx!.values, s.dx!, tightTolerance);
    });
  }

  it('hand-derived GELU values: gelu(1) = Φ(1) = 0.8413447, gelu′(1) = Φ(1) + φ(1) = 1.0833155', async () => {
    const [y, dx] = await onPath('native', [floats([1, 0, -1], [3])], (t) => [gelu(t[0]!), tf.grad((x) => gelu(x))(t[0]!)]);
    expectClose(y!.values, [0.8413447461, 0, -0.1586552539], () => 1e-7);
    expectClose(dx!.values, [1.0833154705, 0.5, -0.0833154705], () => 1e-7);
  });
});

withAddon('fused ops in a training loop', () => {
  it('layerNorm + gelu + softmax + gather under variableGrads leak no tensors', async () => {
    installNativeKernels({ quiet: true });
    try {
      await useEngine('wasm');
      const w = tf.variable(tf.randomNormal([16, 16], 0, 0.1, 'float32', 3));
      const table = tf.randomNormal([10, 16], 0, 1, 'float32', 4);
      const ids = tf.tensor1d([1, 4, 4, 9, 0, 2], 'int32');
      const gamma = tf.ones([16]);
      const beta = tf.zeros([16]);
      const step = () => tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const h = layerNorm(tf.matMul(tf.gather(table, ids), w), gamma, beta, 1e-7);
          return tf.sum(tf.mul(tf.softmax(gelu(h)), h));
        }, [w]);
        w.assign(tf.sub(w, tf.mul(grads[w.name]!, 0.1)));
        return value.dataSync()[0];
      });
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([w, table, ids, gamma, beta]);
    } finally {
      uninstallNativeKernels();
    }
  });
});
