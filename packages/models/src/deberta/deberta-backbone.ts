import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { UnsupportedInputError } from '@adalora/core';
import type { DebertaV2Config } from '../config/deberta-config.js';
import { activationByName, type Activation } from '../nn/activations.js';
import { keyMaskBias, runLayers, type Backbone, type BackboneCall, type BackboneOutputs, type PreparedInputs } from '../nn/backbone.js';
import { seededDropout } from '../nn/dropout.js';
import { disposeLayer, type EncoderLayerWeights, type Norm, type RelativeAttention } from '../nn/encoder-layer.js';
import { layerNorm } from '../nn/layer-norm.js';
import type { Linear } from '../nn/linear.js';
import { deriveSeed } from '../nn/seed.js';
import type { WeightLoader } from '../weights/weight-loader.js';
import { relativeIndex, type RelativeSettings } from './relative-position.js';

/** Seed sites of the backbone (layers use their index). */
const site = { embeddings: 1_000_001, conv: 1_000_002, layerBase: 0 } as const;

interface ConvLayer {
  /** Per group: filter `[ks, H/g, H/g]`. */
  readonly filters: Tensor[];
  readonly bias: Tensor;
  readonly norm: Norm;
  readonly kernelSize: number;
  readonly activation: Activation;
}

/**
 * The DeBERTa-v2/v3 encoder (transformers' `DebertaV2Model`): embeddings (word, optional absolute
 * positions and token types, optional `embed_proj`, LayerNorm, padding mask), relative disentangled
 * attention layers with log-bucketed positions, and the ConvLayer of v2-xlarge/xxlarge after layer 0.
 */
export class DebertaV2Backbone implements Backbone {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly typeVocabSize: number;
  private readonly wordEmbeddings: Tensor;
  private readonly positionEmbeddings: Tensor | null;
  private readonly tokenTypeEmbeddings: Tensor | null;
  private readonly embedProj: Linear | null;
  private readonly embeddingNorm: Norm;
  private readonly relEmbeddings: Tensor | null;
  private readonly relNorm: Norm | null;
  private readonly layers: EncoderLayerWeights[];
  private readonly conv: ConvLayer | null;
  private readonly activation: Activation;
  private readonly settings: RelativeSettings;
  private readonly indexCache = new Map<number, { c2p: Tensor | null; p2c: Tensor | null; lo: number; hi: number }>();

  /** Builds the encoder from `loader`, with tensor names prefixed by `prefix` (`'deberta.'` or `''`). */
  constructor(
    readonly config: DebertaV2Config,
    loader: WeightLoader,
    prefix: string,
  ) {
    const c = config;
    const H = c.hiddenSize;
    const E = c.embeddingSize;
    const eps = c.layerNormEps;
    this.hiddenSize = H;
    this.vocabSize = c.vocabSize;
    this.typeVocabSize = c.typeVocabSize;
    this.activation = activationByName(c.hiddenAct, 'hidden_act');
    const p = `${prefix}embeddings.`;
    this.wordEmbeddings = loader.tensor(`${p}word_embeddings.weight`, [c.vocabSize, E], 'normal', 'backbone');
    this.positionEmbeddings = c.positionBiasedInput ? loader.tensor(`${p}position_embeddings.weight`, [c.maxPositionEmbeddings, E], 'normal', 'backbone') : null;
    this.tokenTypeEmbeddings = c.typeVocabSize > 0 ? loader.tensor(`${p}token_type_embeddings.weight`, [c.typeVocabSize, E], 'normal', 'backbone') : null;
    this.embedProj = E !== H ? loader.linear(`${p}embed_proj`, E, H, { bias: false, role: 'backbone' }) : null;
    this.embeddingNorm = loader.norm(`${p}LayerNorm`, H, eps);
    const span = c.positionBuckets > 0 ? c.positionBuckets : c.maxRelativePositions;
    this.settings = { positionBuckets: c.positionBuckets, maxRelativePositions: c.maxRelativePositions, span };
    const e = `${prefix}encoder.`;
    this.relEmbeddings = c.relativeAttention ? loader.tensor(`${e}rel_embeddings.weight`, [2 * span, H], 'normal', 'backbone') : null;
    this.relNorm = c.normRelEbd.includes('layer_norm') ? loader.norm(`${e}LayerNorm`, H, eps) : null;
    const allHead = c.numAttentionHeads * c.attentionHeadSize;
    const c2p = c.posAttType.includes('c2p');
    const p2c = c.posAttType.includes('p2c');
    this.layers = [];
    for (let i = 0; i < c.numHiddenLayers; i++) {
      const l = `${e}layer.${i}.`;
      const linear = (name: string, inF: number, outF: number) => loader.linear(`${l}${name}`, inF, outF, { role: 'backbone' });
      this.layers.push({
        query: linear('attention.self.query_proj', H, allHead),
        key: linear('attention.self.key_proj', H, allHead),
        value: linear('attention.self.value_proj', H, allHead),
        posKey: c.relativeAttention && !c.shareAttKey && c2p ? linear('attention.self.pos_key_proj', H, allHead) : null,
        posQuery: c.relativeAttention && !c.shareAttKey && p2c ? linear('attention.self.pos_query_proj', H, allHead) : null,
        attentionOutput: linear('attention.output.dense', allHead, H),
        attentionNorm: loader.norm(`${l}attention.output.LayerNorm`, H, eps),
        intermediate: linear('intermediate.dense', H, c.intermediateSize),
        output: linear('output.dense', c.intermediateSize, H),
        outputNorm: loader.norm(`${l}output.LayerNorm`, H, eps),
      });
    }
    this.conv = c.convKernelSize > 0 ? convLayer(loader, `${e}conv.`, c) : null;
  }

  linears(): Linear[] {
    const out: Linear[] = [];
    if (this.embedProj !== null) out.push(this.embedProj);
    for (const w of this.layers) {
      out.push(w.query, w.key, w.value);
      if (w.posKey !== null) out.push(w.posKey);
      if (w.posQuery !== null) out.push(w.posQuery);
      out.push(w.attentionOutput, w.intermediate, w.output);
    }
    return out;
  }

  forward(inputs: PreparedInputs, call: BackboneCall): BackboneOutputs {
    const c = this.config;
    const { batch, length } = inputs;
    if (this.positionEmbeddings !== null && length > c.maxPositionEmbeddings) {
      throw new UnsupportedInputError({ source: 'inputIds', expected: `sequences of at most max_position_embeddings = ${c.maxPositionEmbeddings} tokens`, found: `length ${length}` });
    }
    const relative = this.relativeIndices(length);
    return tf.tidy(() => {
      const embeddings = this.embed(inputs, call);
      const bias = keyMaskBias(inputs.mask);
      let rel: RelativeAttention | null = null;
      if (this.relEmbeddings !== null && relative !== null) {
        const rows = tf.slice(this.relEmbeddings, [relative.lo, 0], [relative.hi - relative.lo + 1, this.hiddenSize]);
        const table = this.relNorm === null ? rows : layerNorm(rows, this.relNorm.weight, this.relNorm.bias, this.relNorm.eps);
        rel = { table, c2pIndex: relative.c2p, p2cIndex: relative.p2c, shareAttKey: c.shareAttKey };
      }
      const scaleFactor = 1 + (c.posAttType.includes('c2p') ? 1 : 0) + (c.posAttType.includes('p2c') ? 1 : 0);
      // transformers computes sqrt(d · scale_factor) in float32.
      const scale = Math.fround(Math.sqrt(Math.fround(c.attentionHeadSize * scaleFactor)));
      const mask3 = tf.expandDims(inputs.mask, 2);
      const { last, states, attentions } = runLayers(
        this.layers,
        embeddings,
        (i) => ({
          training: call.training,
          seed: deriveSeed(call.seed, site.layerBase + i),
          keyMaskBias: bias,
          numHeads: c.numAttentionHeads,
          headSize: c.attentionHeadSize,
          scale,
          attentionDropout: c.attentionProbsDropoutProb,
          hiddenDropout: c.hiddenDropoutProb,
          activation: this.activation,
          relative: rel,
        }),
        call,
        (i, out) => (i === 0 && this.conv !== null ? this.applyConv(this.conv, embeddings, out, mask3, call) : out),
      );
      const result: { lastHiddenState: Tensor; hiddenStates?: Tensor[]; attentions?: Tensor[] } = { lastHiddenState: last };
      if (call.outputHiddenStates) result.hiddenStates = [embeddings, ...states];
      if (call.outputAttentions) result.attentions = attentions;
      return result;
    });
  }

  /** word (+ position) (+ token type) → embed_proj → LayerNorm → × mask → dropout. */
  private embed(inputs: PreparedInputs, call: BackboneCall): Tensor {
    let x = tf.gather(this.wordEmbeddings, inputs.inputIds);
    if (this.positionEmbeddings !== null) x = tf.add(x, tf.slice(this.positionEmbeddings, [0, 0], [inputs.length, -1]));
    if (this.tokenTypeEmbeddings !== null) {
      const types = inputs.tokenTypeIds ?? tf.zerosLike(inputs.inputIds);
      x = tf.add(x, tf.gather(this.tokenTypeEmbeddings, types));
    }
    if (this.embedProj !== null) x = this.embedProj.apply(x, { training: call.training, dropoutSeed: deriveSeed(call.seed, site.embeddings, 1) });
    x = layerNorm(x, this.embeddingNorm.weight, this.embeddingNorm.bias, this.embeddingNorm.eps);
    x = tf.mul(x, tf.expandDims(inputs.mask, 2));
    return seededDropout(x, this.config.hiddenDropoutProb, call.training, deriveSeed(call.seed, site.embeddings));
  }

  /** ConvLayer: LayerNorm(layer0 + act(dropout(conv1d(embeddings) · mask))) · mask. */
  private applyConv(conv: ConvLayer, embeddings: Tensor, layer0: Tensor, mask3: Tensor, call: BackboneCall): Tensor {
    const pad = Math.floor((conv.kernelSize - 1) / 2);
    const padded = tf.pad(embeddings, [[0, 0], [pad, pad], [0, 0]]);
    const groups = conv.filters.length;
    const inputs = groups === 1 ? [padded] : tf.split(padded, groups, 2);
    const outs = conv.filters.map((filter, g) => tf.conv1d(inputs[g] as Tensor as tf.Tensor3D, filter as tf.Tensor3D, 1, 'valid'));
    let out = tf.add(groups === 1 ? (outs[0] as Tensor) : tf.concat(outs, 2), conv.bias);
    out = tf.mul(out, mask3);
    out = conv.activation(seededDropout(out, this.config.hiddenDropoutProb, call.training, deriveSeed(call.seed, site.conv)));
    return tf.mul(layerNorm(tf.add(layer0, out), conv.norm.weight, conv.norm.bias, conv.norm.eps), mask3);
  }

  /** Cached per sequence length: the c2p/p2c gather indices and the table rows they use. */
  private relativeIndices(length: number): { c2p: Tensor | null; p2c: Tensor | null; lo: number; hi: number } | null {
    if (this.relEmbeddings === null) return null;
    const cached = this.indexCache.get(length);
    if (cached !== undefined) return cached;
    const { delta, lo, hi } = relativeIndex(length, this.settings);
    const nr = hi - lo + 1;
    const c2p = new Int32Array(length * length);
    const p2c = new Int32Array(length * length);
    for (let i = 0; i < length; i++) {
      for (let j = 0; j < length; j++) {
        const row = (delta[i * length + j] as number) - lo;
        c2p[i * length + j] = i * nr + row;
        p2c[i * length + j] = j * nr + row;
      }
    }
    const types = this.config.posAttType;
    const entry = {
      c2p: types.includes('c2p') ? tf.keep(tf.tensor1d(c2p, 'int32')) : null,
      p2c: types.includes('p2c') ? tf.keep(tf.tensor1d(p2c, 'int32')) : null,
      lo,
      hi,
    };
    this.indexCache.set(length, entry);
    return entry;
  }

  dispose(): void {
    for (const t of [this.wordEmbeddings, this.positionEmbeddings, this.tokenTypeEmbeddings, this.relEmbeddings]) t?.dispose();
    this.embedProj?.dispose();
    for (const n of [this.embeddingNorm, this.relNorm, this.conv?.norm]) {
      n?.weight.dispose();
      n?.bias.dispose();
    }
    for (const w of this.layers) disposeLayer(w);
    if (this.conv !== null) {
      for (const f of this.conv.filters) f.dispose();
      this.conv.bias.dispose();
    }
    for (const entry of this.indexCache.values()) {
      entry.c2p?.dispose();
      entry.p2c?.dispose();
    }
    this.indexCache.clear();
  }
}

/** `conv.conv.weight` `[H, H/g, ks]` (PyTorch Conv1d) becomes one tfjs filter `[ks, H/g, H/g]` per group. */
function convLayer(loader: WeightLoader, prefix: string, c: DebertaV2Config): ConvLayer {
  const H = c.hiddenSize;
  const g = c.convGroups;
  const ks = c.convKernelSize;
  const weight = loader.tensor(`${prefix}conv.weight`, [H, H / g, ks], 'normal', 'backbone');
  const filters = tf.tidy(() => {
    const perGroup = g === 1 ? [weight] : tf.split(weight, g, 0);
    return perGroup.map((w) => tf.keep(tf.transpose(w, [2, 1, 0])));
  });
  weight.dispose();
  return {
    filters,
    bias: loader.tensor(`${prefix}conv.bias`, [H], 'zeros', 'backbone'),
    norm: loader.norm(`${prefix}LayerNorm`, H, c.layerNormEps),
    kernelSize: ks,
    activation: activationByName(c.convAct, 'conv_act'),
  };
}
