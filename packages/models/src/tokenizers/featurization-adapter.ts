import { UnsupportedInputError } from '@adalora/core';
import type { HfTokenizer, TemplatePart } from './tokenizer.js';

/** One text tokenized without special tokens or truncation; offsets in Unicode code points. */
export interface TokenizedText {
  readonly ids: readonly number[];
  readonly offsets: ReadonlyArray<readonly [number, number]>;
}

/**
 * The tokenizer shape `@adalora/datasets` featurizes with (its `TokenizerAdapter`: single-text tokenization
 * with code-point offsets, the special ids and the template kind; templates, truncation and windows are built
 * there). `tokenize` is asynchronous because the `tokenizers` binding only encodes asynchronously;
 * `tokenizeBatch` lets a caller tokenize everything first and featurize synchronously afterwards.
 */
export interface FeaturizationTokenizer {
  tokenize(text: string): Promise<TokenizedText>;
  tokenizeBatch(texts: readonly string[]): Promise<TokenizedText[]>;
  readonly specialTokens: { readonly cls: number; readonly sep: number; readonly pad: number };
  /** `'bert'`: `[CLS] A [SEP] B [SEP]`, second text type 1 (BERT, DeBERTa); `'roberta'`: `<s> A </s></s> B </s>`, all type 0. */
  readonly template: 'bert' | 'roberta';
  readonly modelMaxLength?: number;
}

function describe(parts: readonly TemplatePart[]): string {
  return parts.map((p) => (p.kind === 'special' ? `${p.token}:${p.typeId}` : `$${p.sequence === 0 ? 'A' : 'B'}:${p.typeId}`)).join(' ');
}

/** Which of the two template kinds featurization knows a tokenizer's pair template is (null for neither). */
export function templateKind(pair: readonly TemplatePart[]): 'bert' | 'roberta' | null {
  const shape = pair.map((p) => (p.kind === 'special' ? 'S' : `${p.sequence}`)).join('');
  const types = pair.map((p) => p.typeId);
  const specials = pair.filter((p): p is Extract<TemplatePart, { kind: 'special' }> => p.kind === 'special');
  const first = specials[0]?.id;
  const rest = specials.slice(1).map((p) => p.id);
  if (rest.some((id) => id !== rest[0])) return null;
  if (shape === 'S0S1S' && types.join() === '0,0,0,1,1') return 'bert';
  if (shape === 'S0SS1S' && types.every((t) => t === 0) && first !== rest[0]) return 'roberta';
  return null;
}

/**
 * Adapt a tokenizer to {@link FeaturizationTokenizer}. Fails with the template written out when the
 * tokenizer's pair template is neither the BERT/DeBERTa nor the RoBERTa layout.
 */
export function featurizationAdapter(tokenizer: HfTokenizer): FeaturizationTokenizer {
  const { single, pair } = tokenizer.templates();
  const kind = templateKind(pair);
  const specials = pair.filter((p): p is Extract<TemplatePart, { kind: 'special' }> => p.kind === 'special');
  if (kind === null || single.length !== 3) {
    throw new UnsupportedInputError({
      source: 'tokenizer post-processor',
      expected: "the BERT/DeBERTa pair template '[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1' or RoBERTa's '<s> $A </s> </s> $B </s>'",
      found: `'${describe(pair)}'`,
    });
  }
  const cls = specials[0]?.id as number;
  const sep = specials[1]?.id as number;
  return {
    tokenize: (text) => tokenizer.tokenizeCodePoints(text),
    tokenizeBatch: (texts) => Promise.all(texts.map((t) => tokenizer.tokenizeCodePoints(t))),
    specialTokens: { cls, sep, pad: tokenizer.padTokenId },
    template: kind,
    ...(tokenizer.modelMaxLength === null ? {} : { modelMaxLength: tokenizer.modelMaxLength }),
  };
}
