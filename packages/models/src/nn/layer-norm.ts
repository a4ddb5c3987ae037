import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Layer normalisation over the last axis, as PyTorch's `nn.LayerNorm`:
 * y = (x − mean) / sqrt(var + eps) · weight + bias, with the biased variance.
 *
 * tfjs-core has no layer-norm op, so it is built from `moments`; `eps` comes from the model config
 * (1e-7 DeBERTa, 1e-12 BERT, 1e-5 RoBERTa; tfjs-layers' default 1e-3 would be wrong for all of them).
 */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number): Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const { mean, variance } = tf.moments(x, axis, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, weight), bias);
  });
}
