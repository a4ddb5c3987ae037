import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidConfigError } from '@adalora/core';
import { gelu } from '@adalora/tensor-native';

/** An elementwise activation function. */
export type Activation = (x: Tensor) => Tensor;

/**
 * Exact GELU, 0.5·x·(1 + erf(x/√2)) (transformers' `gelu`, PyTorch's default `F.gelu`): `@adalora/tensor-native`'s,
 * fused where its native kernels are installed, from tfjs-core ops elsewhere.
 */
export { gelu };

/** Tanh-approximated GELU, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (transformers' `gelu_new`). */
export function geluTanh(x: Tensor): Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

const activations: Record<string, Activation> = {
  gelu,
  gelu_python: gelu,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluTanh,
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
};

/** The activation transformers' `ACT2FN[name]` computes; throws `InvalidConfigError` naming `field` for an unknown name. */
export function activationByName(name: string, field: string): Activation {
  const fn = activations[name];
  if (fn === undefined) {
    throw new InvalidConfigError({ field, value: name, reason: `expected one of ${Object.keys(activations).join(', ')}` });
  }
  return fn;
}
