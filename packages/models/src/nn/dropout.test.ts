import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededDropout } from './dropout.js';

describe('seededDropout', () => {
  beforeAll(async () => {
    await initBackend({ engine: 'cpu' });
  });

  it('keeps about 1 − rate of the elements, scaled by 1/(1 − rate), and is a function of the seed', () => {
    const x = tf.ones([200, 500]);
    const y = seededDropout(x, 0.1, true, 42);
    const values = y.dataSync();
    const kept = values.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.9) < 1e-6)).toBe(true);
    // 100 000 Bernoulli(0.9) draws: the kept fraction is within 5 standard deviations (~0.0047) of 0.9.
    expect(Math.abs(kept.length / values.length - 0.9)).toBeLessThan(0.005);
    expect(Array.from(seededDropout(x, 0.1, true, 42).dataSync())).toEqual(Array.from(values));
    expect(Array.from(seededDropout(x, 0.1, true, 43).dataSync())).not.toEqual(Array.from(values));
    tf.dispose([x, y]);
  });

  it('is the identity in eval mode or with rate 0, and zeroes everything at rate 1', () => {
    const x = tf.tensor([1, 2, 3]);
    expect(seededDropout(x, 0.5, false, 1)).toBe(x);
    expect(seededDropout(x, 0, true, 1)).toBe(x);
    expect(Array.from(seededDropout(x, 1, true, 1).dataSync())).toEqual([0, 0, 0]);
    x.dispose();
  });
});
