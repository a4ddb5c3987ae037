import { describe, expect, it } from 'vitest';
import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import { featurizeClassification } from './classification-features.js';
import { encodeText, longestFirstLengths, onlySecondWindows, padEncodings } from './encode.js';
import { id, toyTokenize, toyTokenizer } from './testing/toy-tokenizer.js';

const bert = toyTokenizer('bert');
const roberta = toyTokenizer('roberta');

describe('the toy test tokenizer', () => {
  it('splits words into ≤4-code-point pieces with code-point offsets', () => {
    expect(toyTokenize('Ça 😀 1790s!')).toEqual({
      ids: ['Ça', '😀', '1790', 's', '!'].map(id),
      offsets: [
        [0, 2],
        [3, 4],
        [5, 9],
        [9, 10],
        [10, 11],
      ],
      pieces: ['Ça', '😀', '1790', 's', '!'],
    });
  });
});

describe('encodeText (fast-tokenizer template and longest_first)', () => {
  it('BERT pair: [CLS] A [SEP] B [SEP], type ids 0…0 1…1, sequence ids, [0,0] offsets on specials', () => {
    const e = encodeText(bert, 'ab cd', 'ef', { maxLength: 16 });
    expect(e.ids).toEqual([1, id('ab'), id('cd'), 2, id('ef'), 2]);
    expect(e.typeIds).toEqual([0, 0, 0, 0, 1, 1]);
    expect(e.attentionMask).toEqual([1, 1, 1, 1, 1, 1]);
    expect(e.sequenceIds).toEqual([null, 0, 0, null, 1, null]);
    expect(e.offsets).toEqual([
      [0, 0],
      [0, 2],
      [3, 5],
      [0, 0],
      [0, 2],
      [0, 0],
    ]);
  });
  it('RoBERTa pair: <s> A </s></s> B </s>, all type ids 0', () => {
    const e = encodeText(roberta, 'ab', 'ef', { maxLength: 16 });
    expect(e.ids).toEqual([1, id('ab'), 2, 2, id('ef'), 2]);
    expect(e.typeIds).toEqual([0, 0, 0, 0, 0, 0]);
    expect(e.sequenceIds).toEqual([null, 0, null, null, 1, null]);
  });
  it('single text is cut from the right to maxLength − 2', () => {
    expect(encodeText(bert, 'a b c d e', null, { maxLength: 5 }).ids).toEqual([1, id('a'), id('b'), id('c'), 2]);
  });
  it("longest_first follows the Rust rule (featurize.md §2): 8 + long with budget 9 keeps 4 + 5; ties give B the spare", () => {
    expect(longestFirstLengths(8, 100, 9)).toEqual([4, 5]);
    expect(longestFirstLengths(10, 10, 9)).toEqual([4, 5]);
    expect(longestFirstLengths(2, 20, 9)).toEqual([2, 7]);
    expect(longestFirstLengths(20, 2, 9)).toEqual([7, 2]);
    expect(longestFirstLengths(3, 4, 9)).toEqual([3, 4]);
    expect(longestFirstLengths(5, 6, 10)).toEqual([5, 5]);
    const e = encodeText(bert, 'a b c d e f g h', 'n o p q r s t u v w x y z', { maxLength: 12 });
    expect(e.sequenceIds.filter((s) => s === 0)).toHaveLength(4);
    expect(e.sequenceIds.filter((s) => s === 1)).toHaveLength(5);
  });
  it('maxLength above modelMaxLength or too small is an InvalidConfigError', () => {
    expect(() => encodeText(toyTokenizer('bert', 8), 'a', null, { maxLength: 9 })).toThrow(/exceeds the model's maximum length 8/);
    expect(() => encodeText(bert, 'a', 'b', { maxLength: 2 })).toThrow(InvalidConfigError);
  });
});

describe('onlySecondWindows', () => {
  it('gives 1 + ceil((N − room)/(room − stride)) windows of room tokens, stepping room − stride', () => {
    // room = 10 − 2 − 3 = 5, step 3: [0,5), [3,8), [6,10)
    expect(onlySecondWindows(2, 10, 10, 2, 3, 'x')).toEqual([
      [0, 5],
      [3, 8],
      [6, 10],
    ]);
    expect(onlySecondWindows(2, 5, 10, 2, 3, 'x')).toEqual([[0, 5]]);
    // 60 context tokens, room 9, stride 8: step 1 → 1 + 51 = 52 windows (featurize.md §1.2)
    expect(onlySecondWindows(20, 60, 32, 8, 3, 'x')).toHaveLength(52);
  });
  it('a question leaving no room, or room ≤ stride, is an error naming the example', () => {
    expect(() => onlySecondWindows(8, 20, 10, 2, 3, "SQuAD example 'q7'")).toThrow(UnsupportedInputError);
    expect(() => onlySecondWindows(8, 20, 10, 2, 3, "SQuAD example 'q7'")).toThrow(/q7/);
    expect(() => onlySecondWindows(2, 20, 10, 5, 3, 'x')).toThrow(/larger than docStride \(5\)/);
  });
});

describe('featurizeClassification and padding', () => {
  const rows = [
    { sentence1: 'ab cd', sentence2: 'ef', label: 1, idx: 4 },
    { sentence1: 'gh', sentence2: 'ij kl mn', label: 0, idx: 9 },
  ];
  it("pads to max_length (default) with pad id, type 0 and mask 0", () => {
    const b = featurizeClassification(rows, { tokenizer: bert, task: { textColumns: ['sentence1', 'sentence2'], kind: 'pair-classification' }, maxLength: 8 });
    expect(b.seqLength).toBe(8);
    expect([...b.inputIds.slice(0, 8)]).toEqual([1, id('ab'), id('cd'), 2, id('ef'), 2, 0, 0]);
    expect([...b.tokenTypeIds.slice(8)]).toEqual([0, 0, 0, 1, 1, 1, 1, 0]);
    expect([...b.attentionMask.slice(8)]).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    expect([...b.labels]).toEqual([1, 0]);
    expect(b.labels).toBeInstanceOf(Int32Array);
    expect([...b.idx]).toEqual([4, 9]);
  });
  it('pads to the longest in the batch, optionally to a multiple', () => {
    const task = { textColumns: ['sentence1', 'sentence2'], kind: 'pair-classification' } as const;
    expect(featurizeClassification(rows, { tokenizer: bert, task, maxLength: 64, padding: 'longest' }).seqLength).toBe(7);
    expect(featurizeClassification(rows, { tokenizer: bert, task, maxLength: 64, padding: 'longest', padToMultipleOf: 8 }).seqLength).toBe(8);
  });
  it('regression labels are float32; a missing text column names the example', () => {
    const b = featurizeClassification([{ sentence1: 'a', sentence2: 'b', label: 3.8, idx: 0 }], { tokenizer: bert, task: { textColumns: ['sentence1', 'sentence2'], kind: 'regression' }, maxLength: 8 });
    expect(b.labels).toBeInstanceOf(Float32Array);
    expect(b.labels[0]).toBe(Math.fround(3.8));
    expect(() => featurizeClassification([{ sentence: 'a', label: 0, idx: 3 }], { tokenizer: bert, task: { textColumns: ['sentence1'], kind: 'single-classification' }, maxLength: 8 })).toThrow(
      /example idx 3 column 'sentence1': expected a string, found nothing/,
    );
  });
  it('padEncodings refuses a maxLength shorter than an encoding', () => {
    expect(() => padEncodings([encodeText(bert, 'a b c', null, { maxLength: 8 })], 0, { padding: 'max_length', maxLength: 3 })).toThrow(InvalidConfigError);
  });
});
