/**
 * One text tokenized without special tokens and without truncation: token ids and, per token, the
 * `[start, end)` character span it came from **in the original (un-normalised) text, counted in Unicode
 * code points** — what a Hugging Face fast tokenizer's `encode(text, { addSpecialTokens: false })` gives as
 * `getIds()` / `getOffsets()` (npm `tokenizers`).
 */
export interface TokenizedText {
  readonly ids: readonly number[];
  readonly offsets: ReadonlyArray<readonly [number, number]>;
}

/**
 * What featurization needs from a tokenizer. `@adalora/models` implements it over its model tokenizers
 * (npm `tokenizers`); tests use a toy one. Only single texts are tokenized here: pair templates,
 * truncation (`longest_first`, `only_second` with `stride` overflow windows), padding, type ids, attention
 * masks and sequence ids are built by this package (`encodeText`), exactly as the Rust fast tokenizer does,
 * because the npm `tokenizers` 0.23 binding drops overflow windows (tokenizers#2091). A pair tokenized
 * this way equals the fast tokenizer's pair encoding: it also tokenizes each sequence on its own.
 */
export interface TokenizerAdapter {
  /** Tokenizes one text: no special tokens, no truncation, offsets in code points. */
  tokenize(text: string): TokenizedText;
  /** Ids of the classifier/start token (`[CLS]`, `<s>`), separator (`[SEP]`, `</s>`) and padding. */
  readonly specialTokens: { readonly cls: number; readonly sep: number; readonly pad: number };
  /**
   * The post-processor template: `'bert'` = `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]` with type ids 0 then 1
   * (BERT, DeBERTa); `'roberta'` = `<s> A </s>` / `<s> A </s></s> B </s>`, all type ids 0.
   */
  readonly template: 'bert' | 'roberta';
  /** The model's maximum sequence length, if known; longer `maxLength` requests are rejected. */
  readonly modelMaxLength?: number;
}

/**
 * One encoded input, the shape of a fast tokenizer's `Encoding`: ids with special tokens, type ids, attention
 * mask, per-token offsets (`[0, 0]` for special and padding tokens) and sequence ids (`null` for special and
 * padding tokens, 0 for the first text, 1 for the second).
 */
export interface Encoding {
  readonly ids: number[];
  readonly typeIds: number[];
  readonly attentionMask: number[];
  readonly offsets: Array<[number, number]>;
  readonly sequenceIds: Array<0 | 1 | null>;
}

/**
 * A tokenizer that only tokenizes asynchronously, in batches (the npm `tokenizers` binding encodes
 * asynchronously): `@adalora/models`' `featurizationAdapter` has this shape. Featurize with it through
 * `featurizeClassificationAsync` / `featurizeQaAsync`, or turn it into a `TokenizerAdapter` for known texts
 * with `pretokenize`.
 */
export interface BatchTokenizer {
  tokenizeBatch(texts: readonly string[]): Promise<readonly TokenizedText[]>;
  readonly specialTokens: { readonly cls: number; readonly sep: number; readonly pad: number };
  readonly template: 'bert' | 'roberta';
  readonly modelMaxLength?: number;
}
