import { UnsupportedInputError } from '@adalora/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkOptionKeys, checkUpdateInputs } from './check-inputs.js';
import type { ParamRole, ScoreFunction } from './score-function.js';

/** Options of `magnitude`. */
export interface MagnitudeOptions {
  /**
   * `true` (default): only E counts, A and B score 0, so the triplet score is `|E_i|` (the paper's
   * ablation `S_i = |λ_i|`). `false`: every entry scores `|w|` (plain weight-magnitude pruning).
   */
  readonly onlyE?: boolean;
}

/** State of `magnitude` for one parameter: its role and, if it is scored, a copy of its latest value. */
export interface MagnitudeState {
  readonly role: ParamRole;
  readonly shape: readonly number[];
  readonly value: Tensor | null;
}

/**
 * Magnitude score: `s(w) = |w|` for the latest value passed to `update` (the parameter's value at
 * `init` before that), with no memory of earlier steps. With `onlyE` (default) A and B score 0, so the
 * triplet score `tripletScores(sA, sE, sB)` reduces to `|E_i|`.
 *
 * Needs to know which factor a parameter is: `init(param, role)` with `role` `'A' | 'E' | 'B'` (the
 * adapters controller passes it); without it `init` throws.
 */
export function magnitude(options: MagnitudeOptions = {}): ScoreFunction<MagnitudeState> {
  checkOptionKeys('magnitude', options, ['onlyE']);
  const onlyE = options.onlyE ?? true;
  const scored = (role: ParamRole) => !onlyE || role === 'E';
  return {
    id: 'magnitude',
    specificationVersion: 'v1',
    init(param, role) {
      if (role !== 'A' && role !== 'E' && role !== 'B') {
        throw new UnsupportedInputError({
          source: 'magnitude.init(param, role)',
          expected: "role 'A', 'E' or 'B' (which factor of B·diag(E)·A the parameter is)",
          found: String(role),
        });
      }
      return { role, shape: [...param.shape], value: scored(role) ? tf.clone(param) : null };
    },
    update(state, value, grad) {
      checkUpdateInputs('magnitude', state.shape, value, grad);
      if (state.value === null) return state;
      const copy = tf.clone(value);
      state.value.dispose();
      return { ...state, value: copy };
    },
    score: (state) => (state.value === null ? tf.zeros(state.shape as number[]) : tf.abs(state.value)),
    dispose: (state) => state.value?.dispose(),
  };
}
