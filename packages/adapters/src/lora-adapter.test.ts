import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@adalora/tensor';
import type { TensorFlow } from '@adalora/tensor';
import { createLoraAdapter } from './lora-adapter.js';
import { expectClose } from './testing/close.js';

let tf: TensorFlow;
beforeAll(async () => {
  ({ tf } = await initBackend({ engine: 'cpu' }));
});

describe('plain LoRA adapter', () => {
  it('PEFT’s default init: B = 0 (ΔW = 0) and A ~ U(−1/√d_in, 1/√d_in), seeded', () => {
    const adapter = createLoraAdapter({ module: 'm', inFeatures: 400, outFeatures: 30, rank: 16, alpha: 32, seed: 2 });
    const a = Array.from(adapter.lora_A.dataSync());
    const bound = 1 / Math.sqrt(400);
    expect(a.every((v) => Math.abs(v) <= bound)).toBe(true);
    const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    // U(−b, b) has std b/√3; 6400 draws put the sample std within 3% of it.
    expect(Math.abs(std - bound / Math.sqrt(3)) / (bound / Math.sqrt(3))).toBeLessThan(0.03);
    expect(Array.from(adapter.lora_B.dataSync()).every((v) => v === 0)).toBe(true);
    expect(adapter.scaling).toBe(2);
    const again = createLoraAdapter({ module: 'n', inFeatures: 400, outFeatures: 30, rank: 16, alpha: 32, seed: 2 });
    expect(Array.from(again.lora_A.dataSync())).not.toEqual(a); // another module, another stream
    adapter.dispose();
    again.dispose();
  });

  it('forward = x·Aᵀ·Bᵀ·alpha/r and ΔW = B·A·alpha/r (hand-computed 2×2 case), transposed for in-out', () => {
    const A = tf.tensor2d([[1, 2], [3, 4]]);
    const B = tf.tensor2d([[0.5, -1], [2, 0]]);
    const adapter = createLoraAdapter({ module: 'h', inFeatures: 2, outFeatures: 2, rank: 2, alpha: 4, initial: { A, B } });
    // B·A = [[0.5·1 − 1·3, 0.5·2 − 1·4], [2·1, 2·2]] = [[−2.5, −3], [2, 4]]; × alpha/r = 2.
    const delta = adapter.deltaWeight();
    expectClose(delta.dataSync(), [[-5, -6], [4, 8]], { rtol: 1e-7 });
    const transposed = adapter.deltaWeight('in-out');
    expectClose(transposed.dataSync(), [[-5, 4], [-6, 8]], { rtol: 1e-7 });
    const x = tf.tensor2d([[1, -1]]);
    const y = adapter.apply(x, { training: false });
    // x·ΔWᵀ = [1·(−5) − 1·(−6), 1·4 − 1·8] = [1, −4].
    expectClose(y.dataSync(), [[1, -4]], { rtol: 1e-7 });
    tf.dispose([A, B, delta, transposed, x, y]);
    adapter.dispose();
  });
});
