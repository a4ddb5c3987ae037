import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear } from './linear.js';

describe('Linear (the adaptable layer)', () => {
  beforeAll(async () => {
    await initBackend({ engine: 'cpu' });
  });
  // W = [[1, 2, 3], [4, 5, 6]] ([out 2, in 3]), b = [10, 20]; x = [1, 1, 2] → x·Wᵀ + b = [1+2+6+10, 4+5+12+20] = [19, 41].
  const make = (trainable = false) => {
    const kernel = tf.transpose(tf.tensor2d([[1, 2, 3], [4, 5, 6]]));
    const bias = tf.tensor1d([10, 20]);
    return trainable
      ? new Linear('layer.dense', 3, 2, tf.variable(kernel), tf.variable(bias), true)
      : new Linear('layer.dense', 3, 2, kernel, bias, false);
  };
  const x = () => tf.tensor2d([[1, 1, 2]]);

  it('computes x·Wᵀ + b from the [in, out] kernel and returns W in the PyTorch layout', () => {
    const layer = make();
    expect(Array.from(layer.apply(x(), { training: false }).dataSync())).toEqual([19, 41]);
    expect(layer.weightLayout).toBe('out-in');
    expect(layer.getWeight().arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(layer.getWeight()).toBe(layer.getWeight()); // frozen: one cached view
    layer.dispose();
  });

  it('adds the branch output and passes the context through', () => {
    const layer = make();
    const seen: unknown[] = [];
    layer.setBranch({ apply: (input: Tensor, context) => (seen.push(context), tf.mul(tf.slice(input, [0, 0], [-1, 2]), 100)), trainableVariables: () => [] });
    expect(Array.from(layer.apply(x(), { training: true, dropoutSeed: 7 }).dataSync())).toEqual([119, 141]);
    expect(seen).toEqual([{ training: true, dropoutSeed: 7 }]);
    layer.setBranch(null);
    expect(Array.from(layer.apply(x(), { training: false }).dataSync())).toEqual([19, 41]);
    layer.dispose();
  });

  it('setWeight takes an [out, in] weight (merge/unmerge), frees the old one, and checks the shape', () => {
    for (const trainable of [false, true]) {
      const layer = make(trainable);
      const view = layer.getWeight();
      const before = tf.memory().numTensors;
      layer.setWeight(tf.tensor2d([[0, 0, 1], [1, 0, 0]]));
      expect(view.isDisposed).toBe(true);
      expect(Array.from(layer.apply(x(), { training: false }).dataSync())).toEqual([12, 21]);
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 1); // the output above
      expect(() => layer.setWeight(tf.zeros([3, 2]))).toThrow(/layer\.dense\.weight: expected shape \[2, 3\]/);
      expect(layer.variables().length).toBe(trainable ? 2 : 0);
      layer.dispose();
    }
  });
});
