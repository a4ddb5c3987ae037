import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { featurizationAdapter, templateKind } from './featurization-adapter.js';
import { loadTokenizer } from './load-tokenizer.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

describe('featurizationAdapter (the @adalora/datasets TokenizerAdapter shape)', () => {
  it('DeBERTa and BERT are the bert template, RoBERTa the roberta one, with their special ids', async () => {
    const deberta = featurizationAdapter(await loadTokenizer(join(fixtures, 'deberta-v3-tiny-spm')));
    expect({ template: deberta.template, specialTokens: deberta.specialTokens, modelMaxLength: deberta.modelMaxLength }).toEqual({
      template: 'bert',
      specialTokens: { cls: 1, sep: 2, pad: 0 },
      modelMaxLength: 512,
    });
    const bert = featurizationAdapter(await loadTokenizer(join(fixtures, 'bert-tiny-wordpiece')));
    expect([bert.template, bert.specialTokens]).toEqual(['bert', { cls: 5, sep: 6, pad: 0 }]);
    const roberta = featurizationAdapter(await loadTokenizer(join(fixtures, 'roberta-tiny-bpe')));
    expect([roberta.template, roberta.specialTokens]).toEqual(['roberta', { cls: 0, sep: 2, pad: 1 }]);
  });

  it('tokenize gives code-point offsets (one less than UTF-16 after an emoji)', async () => {
    const adapter = featurizationAdapter(await loadTokenizer(join(fixtures, 'deberta-v3-tiny-spm')));
    const text = 'é😀 the license';
    const [one] = await adapter.tokenizeBatch([text]);
    const single = await adapter.tokenize(text);
    expect(one).toEqual(single);
    // "▁license" covers code points [6, 14]: [...text].slice(6, 14) is " license"
    expect(single.offsets.at(-1)).toEqual([6, 14]);
    expect([...text].slice(6, 14).join('')).toBe(' license');
  });

  it('templateKind rejects other layouts', () => {
    expect(templateKind([{ kind: 'sequence', sequence: 0, typeId: 0 }, { kind: 'sequence', sequence: 1, typeId: 1 }])).toBeNull();
  });
});
