import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { UnsupportedInputError } from '@adalora/core';
import type { BertConfig } from '../config/bert-config.js';
import { activationByName, type Activation } from '../nn/activations.js';
import { keyMaskBias, runLayers, type Backbone, type BackboneCall, type BackboneOutputs, type PreparedInputs } from '../nn/backbone.js';
import { seededDropout } from '../nn/dropout.js';
import { disposeLayer, type EncoderLayerWeights, type Norm } from '../nn/encoder-layer.js';
import { layerNorm } from '../nn/layer-norm.js';
import type { Linear } from '../nn/linear.js';
import { deriveSeed } from '../nn/seed.js';
import type { WeightLoader } from '../weights/weight-loader.js';

const embeddingSite = 1_000_001;

/**
 * RoBERTa's position ids (transformers' `create_position_ids_from_input_ids`): real tokens count up from
 * `pad + 1`, padding tokens get `pad`. Derived from the ids, not from the attention mask.
 */
export function robertaPositionIds(ids: Int32Array, batch: number, length: number, pad: number): Int32Array {
  const out = new Int32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let i = 0; i < length; i++) {
      const real = ids[b * length + i] !== pad;
      if (real) count++;
      out[b * length + i] = real ? count + pad : pad;
    }
  }
  return out;
}

/**
 * The BERT / RoBERTa encoder (transformers' `BertModel` / `RobertaModel` without pooler): word + absolute
 * position + token-type embeddings, LayerNorm, post-LN layers with key-padding attention mask.
 */
export class BertBackbone implements Backbone {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly typeVocabSize: number;
  private readonly wordEmbeddings: Tensor;
  private readonly positionEmbeddings: Tensor;
  private readonly tokenTypeEmbeddings: Tensor;
  private readonly embeddingNorm: Norm;
  private readonly layers: EncoderLayerWeights[];
  private readonly activation: Activation;

  /** Builds the encoder from `loader`, with tensor names prefixed by `prefix` (`'bert.'`, `'roberta.'` or `''`). */
  constructor(
    readonly config: BertConfig,
    loader: WeightLoader,
    prefix: string,
  ) {
    const c = config;
    const H = c.hiddenSize;
    const eps = c.layerNormEps;
    this.hiddenSize = H;
    this.vocabSize = c.vocabSize;
    this.typeVocabSize = c.typeVocabSize;
    this.activation = activationByName(c.hiddenAct, 'hidden_act');
    const p = `${prefix}embeddings.`;
    this.wordEmbeddings = loader.tensor(`${p}word_embeddings.weight`, [c.vocabSize, H], 'normal', 'backbone');
    this.positionEmbeddings = loader.tensor(`${p}position_embeddings.weight`, [c.maxPositionEmbeddings, H], 'normal', 'backbone');
    this.tokenTypeEmbeddings = loader.tensor(`${p}token_type_embeddings.weight`, [c.typeVocabSize, H], 'normal', 'backbone');
    this.embeddingNorm = loader.norm(`${p}LayerNorm`, H, eps);
    this.layers = [];
    for (let i = 0; i < c.numHiddenLayers; i++) {
      const l = `${prefix}encoder.layer.${i}.`;
      const linear = (name: string, inF: number, outF: number) => loader.linear(`${l}${name}`, inF, outF, { role: 'backbone' });
      this.layers.push({
        query: linear('attention.self.query', H, H),
        key: linear('attention.self.key', H, H),
        value: linear('attention.self.value', H, H),
        posKey: null,
        posQuery: null,
        attentionOutput: linear('attention.output.dense', H, H),
        attentionNorm: loader.norm(`${l}attention.output.LayerNorm`, H, eps),
        intermediate: linear('intermediate.dense', H, c.intermediateSize),
        output: linear('output.dense', c.intermediateSize, H),
        outputNorm: loader.norm(`${l}output.LayerNorm`, H, eps),
      });
    }
  }

  linears(): Linear[] {
    return this.layers.flatMap((w) => [w.query, w.key, w.value, w.attentionOutput, w.intermediate, w.output]);
  }

  forward(inputs: PreparedInputs, call: BackboneCall): BackboneOutputs {
    const c = this.config;
    const { batch, length } = inputs;
    const positions =
      c.modelType === 'roberta' ? robertaPositionIds(inputs.ids, batch, length, c.padTokenId) : Int32Array.from({ length: batch * length }, (_, k) => k % length);
    const maxPosition = positions.reduce((m, v) => Math.max(m, v), 0);
    if (maxPosition >= c.maxPositionEmbeddings) {
      throw new UnsupportedInputError({
        source: 'inputIds',
        expected: `position ids below max_position_embeddings = ${c.maxPositionEmbeddings}`,
        found: `position ${maxPosition} (sequence length ${length})`,
      });
    }
    const numHeads = c.numAttentionHeads;
    const headSize = c.hiddenSize / numHeads;
    return tf.tidy(() => {
      let x = tf.gather(this.wordEmbeddings, inputs.inputIds);
      x = tf.add(x, tf.gather(this.positionEmbeddings, tf.tensor2d(positions, [batch, length], 'int32')));
      x = tf.add(x, tf.gather(this.tokenTypeEmbeddings, inputs.tokenTypeIds ?? tf.zerosLike(inputs.inputIds)));
      x = layerNorm(x, this.embeddingNorm.weight, this.embeddingNorm.bias, this.embeddingNorm.eps);
      const embeddings = seededDropout(x, c.hiddenDropoutProb, call.training, deriveSeed(call.seed, embeddingSite));
      const bias = keyMaskBias(inputs.mask);
      const { last, states, attentions } = runLayers(
        this.layers,
        embeddings,
        (i) => ({
          training: call.training,
          seed: deriveSeed(call.seed, i),
          keyMaskBias: bias,
          numHeads,
          headSize,
          scale: Math.sqrt(headSize),
          attentionDropout: c.attentionProbsDropoutProb,
          hiddenDropout: c.hiddenDropoutProb,
          activation: this.activation,
          relative: null,
        }),
        call,
      );
      const result: { lastHiddenState: Tensor; hiddenStates?: Tensor[]; attentions?: Tensor[] } = { lastHiddenState: last };
      if (call.outputHiddenStates) result.hiddenStates = [embeddings, ...states];
      if (call.outputAttentions) result.attentions = attentions;
      return result;
    });
  }

  dispose(): void {
    for (const t of [this.wordEmbeddings, this.positionEmbeddings, this.tokenTypeEmbeddings, this.embeddingNorm.weight, this.embeddingNorm.bias]) t.dispose();
    for (const w of this.layers) disposeLayer(w);
  }
}
