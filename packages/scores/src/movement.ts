import { InvalidConfigError } from '@adalora/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkBeta, checkOptionKeys, checkUpdateInputs } from './check-inputs.js';
import { emaStep } from './ema.js';
import type { ScoreFunction } from './score-function.js';

/** Options of `movement`. */
export interface MovementOptions {
  /** EMA coefficient, in (0, 1), used with `accumulate: 'ema'`. Default 0.85. */
  readonly beta?: number;
  /** `'ema'` (default): exponential moving average; `'sum'`: plain sum over steps (movement pruning's form). */
  readonly accumulate?: 'ema' | 'sum';
}

/** State of `movement` for one parameter: the accumulated `−w·g`. */
export interface MovementState {
  readonly acc: Tensor;
}

/**
 * Movement score (Sanh et al. 2020, "Movement Pruning"), per entry `w` with gradient `g`:
 *
 *     x_t = −w · g
 *     'ema':  s_t = β · s_{t−1} + (1 − β) · x_t       (s_{−1} = 0, no bias correction)
 *     'sum':  s_t = s_{t−1} + x_t
 *
 * Signed: an entry moving away from zero scores high, one moving towards zero scores negative. The
 * triplet aggregation then averages signed values, so A/B means may cancel; that is intended, and the
 * global threshold is taken over the raw signed triplet scores.
 */
export function movement(options: MovementOptions = {}): ScoreFunction<MovementState> {
  checkOptionKeys('movement', options, ['beta', 'accumulate']);
  const beta = checkBeta('movement.beta', options.beta ?? 0.85);
  const accumulate = options.accumulate ?? 'ema';
  if (accumulate !== 'ema' && accumulate !== 'sum') {
    throw new InvalidConfigError({ field: 'movement.accumulate', value: accumulate, reason: "must be 'ema' or 'sum'" });
  }
  return {
    id: 'movement',
    specificationVersion: 'v1',
    init: (param) => ({ acc: tf.zeros(param.shape) }),
    update(state, value, grad) {
      checkUpdateInputs('movement', state.acc.shape, value, grad);
      const acc = tf.tidy(() => {
        const x = tf.neg(tf.mul(value, grad));
        return accumulate === 'ema' ? emaStep(state.acc, x, beta) : tf.add(state.acc, x);
      });
      state.acc.dispose();
      return { acc };
    },
    score: (state) => tf.clone(state.acc),
    dispose: (state) => state.acc.dispose(),
  };
}
