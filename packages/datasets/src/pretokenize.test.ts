import { describe, expect, it } from 'vitest';
import { featurizeClassification } from './classification-features.js';
import { featurizeClassificationAsync, featurizeQaAsync, pretokenize } from './pretokenize.js';
import { featurizeQa } from './qa-features.js';
import { toyTokenize, toyTokenizer } from './testing/toy-tokenizer.js';
import type { BatchTokenizer } from './tokenizer.js';

// The shape @adalora/models' featurizationAdapter has: asynchronous, batched.
function asyncToy(): BatchTokenizer & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    tokenizeBatch: async (texts) => {
      calls.push([...texts]);
      return texts.map((t) => toyTokenize(t));
    },
    specialTokens: { cls: 1, sep: 2, pad: 0 },
    template: 'bert',
  };
}

describe('asynchronous batch tokenizers', () => {
  const rows = [
    { sentence1: 'ab cd', sentence2: 'ef', label: 1, idx: 0 },
    { sentence1: 'ab cd', sentence2: 'gh ij', label: 0, idx: 1 },
  ];
  const task = { textColumns: ['sentence1', 'sentence2'], kind: 'pair-classification' } as const;
  it('featurizeClassificationAsync equals the synchronous path, with one deduplicated tokenizeBatch call', async () => {
    const tokenizer = asyncToy();
    const batch = await featurizeClassificationAsync(rows, { tokenizer, task, maxLength: 8 });
    expect(batch).toEqual(featurizeClassification(rows, { tokenizer: toyTokenizer(), task, maxLength: 8 }));
    expect(tokenizer.calls).toEqual([['ab cd', 'ef', 'gh ij']]);
  });
  it('featurizeQaAsync tokenizes the left-stripped question and equals the synchronous path', async () => {
    const examples = [{ id: 'x', title: '', context: 'a b c d e f g h i j', question: '  q r', answers: { text: ['e f'], answer_start: [8] } }];
    const tokenizer = asyncToy();
    expect(await featurizeQaAsync(examples, { tokenizer, maxLength: 10, docStride: 2 })).toEqual(featurizeQa(examples, { tokenizer: toyTokenizer(), maxLength: 10, docStride: 2 }));
    expect(tokenizer.calls).toEqual([['q r', 'a b c d e f g h i j']]);
  });
  it('a pretokenized adapter asked for an unknown text says so', async () => {
    const adapter = await pretokenize(asyncToy(), ['known']);
    expect(adapter.tokenize('known').ids).toHaveLength(2);
    expect(() => adapter.tokenize('other')).toThrow(/expected a text given to pretokenize, found "other"/);
  });
});
