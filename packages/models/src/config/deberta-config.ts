import { InvalidConfigError } from '@adalora/core';
import { ConfigReader, type ProblemType, type RawConfig } from './config-fields.js';

/**
 * A DeBERTa-v2/v3 configuration with every key resolved (transformers' `DebertaV2Config`).
 * Field names follow `config.json` in camelCase.
 */
export interface DebertaV2Config {
  readonly modelType: 'deberta-v2';
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly attentionHeadSize: number;
  readonly intermediateSize: number;
  readonly hiddenAct: string;
  readonly hiddenDropoutProb: number;
  readonly attentionProbsDropoutProb: number;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly initializerRange: number;
  readonly layerNormEps: number;
  readonly relativeAttention: boolean;
  /** Resolved: `max_relative_positions` if ≥ 1, else `max_position_embeddings`. */
  readonly maxRelativePositions: number;
  readonly padTokenId: number;
  readonly positionBiasedInput: boolean;
  readonly posAttType: readonly string[];
  readonly positionBuckets: number;
  readonly shareAttKey: boolean;
  readonly normRelEbd: readonly string[];
  readonly convKernelSize: number;
  readonly convAct: string;
  readonly convGroups: number;
  readonly embeddingSize: number;
  readonly poolerHiddenSize: number;
  readonly poolerDropout: number;
  readonly poolerHiddenAct: string;
  /** Dropout before the classifier: `cls_dropout`, else `hidden_dropout_prob`. */
  readonly clsDropout: number;
  readonly numLabels: number;
  readonly problemType: ProblemType | null;
}

/**
 * Resolves a DeBERTa-v2/v3 `config.json` the way transformers does: class defaults of `DebertaV2Config`
 * for missing keys (several are the opposite of v3's values: `relative_attention` false,
 * `position_biased_input` true, `type_vocab_size` 0), the `getattr` defaults of the modeling code for
 * keys outside the class signature, and `pos_att_type` given as `"p2c|c2p"` or a list.
 */
export function parseDebertaV2Config(raw: RawConfig, source = 'config.json'): DebertaV2Config {
  const r = new ConfigReader(raw, source);
  const hiddenSize = r.int('hidden_size', 1536, 1);
  const numAttentionHeads = r.int('num_attention_heads', 24, 1);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new InvalidConfigError({ field: `${source}: hidden_size`, value: hiddenSize, reason: `must be a multiple of num_attention_heads (${numAttentionHeads})` });
  }
  const attentionHeadSize = r.int('attention_head_size', hiddenSize / numAttentionHeads, 1);
  if (attentionHeadSize * numAttentionHeads !== hiddenSize) {
    // transformers' attention output projection is Linear(hidden_size, hidden_size): other sizes cannot run there either.
    throw new InvalidConfigError({ field: `${source}: attention_head_size`, value: attentionHeadSize, reason: `num_attention_heads × attention_head_size must equal hidden_size (${hiddenSize})` });
  }
  const maxPositionEmbeddings = r.int('max_position_embeddings', 512, 1);
  const maxRel = r.int('max_relative_positions', -1);
  const posAttType = r.stringList('pos_att_type', []);
  for (const t of posAttType) {
    if (t !== 'c2p' && t !== 'p2c') throw new InvalidConfigError({ field: `${source}: pos_att_type`, value: raw.pos_att_type, reason: `unsupported entry '${t}' (deberta-v2 uses c2p and p2c)` });
  }
  const hiddenDropoutProb = r.number('hidden_dropout_prob', 0.1);
  const clsDropout = r.optionalNumber('cls_dropout');
  const config: DebertaV2Config = {
    modelType: 'deberta-v2',
    vocabSize: r.int('vocab_size', 128100, 1),
    hiddenSize,
    numHiddenLayers: r.int('num_hidden_layers', 24, 1),
    numAttentionHeads,
    attentionHeadSize,
    intermediateSize: r.int('intermediate_size', 6144, 1),
    hiddenAct: r.string('hidden_act', 'gelu'),
    hiddenDropoutProb,
    attentionProbsDropoutProb: r.number('attention_probs_dropout_prob', 0.1),
    maxPositionEmbeddings,
    typeVocabSize: r.int('type_vocab_size', 0, 0),
    initializerRange: r.number('initializer_range', 0.02),
    layerNormEps: r.number('layer_norm_eps', 1e-7),
    relativeAttention: r.bool('relative_attention', false),
    maxRelativePositions: maxRel < 1 ? maxPositionEmbeddings : maxRel,
    padTokenId: r.int('pad_token_id', 0),
    positionBiasedInput: r.bool('position_biased_input', true),
    posAttType,
    positionBuckets: r.int('position_buckets', -1),
    shareAttKey: r.bool('share_att_key', false),
    normRelEbd: r.stringList('norm_rel_ebd', ['none']),
    convKernelSize: r.int('conv_kernel_size', 0, 0),
    convAct: r.string('conv_act', 'tanh'),
    convGroups: r.int('conv_groups', 1, 1),
    embeddingSize: r.int('embedding_size', hiddenSize, 1),
    poolerHiddenSize: r.int('pooler_hidden_size', hiddenSize, 1),
    poolerDropout: r.number('pooler_dropout', 0),
    poolerHiddenAct: r.string('pooler_hidden_act', 'gelu'),
    clsDropout: clsDropout ?? hiddenDropoutProb,
    numLabels: r.numLabels(),
    problemType: r.problemType(),
  };
  if (config.convKernelSize > 0 && hiddenSize % config.convGroups !== 0) {
    throw new InvalidConfigError({ field: `${source}: conv_groups`, value: config.convGroups, reason: `must divide hidden_size (${hiddenSize})` });
  }
  return config;
}
