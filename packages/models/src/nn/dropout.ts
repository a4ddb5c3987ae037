import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Inverted dropout with a fixed seed: in training, zeroes each element with probability `rate` and
 * scales the rest by 1/(1 − rate); otherwise (or with rate 0) returns `x` unchanged.
 *
 * The mask is a function of `seed` only, so gradient checkpointing, which runs a layer again in the
 * backward pass, reproduces the masks of the forward pass.
 */
export function seededDropout(x: Tensor, rate: number, training: boolean, seed: number): Tensor {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, seed);
}
