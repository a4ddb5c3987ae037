import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkBeta, checkOptionKeys, checkUpdateInputs } from './check-inputs.js';
import { emaStep } from './ema.js';
import type { ScoreFunction } from './score-function.js';

/** Options of `sensitivity`. */
export interface SensitivityOptions {
  /** EMA coefficient of the sensitivity `Ī`, in (0, 1). Default 0.85 (paper, PEFT). */
  readonly beta1?: number;
  /** EMA coefficient of the uncertainty `Ū`, in (0, 1). Default 0.85. */
  readonly beta2?: number;
  /**
   * Multiply by the uncertainty `Ū` (default true, AdaLoRA's score). `false` gives the paper's ablation
   * "s(·) = I(·)": the smoothed sensitivity `Ī` alone.
   */
  readonly uncertainty?: boolean;
}

/** State of `sensitivity` for one parameter: the two EMAs (zero-initialised). */
export interface SensitivityState {
  readonly ipt: Tensor;
  readonly unc: Tensor;
}

/**
 * AdaLoRA's own importance score (paper eq. 6–8; PEFT/loralib `update_ipt`), per entry `w` with
 * gradient `g`:
 *
 *     I_t = |w · g|
 *     Ī_t = β1 · Ī_{t−1} + (1 − β1) · I_t
 *     Ū_t = β2 · Ū_{t−1} + (1 − β2) · |I_t − Ī_t|      (with the already-updated Ī_t)
 *     s_t = Ī_t · Ū_t                                    (Ī_t alone with `uncertainty: false`)
 *
 * Both EMAs start at zero, without bias correction.
 */
export function sensitivity(options: SensitivityOptions = {}): ScoreFunction<SensitivityState> {
  checkOptionKeys('sensitivity', options, ['beta1', 'beta2', 'uncertainty']);
  const beta1 = checkBeta('sensitivity.beta1', options.beta1 ?? 0.85);
  const beta2 = checkBeta('sensitivity.beta2', options.beta2 ?? 0.85);
  const useUncertainty = options.uncertainty ?? true;
  return {
    id: 'sensitivity',
    specificationVersion: 'v1',
    init: (param) => ({ ipt: tf.zeros(param.shape), unc: tf.zeros(param.shape) }),
    update(state, value, grad) {
      checkUpdateInputs('sensitivity', state.ipt.shape, value, grad);
      const next = tf.tidy(() => {
        const ipt = tf.abs(tf.mul(value, grad));
        const avg = emaStep(state.ipt, ipt, beta1);
        return { ipt: avg, unc: emaStep(state.unc, tf.abs(tf.sub(ipt, avg)), beta2) };
      });
      tf.dispose([state.ipt, state.unc]);
      return next;
    },
    score: (state) => (useUncertainty ? tf.mul(state.ipt, state.unc) : tf.clone(state.ipt)),
    dispose: (state) => tf.dispose([state.ipt, state.unc]),
  };
}
