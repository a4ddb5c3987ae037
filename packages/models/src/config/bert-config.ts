import { InvalidConfigError } from '@adalora/core';
import { ConfigReader, type ProblemType, type RawConfig } from './config-fields.js';

/** A BERT or RoBERTa configuration with every key resolved (transformers' `BertConfig` / `RobertaConfig`). */
export interface BertConfig {
  readonly modelType: 'bert' | 'roberta';
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly hiddenAct: string;
  readonly hiddenDropoutProb: number;
  readonly attentionProbsDropoutProb: number;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly initializerRange: number;
  readonly layerNormEps: number;
  readonly padTokenId: number;
  /** Dropout before the classifier: `classifier_dropout`, else `hidden_dropout_prob`. */
  readonly classifierDropout: number;
  readonly numLabels: number;
  readonly problemType: ProblemType | null;
}

/**
 * Resolves a BERT or RoBERTa `config.json` with the class defaults of transformers' `BertConfig` /
 * `RobertaConfig` (which differ only in `vocab_size` 30522/50265 and `pad_token_id` 0/1). Only
 * `position_embedding_type: "absolute"` is supported (what every BERT/RoBERTa checkpoint on the hub uses).
 */
export function parseBertConfig(raw: RawConfig, modelType: 'bert' | 'roberta', source = 'config.json'): BertConfig {
  const r = new ConfigReader(raw, source);
  const hiddenSize = r.int('hidden_size', 768, 1);
  const numAttentionHeads = r.int('num_attention_heads', 12, 1);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new InvalidConfigError({ field: `${source}: hidden_size`, value: hiddenSize, reason: `must be a multiple of num_attention_heads (${numAttentionHeads})` });
  }
  const positionType = r.string('position_embedding_type', 'absolute');
  if (positionType !== 'absolute') {
    throw new InvalidConfigError({ field: `${source}: position_embedding_type`, value: positionType, reason: `only 'absolute' is supported` });
  }
  const hiddenDropoutProb = r.number('hidden_dropout_prob', 0.1);
  return {
    modelType,
    vocabSize: r.int('vocab_size', modelType === 'bert' ? 30522 : 50265, 1),
    hiddenSize,
    numHiddenLayers: r.int('num_hidden_layers', 12, 1),
    numAttentionHeads,
    intermediateSize: r.int('intermediate_size', 3072, 1),
    hiddenAct: r.string('hidden_act', 'gelu'),
    hiddenDropoutProb,
    attentionProbsDropoutProb: r.number('attention_probs_dropout_prob', 0.1),
    maxPositionEmbeddings: r.int('max_position_embeddings', 512, 1),
    typeVocabSize: r.int('type_vocab_size', 2, 1),
    initializerRange: r.number('initializer_range', 0.02),
    layerNormEps: r.number('layer_norm_eps', 1e-12),
    padTokenId: r.int('pad_token_id', modelType === 'bert' ? 0 : 1),
    classifierDropout: r.optionalNumber('classifier_dropout') ?? hiddenDropoutProb,
    numLabels: r.numLabels(),
    problemType: r.problemType(),
  };
}
