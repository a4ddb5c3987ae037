import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * One step of an exponential moving average started at zero, without bias correction:
 * `β · previous + (1 − β) · x`. Call inside `tf.tidy`.
 */
export function emaStep(previous: Tensor, x: Tensor, beta: number): Tensor {
  return tf.add(tf.mul(previous, beta), tf.mul(x, 1 - beta));
}
