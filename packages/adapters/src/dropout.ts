import * as tf from '@tensorflow/tfjs-core';
import type { BranchContext } from '@adalora/core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * The adapter branch's input after dropout: identity outside training or when `rate` is 0, otherwise
 * inverted dropout (`x · mask / (1 − rate)`, mask ~ Bernoulli(1 − rate)) with the seed the model passes
 * in `context.dropoutSeed`, so a recomputation (gradient checkpointing) draws the same mask. Dropout acts
 * on the adapter input only; the frozen base path never sees it (PEFT and loralib do the same).
 */
export function adapterDropout(x: Tensor, rate: number, context: BranchContext): Tensor {
  if (!context.training || rate === 0) return x;
  return tf.dropout(x, rate, undefined, context.dropoutSeed);
}
