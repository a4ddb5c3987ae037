import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@adalora/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { createAdamW, hfDecayRule } from './adamw.js';
import { clipByGlobalNorm } from './clip.js';
import { linearWarmupDecay } from './lr-schedule.js';

beforeAll(async () => {
  await initBackend({ engine: 'cpu' });
});

describe('AdamW', () => {
  it('matches hand-computed torch.optim.AdamW updates', () => {
    // p = 1, g = 0.5, lr = 0.1, λ = 0.01, β = (0.9, 0.999), ε = 1e-8.
    // Step 1: p·(1 − 0.001) = 0.999; m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25; update 0.5/(0.5+1e-8) ≈ 1
    //         → p = 0.999 − 0.1·(0.5/0.50000001) = 0.89900000200...
    const p = tf.variable(tf.scalar(1), true, 'w');
    const opt = createAdamW({ weightDecay: 0.01 });
    opt.apply([p], { w: tf.scalar(0.5) }, 0.1);
    const step1 = 0.999 - 0.1 * (0.5 / (0.5 + 1e-8));
    expect(p.dataSync()[0]).toBeCloseTo(step1, 6);
    // Step 2 with g = −1: m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001 = 0.00124975;
    // m̂ = −0.055/0.19 , v̂ = 0.00124975/0.001999
    opt.apply([p], { w: tf.scalar(-1) }, 0.1);
    const mHat = -0.055 / (1 - 0.9 ** 2);
    const vHat = 0.00124975 / (1 - 0.999 ** 2);
    const step2 = step1 * (1 - 0.001) - 0.1 * (mHat / (Math.sqrt(vHat) + 1e-8));
    expect(p.dataSync()[0]).toBeCloseTo(step2, 5);
    expect(opt.step).toBe(2);
    opt.dispose();
    p.dispose();
  });

  it('exempts biases and LayerNorm weights from decay (HF Trainer rule)', () => {
    expect(hfDecayRule('classifier.bias')).toBe(false);
    expect(hfDecayRule('deberta.encoder.layer.0.output.LayerNorm.weight')).toBe(false);
    expect(hfDecayRule('classifier.weight')).toBe(true);
    expect(hfDecayRule('layers.0.proj.lora_A')).toBe(true);
  });

  it('keeps the tensor count stable across steps', () => {
    const p = tf.variable(tf.ones([3, 4]), true, 'p');
    const opt = createAdamW({ weightDecay: 0.1 });
    const step = () => tf.tidy(() => opt.apply([p], { p: tf.onesLike(p) }, 0.01));
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    p.dispose();
  });
});

describe('linear warm-up and decay', () => {
  it('rises linearly, then falls linearly to zero', () => {
    const cfg = { base: 1e-3, warmupSteps: 10, totalSteps: 110 };
    expect(linearWarmupDecay(0, cfg)).toBe(0);
    expect(linearWarmupDecay(5, cfg)).toBeCloseTo(5e-4, 12);
    expect(linearWarmupDecay(10, cfg)).toBeCloseTo(1e-3, 12);
    expect(linearWarmupDecay(60, cfg)).toBeCloseTo(5e-4, 12);
    expect(linearWarmupDecay(110, cfg)).toBe(0);
    expect(linearWarmupDecay(200, cfg)).toBe(0);
    expect(linearWarmupDecay(0, { base: 1, warmupSteps: 0, totalSteps: 4 })).toBe(1);
  });
});

describe('global-norm clipping', () => {
  it('scales every gradient by maxNorm / norm when the norm is larger', () => {
    // ‖(3, 4)‖ = 5 → factor 1/(5 + 1e-6)
    const { grads, norm } = clipByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(grads.a?.dataSync()[0]).toBeCloseTo(0.6, 5);
    expect(grads.b?.dataSync()[0]).toBeCloseTo(0.8, 5);
    const small = clipByGlobalNorm({ a: tf.tensor1d([0.3]) }, 1);
    expect(small.grads.a?.dataSync()[0]).toBeCloseTo(0.3, 6);
  });
});
