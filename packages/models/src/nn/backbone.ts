import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkpoint } from '@adalora/tensor';
import { encoderLayer, layerBranchVariables, type EncoderLayerWeights, type LayerCall } from './encoder-layer.js';
import type { Linear } from './linear.js';

/** Validated model inputs. */
export interface PreparedInputs {
  /** `[B, L]` int32. */
  readonly inputIds: Tensor;
  /** The ids, row-major (already read for validation; RoBERTa derives position ids from them). */
  readonly ids: Int32Array;
  /** `[B, L]` float32, 1 for real tokens and 0 for padding. */
  readonly mask: Tensor;
  /** `[B, L]` int32, or null when not given. */
  readonly tokenTypeIds: Tensor | null;
  readonly batch: number;
  readonly length: number;
}

/** Options of one backbone call. */
export interface BackboneCall {
  readonly training: boolean;
  /** Base seed of every dropout mask of this call. */
  readonly seed: number;
  /** Recompute each layer in the backward pass instead of keeping its activations (training only). */
  readonly checkpointing: boolean;
  readonly outputHiddenStates: boolean;
  readonly outputAttentions: boolean;
}

/** What an encoder backbone returns. */
export interface BackboneOutputs {
  /** `[B, L, H]`. */
  readonly lastHiddenState: Tensor;
  /** Embedding output then every layer's output, each `[B, L, H]` (when asked). */
  readonly hiddenStates?: Tensor[];
  /** Every layer's attention probabilities `[B, nh, L, L]` (when asked, and not with checkpointing). */
  readonly attentions?: Tensor[];
}

/** An encoder (embeddings + transformer layers) without task head. */
export interface Backbone {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly typeVocabSize: number;
  /** Runs the encoder; the caller owns the returned tensors. */
  forward(inputs: PreparedInputs, call: BackboneCall): BackboneOutputs;
  /** Every linear layer of the backbone, in parameter order. */
  linears(): Linear[];
  dispose(): void;
}

/** `[1, B, 1, L]`: 0 where the key is a real token, −1e30 where it is padding (added to the attention scores). */
export function keyMaskBias(mask: Tensor): Tensor {
  const [b, l] = mask.shape as [number, number];
  return tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, mask), -1e30), [1, b, 1, l]));
}

/**
 * Runs the layers in order, each as one gradient-checkpointed block in training when asked (the
 * block's branch variables are passed to `checkpoint` so their gradients come out of the recomputation),
 * and calls `after(i, output)` after layer i (DeBERTa's ConvLayer hooks in there).
 */
export function runLayers(
  layers: readonly EncoderLayerWeights[],
  input: Tensor,
  callFor: (i: number) => LayerCall,
  call: BackboneCall,
  after: (i: number, output: Tensor) => Tensor = (_, output) => output,
): { last: Tensor; states: Tensor[]; attentions: Tensor[] } {
  const states: Tensor[] = [];
  const attentions: Tensor[] = [];
  let hidden = input;
  layers.forEach((weights, i) => {
    const record = call.outputAttentions && !(call.training && call.checkpointing) ? (p: Tensor) => attentions.push(p) : undefined;
    const layerCall: LayerCall = record === undefined ? callFor(i) : { ...callFor(i), recordAttention: record };
    let out: Tensor;
    if (call.training && call.checkpointing) {
      // Tensors the layer reads besides its input (mask bias, relative table) are inputs of the block too:
      // `checkpoint` keeps its inputs for the recomputation, while the forward pass's tidy frees the rest.
      const rel = layerCall.relative;
      const block = checkpoint(
        (h: Tensor, bias: Tensor, table?: Tensor) =>
          encoderLayer(weights, h, { ...layerCall, keyMaskBias: bias, relative: rel === null || table === undefined ? null : { ...rel, table } }),
        { params: () => layerBranchVariables(weights) },
      );
      out = rel === null ? block(hidden, layerCall.keyMaskBias) : block(hidden, layerCall.keyMaskBias, rel.table);
    } else {
      out = encoderLayer(weights, hidden, layerCall);
    }
    hidden = after(i, out);
    if (call.outputHiddenStates) states.push(hidden);
  });
  return { last: hidden, states, attentions };
}
