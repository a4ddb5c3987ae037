import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fisher } from './fisher.js';
import { gsnr } from './gsnr.js';
import { expectClose, take } from './test-support.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gsnr() and fisher() by hand', () => {
  it('gsnr after one step: m = 0.15g, v = 0.15g², s = 0.0225/0.1275 = 0.17647… for g ≠ 0, and 0 for g = 0', () => {
    const scorer = gsnr();
    const g = tf.tensor1d([3, -0.001, 0]);
    const state = scorer.update(scorer.init(g), g, g);
    expectClose(take(scorer.score(state)), [0.0225 / 0.1275, 0.0225e-6 / (0.1275e-6 + 1e-12), 0], 'gsnr');
    scorer.dispose(state);
    g.dispose();
  });

  it('gsnr of a constant gradient is finite (v − m² rounds to ≤ 0: the max(·, 0) and eps hold it)', () => {
    const scorer = gsnr({ eps: 1e-6 });
    const g = tf.tensor1d([0.3]);
    let state = scorer.init(g);
    for (let t = 0; t < 200; t++) state = scorer.update(state, g, g);
    const [s] = take(scorer.score(state));
    // m → 0.3, v → 0.09: the true variance is (1 − 0.85²⁰⁰)·0.85²⁰⁰·0.09 ≈ 0; float32 leaves at most rounding.
    expect(Number.isFinite(s)).toBe(true);
    expect(s).toBeGreaterThan(1e3);
    scorer.dispose(state);
    g.dispose();
  });

  it('fisher after two steps: 0.85·0.15·g₀² + 0.15·g₁²', () => {
    const scorer = fisher();
    const [g0, g1] = [tf.tensor1d([2, -1]), tf.tensor1d([1, 3])];
    const state = scorer.update(scorer.update(scorer.init(g0), g0, g0), g1, g1);
    expectClose(take(scorer.score(state)), [0.85 * 0.15 * 4 + 0.15 * 1, 0.85 * 0.15 * 1 + 0.15 * 9], 'fisher');
    scorer.dispose(state);
    tf.dispose([g0, g1]);
  });

  it('rejects a non-positive or non-finite eps and β outside (0, 1)', () => {
    expect(() => gsnr({ eps: 0 })).toThrow(/'gsnr.eps' = 0: must be a finite number ≥ 1e-38/);
    expect(() => gsnr({ eps: Number.POSITIVE_INFINITY })).toThrow(/gsnr.eps/);
    expect(() => gsnr({ beta1: -0.1 })).toThrow(/'gsnr.beta1' = -0.1/);
    expect(() => fisher({ beta: 1 })).toThrow(/'fisher.beta' = 1/);
    expect(() => fisher({ beta1: 0.9 } as never)).toThrow(/unknown option; fisher takes beta/);
  });
});
