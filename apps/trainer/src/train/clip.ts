import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Clips gradients by their global norm, as `torch.nn.utils.clip_grad_norm_`:
 * `total = √(Σ‖g‖²)`, and when `maxNorm / (total + 1e-6) < 1` every gradient is scaled by that factor.
 * Returns the new gradient map (inputs are disposed when replaced) and the norm before clipping.
 */
export function clipByGlobalNorm(grads: Record<string, Tensor>, maxNorm: number): { grads: Record<string, Tensor>; norm: number } {
  const tensors = Object.values(grads);
  if (tensors.length === 0) return { grads, norm: 0 };
  const norm = tf.tidy(() => Math.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g)))).dataSync()[0] as number));
  const coefficient = maxNorm / (norm + 1e-6);
  if (!(maxNorm > 0) || coefficient >= 1) return { grads, norm };
  const clipped: Record<string, Tensor> = {};
  for (const [name, g] of Object.entries(grads)) {
    clipped[name] = tf.mul(g, coefficient);
    g.dispose();
  }
  return { grads: clipped, norm };
}
