import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tripletScores } from './triplet-scores.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tripletScores(sA, sE, sB)', () => {
  // r = 2, d_in = 3, d_out = 2: S_i = sE_i + mean(sA[i, :]) + mean(sB[:, i])
  const sA = () => tf.tensor2d([[1, 2, 3], [0, 0, 6]]); // row means 2, 2
  const sB = () => tf.tensor2d([[4, 1], [8, 3]]); // column means 6, 2
  const cases: Array<[string, () => tf.Tensor]> = [
    ['E as [r]', () => tf.tensor1d([10, 20])],
    ['E as [r, 1] (PEFT layout)', () => tf.tensor2d([[10], [20]])],
  ];

  for (const [label, sE] of cases) {
    it(`${label}: [10 + 2 + 6, 20 + 2 + 2] = [18, 24], creating and disposing nothing of the caller's`, () => {
      const inputs = [sA(), sE(), sB()] as [tf.Tensor, tf.Tensor, tf.Tensor];
      const before = tf.memory().numTensors;
      const scores = tripletScores(...inputs);
      expect(scores).toBeInstanceOf(Float32Array);
      expect(Array.from(scores)).toEqual([18, 24]);
      expect(tf.memory().numTensors).toBe(before);
      expect(inputs.every((t) => !t.isDisposed)).toBe(true);
      tf.dispose(inputs);
    });
  }

  it('signed scores may cancel in the means (movement): that is kept, not clipped', () => {
    const inputs = [tf.tensor2d([[1, -1]]), tf.tensor1d([-0.5]), tf.tensor2d([[2], [-4]])] as [tf.Tensor, tf.Tensor, tf.Tensor];
    expect(Array.from(tripletScores(...inputs))).toEqual([-1.5]);
    tf.dispose(inputs);
  });

  it.each([
    ['A of rank 1', [3], [2], [2, 2]],
    ['E of another r', [2, 3], [3], [2, 2]],
    ['E as a row [1, r]', [2, 3], [1, 2], [2, 2]],
    ['B transposed', [2, 3], [2], [2, 3]],
  ])('rejects %s, printing all three shapes', (_label, a, e, b) => {
    const inputs = [tf.zeros(a), tf.zeros(e), tf.zeros(b)] as [tf.Tensor, tf.Tensor, tf.Tensor];
    expect(() => tripletScores(...inputs)).toThrow(
      new RegExp(`expected sA \\[r, d_in\\], sE \\[r\\] or \\[r, 1\\], sB \\[d_out, r\\] with the same r, found sA \\[${a.join(', ')}\\], sE \\[${e.join(', ')}\\], sB \\[${b.join(', ')}\\]`),
    );
    tf.dispose(inputs);
  });
});
