import { InvalidConfigError, UnknownImplementationError, UnsupportedInputError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './model-config.js';

// Class defaults as in transformers v4.40's DebertaV2Config / BertConfig / RobertaConfig and the
// getattr defaults of modeling_deberta_v2.py (notes/deberta.md §1).
describe('parseModelConfig', () => {
  it('a minimal deberta-v2 config takes the class defaults, several opposite to v3', () => {
    const spec = parseModelConfig({ model_type: 'deberta-v2' });
    expect(spec.family).toBe('deberta-v2');
    expect(spec.config).toMatchObject({
      vocabSize: 128100,
      hiddenSize: 1536,
      numHiddenLayers: 24,
      numAttentionHeads: 24,
      attentionHeadSize: 64,
      intermediateSize: 6144,
      typeVocabSize: 0,
      layerNormEps: 1e-7,
      relativeAttention: false,
      positionBiasedInput: true,
      maxRelativePositions: 512,
      positionBuckets: -1,
      shareAttKey: false,
      normRelEbd: ['none'],
      posAttType: [],
      convKernelSize: 0,
      convAct: 'tanh',
      embeddingSize: 1536,
      poolerHiddenSize: 1536,
      poolerHiddenAct: 'gelu',
      poolerDropout: 0,
      clsDropout: 0.1,
      numLabels: 2,
    });
  });

  it('pos_att_type as "p2c|c2p" or a list; norm_rel_ebd split; cls_dropout and id2label', () => {
    const a = parseModelConfig({ model_type: 'deberta-v2', pos_att_type: ' P2C | c2p', norm_rel_ebd: 'layer_norm|other', cls_dropout: 0.15, id2label: { 0: 'a', 1: 'b', 2: 'c' } });
    const b = parseModelConfig({ model_type: 'deberta-v2', pos_att_type: ['p2c', 'c2p'], max_relative_positions: 128, hidden_size: 64, num_attention_heads: 4 });
    expect(a.config).toMatchObject({ posAttType: ['p2c', 'c2p'], normRelEbd: ['layer_norm', 'other'], clsDropout: 0.15, numLabels: 3 });
    expect(b.config).toMatchObject({ posAttType: ['p2c', 'c2p'], maxRelativePositions: 128, attentionHeadSize: 16, embeddingSize: 64 });
  });

  it('BERT and RoBERTa class defaults differ in vocabulary and padding id only', () => {
    const bert = parseModelConfig({ model_type: 'bert' });
    const roberta = parseModelConfig({ model_type: 'roberta', classifier_dropout: 0.2, num_labels: 1 });
    expect(bert.config).toMatchObject({ vocabSize: 30522, padTokenId: 0, layerNormEps: 1e-12, typeVocabSize: 2, maxPositionEmbeddings: 512, classifierDropout: 0.1 });
    expect(roberta.config).toMatchObject({ vocabSize: 50265, padTokenId: 1, layerNormEps: 1e-12, classifierDropout: 0.2, numLabels: 1 });
  });

  it('rejects bad values with the file and field named', () => {
    expect(() => parseModelConfig({ model_type: 'deberta-v2', hidden_size: 30, num_attention_heads: 4 }, 'x/config.json')).toThrow(/x\/config\.json: hidden_size/);
    expect(() => parseModelConfig({ model_type: 'deberta-v2', pos_att_type: 'c2p|p2p' })).toThrow(InvalidConfigError);
    expect(() => parseModelConfig({ model_type: 'deberta-v2', attention_head_size: 32, hidden_size: 64, num_attention_heads: 4 })).toThrow(/attention_head_size/);
    expect(() => parseModelConfig({ model_type: 'deberta-v2', relative_attention: 'yes' })).toThrow(/relative_attention.*true or false/);
    expect(() => parseModelConfig({ model_type: 'bert', position_embedding_type: 'relative_key' })).toThrow(/only 'absolute'/);
    expect(() => parseModelConfig({ model_type: 'bert', problem_type: 'ranking' })).toThrow(/problem_type/);
    expect(() => parseModelConfig([])).toThrow(UnsupportedInputError);
    const unknown = (() => {
      try {
        parseModelConfig({ model_type: 'gpt2' });
      } catch (e) {
        return e;
      }
    })();
    expect(UnknownImplementationError.isInstance(unknown)).toBe(true);
    expect((unknown as Error).message).toMatch(/'bert', 'deberta-v2', 'roberta'/);
  });
});
