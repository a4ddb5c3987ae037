import * as tf from '@tensorflow/tfjs-core';
import { InvalidConfigError } from '@adalora/core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * Which orthogonal regulariser to use:
 * - `'code'` (default): what PEFT and the authors' loralib compute,
 *   `R = γ · (1/N) · Σ_{X ∈ all A and all B} ‖G(X) − I‖_F` (not squared), N = number of A plus B matrices;
 * - `'paper'`: the paper's eq. 4, `R = γ · Σ_k (‖PᵀP − I‖²_F + ‖QQᵀ − I‖²_F)` (squared, summed).
 */
export type OrthRegForm = 'code' | 'paper';

/** The factor matrices of one adapter as the regulariser sees them: A is r × d_in, B is d_out × r. */
export interface OrthFactors {
  readonly lora_A: Tensor;
  readonly lora_B: Tensor;
}

/**
 * The orthogonal regulariser of AdaLoRA (spec d) over every adapter's A and B, including the rows and
 * columns of masked triplets, with `G(A) = A·Aᵀ` and `G(B) = Bᵀ·B` (both r × r). Call it inside the loss
 * function you differentiate (`tf.variableGrads(() => taskLoss().add(orthogonalRegularization(...)))`):
 * the gradient for A is `γ/N · 2 (AAᵀ − I) A / ‖AAᵀ − I‖_F` in the code form. A rank-0 adapter (all
 * triplets pruned and resized away) adds 0 but still counts in N, as in PEFT. With `weight` 0 the result
 * is the constant 0 (no Gram matrices are formed).
 */
export function orthogonalRegularization(
  adapters: readonly OrthFactors[],
  options: { weight: number; form?: OrthRegForm },
): Scalar {
  const { weight } = options;
  const form = options.form ?? 'code';
  if (!(weight >= 0) || !Number.isFinite(weight)) {
    throw new InvalidConfigError({ field: 'orthRegWeight', value: weight, reason: 'must be a finite number ≥ 0' });
  }
  if (form !== 'code' && form !== 'paper') {
    throw new InvalidConfigError({ field: 'orthRegForm', value: form, reason: "expected 'code' or 'paper'" });
  }
  if (weight === 0 || adapters.length === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const terms: Scalar[] = [];
    for (const { lora_A, lora_B } of adapters) {
      const r = lora_A.shape[0] ?? 0;
      if (r === 0) continue;
      const eye = tf.eye(r);
      const gramA = tf.matMul(lora_A as Tensor2D, lora_A as Tensor2D, false, true);
      const gramB = tf.matMul(lora_B as Tensor2D, lora_B as Tensor2D, true, false);
      for (const gram of [gramA, gramB]) {
        const squared = tf.sum(tf.square(tf.sub(gram, eye)));
        terms.push((form === 'code' ? tf.sqrt(squared) : squared) as Scalar);
      }
    }
    if (terms.length === 0) return tf.scalar(0);
    const total = tf.addN(terms);
    const factor = form === 'code' ? weight / (2 * adapters.length) : weight;
    return tf.mul(total, factor) as Scalar;
  });
}
