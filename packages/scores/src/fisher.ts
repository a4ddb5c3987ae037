import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkBeta, checkOptionKeys, checkUpdateInputs } from './check-inputs.js';
import { emaStep } from './ema.js';
import type { ScoreFunction } from './score-function.js';

/** Options of `fisher`. */
export interface FisherOptions {
  /** EMA coefficient, in (0, 1). Default 0.85. */
  readonly beta?: number;
}

/** State of `fisher` for one parameter: the EMA of the squared gradient. */
export interface FisherState {
  readonly acc: Tensor;
}

/**
 * Empirical Fisher information (diagonal), estimated with an EMA of the squared gradient:
 *
 *     s_t = β · s_{t−1} + (1 − β) · g_t²        (s_{−1} = 0, no bias correction)
 *
 * Ignores the parameter's value: it measures how strongly the loss reacts to the entry.
 */
export function fisher(options: FisherOptions = {}): ScoreFunction<FisherState> {
  checkOptionKeys('fisher', options, ['beta']);
  const beta = checkBeta('fisher.beta', options.beta ?? 0.85);
  return {
    id: 'fisher',
    specificationVersion: 'v1',
    init: (param) => ({ acc: tf.zeros(param.shape) }),
    update(state, value, grad) {
      checkUpdateInputs('fisher', state.acc.shape, value, grad);
      const acc = tf.tidy(() => emaStep(state.acc, tf.square(grad), beta));
      state.acc.dispose();
      return { acc };
    },
    score: (state) => tf.clone(state.acc),
    dispose: (state) => state.acc.dispose(),
  };
}
