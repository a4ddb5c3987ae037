import { InvalidConfigError } from '@adalora/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkBeta, checkOptionKeys, checkUpdateInputs } from './check-inputs.js';
import { emaStep } from './ema.js';
import type { ScoreFunction } from './score-function.js';

/** Options of `gsnr`. */
export interface GsnrOptions {
  /** EMA coefficient of the gradient mean `m`, in (0, 1). Default 0.85. */
  readonly beta1?: number;
  /** EMA coefficient of the second moment `v`, in (0, 1). Default 0.85. */
  readonly beta2?: number;
  /** Added to the variance so a constant or zero gradient gives a finite score; > 0. Default 1e-12. */
  readonly eps?: number;
}

/** State of `gsnr` for one parameter: EMAs of the gradient and of its square. */
export interface GsnrState {
  readonly m: Tensor;
  readonly v: Tensor;
}

/**
 * Gradient signal-to-noise ratio (Liu et al. 2020), per entry with gradient `g`:
 *
 *     m_t = β1 · m_{t−1} + (1 − β1) · g_t
 *     v_t = β2 · v_{t−1} + (1 − β2) · g_t²
 *     s_t = m_t² / (max(v_t − m_t², 0) + eps)
 *
 * EMAs start at zero without bias correction (so after one step with β1 = β2 = 0.85 every entry with
 * g ≠ 0 scores 0.0225 / 0.1275 ≈ 0.176). In float32, `v − m²` cancels when the gradient barely varies;
 * the `max(·, 0)` keeps rounding from making it negative.
 */
export function gsnr(options: GsnrOptions = {}): ScoreFunction<GsnrState> {
  checkOptionKeys('gsnr', options, ['beta1', 'beta2', 'eps']);
  const beta1 = checkBeta('gsnr.beta1', options.beta1 ?? 0.85);
  const beta2 = checkBeta('gsnr.beta2', options.beta2 ?? 0.85);
  const eps = options.eps ?? 1e-12;
  // 1e-38 is about float32's smallest normal number: anything below rounds to (almost) zero.
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 1e-38) {
    throw new InvalidConfigError({ field: 'gsnr.eps', value: eps, reason: 'must be a finite number ≥ 1e-38 (representable in float32)' });
  }
  return {
    id: 'gsnr',
    specificationVersion: 'v1',
    init: (param) => ({ m: tf.zeros(param.shape), v: tf.zeros(param.shape) }),
    update(state, value, grad) {
      checkUpdateInputs('gsnr', state.m.shape, value, grad);
      const next = tf.tidy(() => ({ m: emaStep(state.m, grad, beta1), v: emaStep(state.v, tf.square(grad), beta2) }));
      tf.dispose([state.m, state.v]);
      return next;
    },
    score: (state) =>
      tf.tidy(() => {
        const signal = tf.square(state.m);
        return tf.div(signal, tf.add(tf.relu(tf.sub(state.v, signal)), eps));
      }),
    dispose: (state) => tf.dispose([state.m, state.v]),
  };
}
