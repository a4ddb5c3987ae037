import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { BranchContext } from '@adalora/core';
import type { Activation } from './activations.js';
import { seededDropout } from './dropout.js';
import { layerNorm } from './layer-norm.js';
import type { Linear } from './linear.js';
import { deriveSeed } from './seed.js';

/** LayerNorm parameters. */
export interface Norm {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly eps: number;
}

/** The weights of one post-LN transformer encoder layer (BERT, RoBERTa, DeBERTa). */
export interface EncoderLayerWeights {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly attentionOutput: Linear;
  readonly attentionNorm: Norm;
  readonly intermediate: Linear;
  readonly output: Linear;
  readonly outputNorm: Norm;
  /** DeBERTa with `share_att_key` false: separate projections of the relative embeddings. */
  readonly posKey: Linear | null;
  readonly posQuery: Linear | null;
}

/** DeBERTa's disentangled attention inputs, shared by all layers of one forward pass. */
export interface RelativeAttention {
  /** Rows lo..hi of the (normalised) relative-embedding table, `[nr, H]`. */
  readonly table: Tensor;
  /** `[L·L]` int32 indices into the `[L·nr]` rows of the transposed c2p scores, or null without c2p. */
  readonly c2pIndex: Tensor | null;
  /** Same for p2c. */
  readonly p2cIndex: Tensor | null;
  /** `share_att_key`: project the table with the layer's own query/key projections. */
  readonly shareAttKey: boolean;
}

/** Everything a layer call needs besides its weights and input. */
export interface LayerCall {
  readonly training: boolean;
  /** Seed of this layer in this call; every dropout mask and branch seed derives from it. */
  readonly seed: number;
  /** `[1, B, 1, L]`: 0 for real keys, a large negative number for padded keys. */
  readonly keyMaskBias: Tensor;
  readonly numHeads: number;
  readonly headSize: number;
  /** The attention scores are divided by this: √d (BERT) or √(d·(1 + #c2p + #p2c)) (DeBERTa). */
  readonly scale: number;
  readonly attentionDropout: number;
  readonly hiddenDropout: number;
  readonly activation: Activation;
  readonly relative: RelativeAttention | null;
  /** Called with the attention probabilities `[B, nh, L, L]` (kept; the receiver disposes them). */
  readonly recordAttention?: (probs: Tensor) => void;
}

/** Dropout sites of a layer (`deriveSeed(layerSeed, site)`). */
const site = { relative: 1, probs: 2, attentionOutput: 3, output: 4, branch: 100 } as const;

/** The variables of the branches installed on a layer's linears (for gradient checkpointing). */
export function layerBranchVariables(w: EncoderLayerWeights): Variable[] {
  const linears = [w.query, w.key, w.value, w.attentionOutput, w.intermediate, w.output, w.posKey, w.posQuery];
  return linears.flatMap((l) => (l === null ? [] : l.branchVariables()));
}

/** [B, L, nh·d] → [nh·B, L, d] (head-major, so one batched matmul covers every head and example). */
function splitHeads(x: Tensor, numHeads: number, headSize: number): Tensor {
  const [b, l] = x.shape as [number, number, number];
  return tf.reshape(tf.transpose(tf.reshape(x, [b, l, numHeads, headSize]), [2, 0, 1, 3]), [numHeads * b, l, headSize]);
}

/** [nr, nh·d] → [nh, nr, d]. */
function splitTableHeads(x: Tensor, numHeads: number, headSize: number): Tensor {
  const nr = x.shape[0] as number;
  return tf.transpose(tf.reshape(x, [nr, numHeads, headSize]), [1, 0, 2]);
}

/**
 * out[h·B + b, i, j] = scores[h, b·L + row(i, j), col(i, j)] for scores `[nh, B·L, nr]`, where `index`
 * holds row·nr + col for every (i, j): one `gather` along axis 1 of the `[nh·B, L·nr]` view, so the index
 * stays `[L·L]` whatever the batch and head count (tfjs's `gather` with batchDims > 0 has broken
 * gradients, and `gatherND` has none).
 */
function gatherRelative(scores: Tensor, index: Tensor, numHeads: number, batch: number, length: number): Tensor {
  const nr = scores.shape[2] as number;
  const picked = tf.gather(tf.reshape(scores, [numHeads * batch, length * nr]), index, 1);
  return tf.reshape(picked, [numHeads * batch, length, length]);
}

/**
 * One encoder layer, as transformers computes it:
 * attention = LayerNorm(dropout(dense(softmax(scores + mask)·V)) + x),
 * out = LayerNorm(dropout(dense₂(act(dense₁(attention)))) + attention),
 * with scores = (Q·Kᵀ [+ c2p + p2c]) / scale. For DeBERTa, c2p[i, j] = Q_i·Kr[δ(i, j)] and
 * p2c[i, j] = K_j·Qr[δ(i, j)], where Kr/Qr project the relative-embedding table (with the layer's own
 * key/query projections when `share_att_key`, branches included). Deterministic given `call.seed`.
 */
export function encoderLayer(w: EncoderLayerWeights, x: Tensor, call: LayerCall): Tensor {
  return tf.tidy(() => {
    const [batch, length] = x.shape as [number, number, number];
    const { numHeads: nh, headSize: d, training } = call;
    let linearIndex = 0;
    const branch = (): BranchContext => ({ training, dropoutSeed: deriveSeed(call.seed, site.branch + linearIndex++) });
    const q = splitHeads(w.query.apply(x, branch()), nh, d);
    const k = splitHeads(w.key.apply(x, branch()), nh, d);
    const v = splitHeads(w.value.apply(x, branch()), nh, d);
    let scores = tf.matMul(q, k, false, true);
    const rel = call.relative;
    if (rel !== null) {
      const table = seededDropout(rel.table, call.hiddenDropout, training, deriveSeed(call.seed, site.relative));
      if (rel.c2pIndex !== null) {
        const projection = rel.shareAttKey ? w.key : (w.posKey as Linear);
        const kr = splitTableHeads(projection.apply(table, branch()), nh, d);
        const c2p = tf.matMul(tf.reshape(q, [nh, batch * length, d]), kr, false, true);
        scores = tf.add(scores, gatherRelative(c2p, rel.c2pIndex, nh, batch, length));
      }
      if (rel.p2cIndex !== null) {
        const projection = rel.shareAttKey ? w.query : (w.posQuery as Linear);
        const qr = splitTableHeads(projection.apply(table, branch()), nh, d);
        const p2c = tf.matMul(tf.reshape(k, [nh, batch * length, d]), qr, false, true);
        scores = tf.add(scores, gatherRelative(p2c, rel.p2cIndex, nh, batch, length));
      }
    }
    scores = tf.add(tf.reshape(tf.mul(scores, 1 / call.scale), [nh, batch, length, length]), call.keyMaskBias);
    let probs = tf.softmax(scores);
    if (call.recordAttention !== undefined) call.recordAttention(tf.keep(tf.transpose(probs, [1, 0, 2, 3])));
    probs = seededDropout(probs, call.attentionDropout, training, deriveSeed(call.seed, site.probs));
    const context = tf.matMul(tf.reshape(probs, [nh * batch, length, length]), v);
    const merged = tf.reshape(tf.transpose(tf.reshape(context, [nh, batch, length, d]), [1, 2, 0, 3]), [batch, length, nh * d]);
    const attnOut = seededDropout(w.attentionOutput.apply(merged, branch()), call.hiddenDropout, training, deriveSeed(call.seed, site.attentionOutput));
    const attention = layerNorm(tf.add(attnOut, x), w.attentionNorm.weight, w.attentionNorm.bias, w.attentionNorm.eps);
    const hidden = call.activation(w.intermediate.apply(attention, branch()));
    const out = seededDropout(w.output.apply(hidden, branch()), call.hiddenDropout, training, deriveSeed(call.seed, site.output));
    return layerNorm(tf.add(out, attention), w.outputNorm.weight, w.outputNorm.bias, w.outputNorm.eps);
  });
}

/** Disposes a layer's weights. */
export function disposeLayer(w: EncoderLayerWeights): void {
  for (const l of [w.query, w.key, w.value, w.attentionOutput, w.intermediate, w.output, w.posKey, w.posQuery]) l?.dispose();
  for (const n of [w.attentionNorm, w.outputNorm]) {
    n.weight.dispose();
    n.bias.dispose();
  }
}
