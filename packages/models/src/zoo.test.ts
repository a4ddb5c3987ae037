import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './config/model-config.js';
import { modelZoo } from './zoo.js';

describe('model zoo', () => {
  it('maps the study names to their hub repositories', () => {
    expect(Object.fromEntries(modelZoo.entries().map(([k, v]) => [k, v.hubId]))).toMatchObject({
      'deberta-v3-base': 'microsoft/deberta-v3-base',
      'deberta-v3-small': 'microsoft/deberta-v3-small',
      'deberta-v3-xsmall': 'microsoft/deberta-v3-xsmall',
      'bert-base-uncased': 'google-bert/bert-base-uncased',
      'roberta-base': 'FacebookAI/roberta-base',
      'tiny-deberta-v3': null,
    });
    expect(() => modelZoo.resolve('deberta-v3-bsae')).toThrow(/Did you mean 'deberta-v3-base'/);
  });

  it('published configurations have the documented shapes (notes/deberta.md §1 table)', () => {
    const shape = (name: Parameters<typeof modelZoo.get>[0]) => {
      const c = parseModelConfig(modelZoo.get(name).config).config;
      return [c.numHiddenLayers, c.hiddenSize, c.numAttentionHeads, c.intermediateSize, c.vocabSize];
    };
    expect(shape('deberta-v3-base')).toEqual([12, 768, 12, 3072, 128100]);
    expect(shape('deberta-v3-small')).toEqual([6, 768, 12, 3072, 128100]);
    expect(shape('deberta-v3-xsmall')).toEqual([12, 384, 6, 1536, 128100]);
    const v3 = parseModelConfig(modelZoo.get('deberta-v3-base').config).config;
    expect(v3).toMatchObject({ relativeAttention: true, positionBuckets: 256, maxRelativePositions: 512, shareAttKey: true, positionBiasedInput: false, typeVocabSize: 0 });
  });

  it.each(['tiny-deberta-v3', 'tiny-bert', 'tiny-roberta'] as const)('%s: its vocabulary covers every id of its shipped tokenizer', (name) => {
    const entry = modelZoo.get(name);
    expect(entry.seed).not.toBeNull();
    const tokenizer = JSON.parse(readFileSync(join(entry.tokenizerDirectory!, 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> | Array<[string, number]> };
      added_tokens: Array<{ id: number }>;
    };
    const vocab = tokenizer.model.vocab;
    const ids = [...(Array.isArray(vocab) ? vocab.map((_, i) => i) : Object.values(vocab)), ...tokenizer.added_tokens.map((t) => t.id)];
    const config = parseModelConfig(entry.config).config;
    expect(Math.max(...ids)).toBeLessThan(config.vocabSize);
  });
});
