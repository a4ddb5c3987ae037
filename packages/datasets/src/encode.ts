import { InvalidConfigError, longestFirstLengths, strideWindows, UnsupportedInputError } from '@adalora/core';

export { longestFirstLengths };
import type { Encoding, TokenizedText, TokenizerAdapter } from './tokenizer.js';

/** Number of special tokens the template adds: single 2; pair 3 (BERT) or 4 (RoBERTa). */
export function specialTokenCount(tokenizer: TokenizerAdapter, pair: boolean): number {
  if (!pair) return 2;
  return tokenizer.template === 'roberta' ? 4 : 3;
}


/** Builds one encoding from already-cut token lists with the tokenizer's template (no padding). */
export function applyTemplate(tokenizer: TokenizerAdapter, a: TokenizedText, b: TokenizedText | null): Encoding {
  const { cls, sep } = tokenizer.specialTokens;
  const secondType = tokenizer.template === 'roberta' ? 0 : 1;
  const enc: Encoding = { ids: [], typeIds: [], attentionMask: [], offsets: [], sequenceIds: [] };
  const push = (id: number, type: number, offset: readonly [number, number], sequence: 0 | 1 | null) => {
    enc.ids.push(id);
    enc.typeIds.push(type);
    enc.attentionMask.push(1);
    enc.offsets.push([offset[0], offset[1]]);
    enc.sequenceIds.push(sequence);
  };
  push(cls, 0, [0, 0], null);
  a.ids.forEach((id, i) => push(id, 0, a.offsets[i] as [number, number], 0));
  push(sep, 0, [0, 0], null);
  if (b !== null) {
    if (tokenizer.template === 'roberta') push(sep, 0, [0, 0], null);
    b.ids.forEach((id, i) => push(id, secondType, b.offsets[i] as [number, number], 1));
    push(sep, secondType, [0, 0], null);
  }
  return enc;
}

function cut(tokens: TokenizedText, start: number, end: number): TokenizedText {
  return { ids: tokens.ids.slice(start, end), offsets: tokens.offsets.slice(start, end) };
}

/**
 * Encodes a text or a text pair for classification/regression the way `run_glue.py` calls the fast
 * tokenizer (`truncation=True`, i.e. `longest_first`, no overflow): template, then cut to `maxLength`.
 * Not padded: see `padEncodings`.
 */
export function encodeText(tokenizer: TokenizerAdapter, textA: string, textB: string | null, { maxLength }: { maxLength: number }): Encoding {
  checkMaxLength(tokenizer, maxLength);
  const a = tokenizer.tokenize(textA);
  const b = textB === null ? null : tokenizer.tokenize(textB);
  const budget = maxLength - specialTokenCount(tokenizer, b !== null);
  if (budget < 0) throw new InvalidConfigError({ field: 'maxLength', value: maxLength, reason: 'leaves no room for the special tokens' });
  if (b === null) return applyTemplate(tokenizer, cut(a, 0, budget), null);
  const [keepA, keepB] = longestFirstLengths(a.ids.length, b.ids.length, budget);
  return applyTemplate(tokenizer, cut(a, 0, keepA), cut(b, 0, keepB));
}

/**
 * The context windows of `only_second` truncation with `stride` overlapping tokens, as the fast tokenizer's
 * overflow produces them: with `room = maxLength − |question| − specials`, one window when the context fits;
 * else window k covers context tokens `[k·(room − stride), k·(room − stride) + room)`, until one reaches
 * the end (`1 + ⌈(N − room)/(room − stride)⌉` windows). Returns `[start, end)` token ranges.
 * `room ≤ stride` (the Rust tokenizer panics) and a question that leaves no room are errors naming `where`.
 */
export function onlySecondWindows(questionLength: number, contextLength: number, maxLength: number, stride: number, specials: number, where: string): Array<[number, number]> {
  const room = maxLength - questionLength - specials;
  if (contextLength <= room) return [[0, contextLength]];
  if (room <= 0) {
    throw new UnsupportedInputError({ source: where, expected: `a question shorter than maxLength − ${specials} special tokens (${maxLength - specials})`, found: `${questionLength} question tokens` });
  }
  if (room <= stride) {
    throw new UnsupportedInputError({
      source: where,
      expected: `room for context (maxLength − question − specials = ${room}) larger than docStride (${stride})`,
      found: `${questionLength} question tokens`,
    });
  }
  return strideWindows(contextLength, room, stride, 'docStride').map(({ start, end }): [number, number] => [start, end]);
}

/** Rejects a `maxLength` above the tokenizer's `modelMaxLength` (the position embeddings would run out). */
export function checkMaxLength(tokenizer: TokenizerAdapter, maxLength: number): void {
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new InvalidConfigError({ field: 'maxLength', value: maxLength, reason: 'must be an integer ≥ 2' });
  if (tokenizer.modelMaxLength !== undefined && maxLength > tokenizer.modelMaxLength) {
    throw new InvalidConfigError({ field: 'maxLength', value: maxLength, reason: `exceeds the model's maximum length ${tokenizer.modelMaxLength}` });
  }
}

/** Padding: to a fixed `maxLength` (`run_glue`/`run_qa` default) or to the longest encoding of the batch. */
export type Padding = 'max_length' | 'longest';

/**
 * A padded batch as flat row-major typed arrays `[batchSize, seqLength]`, ready for `tf.tensor2d`:
 * padding is on the right with the pad id, type id 0 and attention mask 0.
 */
export interface PaddedBatch {
  readonly batchSize: number;
  readonly seqLength: number;
  readonly inputIds: Int32Array;
  readonly tokenTypeIds: Int32Array;
  readonly attentionMask: Int32Array;
}

/**
 * Pads encodings to `maxLength` or to the longest one (optionally rounded up to a multiple, as
 * `DataCollatorWithPadding(pad_to_multiple_of=8)` does). Padding changes speed, not results.
 */
export function padEncodings(
  encodings: readonly Encoding[],
  padId: number,
  { padding, maxLength, padToMultipleOf }: { padding: Padding; maxLength?: number; padToMultipleOf?: number },
): PaddedBatch {
  const longest = encodings.reduce((m, e) => Math.max(m, e.ids.length), 0);
  let seqLength: number;
  if (padding === 'max_length') {
    if (maxLength === undefined) throw new InvalidConfigError({ field: 'maxLength', value: maxLength, reason: "is required with padding 'max_length'" });
    if (longest > maxLength) throw new InvalidConfigError({ field: 'maxLength', value: maxLength, reason: `is shorter than an encoding of length ${longest}` });
    seqLength = maxLength;
  } else seqLength = longest;
  if (padToMultipleOf !== undefined && padToMultipleOf > 1) seqLength = Math.ceil(seqLength / padToMultipleOf) * padToMultipleOf;
  const n = encodings.length;
  const inputIds = new Int32Array(n * seqLength).fill(padId);
  const tokenTypeIds = new Int32Array(n * seqLength);
  const attentionMask = new Int32Array(n * seqLength);
  encodings.forEach((e, row) => {
    inputIds.set(e.ids, row * seqLength);
    tokenTypeIds.set(e.typeIds, row * seqLength);
    attentionMask.set(e.attentionMask, row * seqLength);
  });
  return { batchSize: n, seqLength, inputIds, tokenTypeIds, attentionMask };
}
