import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@adalora/tensor';
import type { TensorFlow } from '@adalora/tensor';
import golden from './__fixtures__/layer_forward.json' with { type: 'json' };
import { createSvdAdapter, svdScaling } from './svd-adapter.js';
import { expectClose } from './testing/close.js';

let tf: TensorFlow;
beforeAll(async () => {
  ({ tf } = await initBackend({ engine: 'cpu' }));
});

const goldenAdapter = () => {
  const initial = { A: tf.tensor2d(golden.A), E: tf.tensor2d(golden.E), B: tf.tensor2d(golden.B) };
  try {
    return createSvdAdapter({ module: 'layer', inFeatures: 8, outFeatures: 6, rank: 4, alpha: 16, initial });
  } finally {
    tf.dispose([initial.A, initial.E, initial.B]);
  }
};

describe('SVD adapter (spec a) against PEFT/loralib SVDLinear (layer_forward.json)', () => {
  it('scaling is alpha / (r + 1e-5), the 1e-5 included', () => {
    expect(svdScaling(16, 4)).toBe(golden.scaling_factor);
    expect(golden.scaling_factor).not.toBe(4);
  });

  it('forward x·Wᵀ + b + x·(A⊙E)ᵀ·Bᵀ·s equals the reference output (1e-5 relative, float32)', () => {
    const adapter = goldenAdapter();
    const y = tf.tidy(() => {
      const x = tf.tensor2d(golden.x);
      const base = tf.add(tf.matMul(x, tf.tensor2d(golden.W), false, true), tf.tensor1d(golden.bias));
      return tf.add(base, adapter.apply(x, { training: false }));
    });
    expectClose(y.dataSync(), golden.y, { rtol: 1e-5, label: 'y' });
    tf.dispose(y);
    adapter.dispose();
  });

  it('the branch works on any leading shape ([batch, seq, d_in])', () => {
    const adapter = goldenAdapter();
    const [flatOut, seqOut] = tf.tidy(() => {
      const x = tf.tensor2d(golden.x);
      return [adapter.apply(x, { training: false }), adapter.apply(tf.reshape(x, [1, 3, 8]), { training: false })];
    });
    expect(seqOut!.shape).toEqual([1, 3, 6]);
    expectClose(seqOut!.dataSync(), Array.from(flatOut!.dataSync()), { rtol: 1e-7 });
    tf.dispose([flatOut!, seqOut!]);
    adapter.dispose();
  });

  it('ΔW = B·diag(E)·A·s, and its transpose for fan-in-fan-out weights', () => {
    const adapter = goldenAdapter();
    const delta = adapter.deltaWeight();
    const transposed = adapter.deltaWeight('in-out');
    expect(delta.shape).toEqual([6, 8]);
    expectClose(delta.dataSync(), golden.delta_W, { rtol: 1e-5, label: 'delta_W' });
    expectClose(transposed.dataSync(), golden.fan_in_fan_out.delta_W_transposed, { rtol: 1e-5, label: 'delta_W_transposed' });
    tf.dispose([delta, transposed]);
    adapter.dispose();
  });

  it('slicing the kept triplets [T,F,T,F] gives PEFT’s saved A/E/B, and the resized adapter reproduces the masked full-rank ΔW', () => {
    const adapter = goldenAdapter();
    const keep = golden.resize_on_save.rank_pattern['layer.lora_E'];
    const sliced = adapter.sliceTriplets(keep);
    expectClose(sliced.A.dataSync(), golden.resize_on_save.A_saved, { rtol: 1e-7, label: 'A_saved' });
    expectClose(sliced.E.dataSync(), golden.resize_on_save.E_saved, { rtol: 1e-7, label: 'E_saved' });
    expectClose(sliced.B.dataSync(), golden.resize_on_save.B_saved, { rtol: 1e-7, label: 'B_saved' });
    adapter.dispose();
    // initRank stays 4: the scaling must not follow the surviving rank.
    const resized = createSvdAdapter({ module: 'layer', inFeatures: 8, outFeatures: 6, rank: 2, initRank: 4, alpha: 16, initial: sliced });
    expect(resized.scaling).toBe(golden.scaling_factor);
    const delta = resized.deltaWeight();
    expectClose(delta.dataSync(), golden.resize_on_save.delta_W_masked_full, { rtol: 1e-5, label: 'delta_W_masked_full' });
    tf.dispose([delta, sliced.A, sliced.E, sliced.B]);
    resized.dispose();
  });

  it('a keep-list of the wrong length is refused, naming the E variable', () => {
    const adapter = goldenAdapter();
    expect(() => adapter.sliceTriplets([true, false])).toThrow(/layer\.lora_E\.default: expected a keep-list of 4 flags \(one per triplet\), found 2/);
    adapter.dispose();
  });

  it('rank 0 (every triplet pruned) adds nothing and has a zero ΔW', () => {
    const initial = { A: tf.zeros([0, 8]), E: tf.zeros([0, 1]), B: tf.zeros([6, 0]) };
    const adapter = createSvdAdapter({ module: 'empty', inFeatures: 8, outFeatures: 6, rank: 0, initRank: 4, alpha: 16, initial });
    const out = adapter.apply(tf.ones([3, 8]), { training: true, dropoutSeed: 1 });
    expect(out.shape).toEqual([3, 6]);
    expect(Array.from(out.dataSync()).every((v) => v === 0)).toBe(true);
    const delta = adapter.deltaWeight();
    expect(delta.shape).toEqual([6, 8]);
    tf.dispose([out, delta, initial.A, initial.E, initial.B]);
    adapter.dispose();
  });

  it('default init: E = 0, A and B ~ N(0, 0.02²), reproducible per seed and different per matrix', () => {
    const make = (module: string, seed: number) => createSvdAdapter({ module, inFeatures: 256, outFeatures: 128, rank: 32, alpha: 8, seed });
    const a = make('m', 3);
    const values = Array.from(a.lora_A.dataSync());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    // 8192 draws: the sample std of N(0, 0.02²) is within 2% of 0.02 with overwhelming probability.
    expect(Math.abs(std - 0.02) / 0.02).toBeLessThan(0.02);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(Array.from(a.lora_E.dataSync()).every((v) => v === 0)).toBe(true);
    const bValues = Array.from(a.lora_B.dataSync());
    expect(bValues.slice(0, 32)).not.toEqual(values.slice(0, 32));
    a.dispose();
    const again = make('m', 3);
    expect(Array.from(again.lora_A.dataSync())).toEqual(values);
    again.dispose();
    const other = make('m', 4);
    expect(Array.from(other.lora_A.dataSync()).slice(0, 32)).not.toEqual(values.slice(0, 32));
    other.dispose();
  });

  it('variables carry PEFT’s parameter names, and a second live adapter under the same name is refused clearly', () => {
    const a = goldenAdapter();
    expect(a.trainableVariables().map((v) => v.name)).toEqual(['layer.lora_A.default', 'layer.lora_E.default', 'layer.lora_B.default']);
    expect(() => goldenAdapter()).toThrow(/a live variable is already called 'layer\.lora_A\.default'.*adapterName/);
    a.dispose();
    const b = goldenAdapter(); // the names are free again
    b.dispose();
  });

  it('initial values of the wrong shape are refused, naming the variable', () => {
    const initial = { A: tf.zeros([4, 7]), E: tf.zeros([4, 1]), B: tf.zeros([6, 4]) };
    expect(() => createSvdAdapter({ module: 'bad', inFeatures: 8, outFeatures: 6, rank: 4, alpha: 16, initial })).toThrow(
      /bad\.lora_A\.default: expected shape \[4, 8\], found \[4, 7\]/,
    );
    tf.dispose([initial.A, initial.E, initial.B]);
  });

  it('dropout acts on the adapter input only, with the mask the seed in the context fixes', () => {
    const adapter = createSvdAdapter({ module: 'd', inFeatures: 8, outFeatures: 6, rank: 4, alpha: 16, dropout: 0.5, seed: 1 });
    tf.tidy(() => adapter.lora_E.assign(tf.ones([4, 1])));
    const x = tf.randomNormal([5, 8], 0, 1, 'float32', 9);
    const evalOut = adapter.apply(x, { training: false });
    const noDropout = createSvdAdapter({
      module: 'nd',
      inFeatures: 8,
      outFeatures: 6,
      rank: 4,
      alpha: 16,
      initial: { A: adapter.lora_A, E: adapter.lora_E, B: adapter.lora_B },
    });
    const plain = noDropout.apply(x, { training: false });
    expectClose(evalOut.dataSync(), Array.from(plain.dataSync()), { rtol: 1e-7, label: 'eval mode ignores dropout' });
    const trained = adapter.apply(x, { training: true, dropoutSeed: 42 });
    const again = adapter.apply(x, { training: true, dropoutSeed: 42 });
    const expected = noDropout.apply(tf.dropout(x, 0.5, undefined, 42), { training: false });
    expect(Array.from(again.dataSync())).toEqual(Array.from(trained.dataSync()));
    expectClose(trained.dataSync(), Array.from(expected.dataSync()), { rtol: 1e-6, label: 'adapter(dropout(x))' });
    expect(Array.from(trained.dataSync())).not.toEqual(Array.from(plain.dataSync()));
    tf.dispose([x, evalOut, plain, trained, again, expected]);
    adapter.dispose();
    noDropout.dispose();
  });
});
