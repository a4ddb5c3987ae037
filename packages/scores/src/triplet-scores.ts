import { UnsupportedInputError } from '@adalora/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * AdaLoRA's triplet score (paper eq. 9, PEFT/loralib `_combine_ipt`) from the element scores of one
 * adapted matrix: for triplet `i`,
 *
 *     S_i = sE_i + mean_{j=1..d_in} sA_ij + mean_{j=1..d_out} sB_ji
 *
 * with `sA` of shape `[r, d_in]` (A's rows), `sB` of shape `[d_out, r]` (B's columns) and `sE` of shape
 * `[r]` or `[r, 1]` (PEFT stores E as a column). Means, not sums, keep the score independent of the
 * matrix size. Returns the `r` scores as a fresh `Float32Array` (one synchronous read); creates no
 * tensor that outlives the call and disposes none of its inputs.
 */
export function tripletScores(sA: Tensor, sE: Tensor, sB: Tensor): Float32Array {
  const r = sA.rank === 2 ? (sA.shape[0] as number) : -1;
  const eOk = (sE.rank === 1 && sE.shape[0] === r) || (sE.rank === 2 && sE.shape[0] === r && sE.shape[1] === 1);
  if (r < 0 || !eOk || sB.rank !== 2 || sB.shape[1] !== r) {
    throw new UnsupportedInputError({
      source: 'tripletScores(sA, sE, sB)',
      expected: 'sA [r, d_in], sE [r] or [r, 1], sB [d_out, r] with the same r',
      found: `sA [${sA.shape.join(', ')}], sE [${sE.shape.join(', ')}], sB [${sB.shape.join(', ')}]`,
    });
  }
  const combined = tf.tidy(() => tf.add(tf.add(tf.reshape(sE, [r]), tf.mean(sA, 1)), tf.mean(sB, 0)));
  try {
    return Float32Array.from(combined.dataSync());
  } finally {
    combined.dispose();
  }
}
