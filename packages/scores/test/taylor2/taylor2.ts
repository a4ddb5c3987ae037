import { checkUpdateInputs, type ScoreFunction } from '@adalora/scores';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** Second-order Taylor score: s_t = β·s_{t−1} + (1 − β)·(w·g)², started at zero. */
export function taylor2({ beta = 0.85 }: { beta?: number } = {}): ScoreFunction<{ acc: Tensor }> {
  if (!(beta > 0 && beta < 1)) throw new RangeError(`taylor2: beta must be in (0, 1), got ${beta}`);
  return {
    id: 'taylor2',
    specificationVersion: 'v1',
    init: (param) => ({ acc: tf.zeros(param.shape) }),
    update(state, value, grad) {
      checkUpdateInputs('taylor2', state.acc.shape, value, grad); // no silent broadcasting
      const acc = tf.tidy(() => tf.add(tf.mul(state.acc, beta), tf.mul(tf.square(tf.mul(value, grad)), 1 - beta)));
      state.acc.dispose(); // update disposes what it replaces
      return { acc };
    },
    score: (state) => tf.clone(state.acc), // a new tensor, owned by the caller
    dispose: (state) => state.acc.dispose(),
  };
}
