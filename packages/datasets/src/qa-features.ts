import { applyTemplate, checkMaxLength, onlySecondWindows, padEncodings, specialTokenCount } from './encode.js';
import type { PaddedBatch, Padding } from './encode.js';
import { codePointLength } from './code-points.js';
import type { SquadExample } from './squad-examples.js';
import type { Encoding, TokenizerAdapter } from './tokenizer.js';

/** One window of one QA example: the encoding, its labels and what post-processing needs. */
export interface QaFeature {
  /** Index of the example in the input list (`overflow_to_sample_mapping`). */
  readonly exampleIndex: number;
  readonly exampleId: string;
  readonly encoding: Encoding;
  /** Offsets of context tokens, `null` for question, special and padding tokens (`prepare_validation_features`). */
  readonly contextOffsets: Array<readonly [number, number] | null>;
  /** Position of the CLS token (label of answers outside the window and of impossible questions). */
  readonly clsIndex: number;
  /** Training labels (`prepare_train_features`); CLS for an answer not entirely inside this window. */
  readonly startPosition: number;
  readonly endPosition: number;
}

/** Options of `featurizeQa`; defaults are `run_qa.py`'s. */
export interface QaFeatureOptions {
  readonly tokenizer: TokenizerAdapter;
  /** `max_seq_length`, default 384. */
  readonly maxLength?: number;
  /** Tokens of overlap between consecutive windows (`doc_stride`, the tokenizer's `stride`), default 128. */
  readonly docStride?: number;
  /**
   * Default `true`. `run_qa.py`'s start-label scan walks past the last context token onto `[SEP]` and
   * padding (their offsets `(0, 0)` satisfy `start ≤ start_char`), so an answer whose first token is the last
   * context token of a window gets a start label on padding/`[SEP]` (start > end). With `true` the scan stops
   * at the last context token, which gives the correct label; `false` reproduces the reference labels.
   */
  readonly lastContextTokenFix?: boolean;
}

const PYTHON_LEADING_WHITESPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** The question text that gets tokenized: `question.lstrip()` (Python whitespace), as `run_qa.py` does. */
export function qaQuestionText(question: string): string {
  return question.replace(PYTHON_LEADING_WHITESPACE, '');
}

/**
 * Splits SQuAD examples into model features the way `run_qa.py` does (right padding side): the question is
 * left-stripped, `question` + `context` are encoded with `only_second` truncation into overlapping windows
 * (`docStride` overlap, see `onlySecondWindows`), each window padded to `maxLength`. Labels: impossible
 * question → CLS/CLS; else only the first gold answer, `[answer_start, answer_start + len(text))` in code
 * points; not entirely inside the window → CLS/CLS; else the tokens containing its first and last character
 * (see `lastContextTokenFix` for the one deliberate difference from the reference). Each feature also keeps
 * the context offsets and example id for `postprocessQa`.
 */
export function featurizeQa(examples: readonly SquadExample[], options: QaFeatureOptions): QaFeature[] {
  const { tokenizer, maxLength = 384, docStride = 128, lastContextTokenFix = true } = options;
  checkMaxLength(tokenizer, maxLength);
  const specials = specialTokenCount(tokenizer, true);
  const features: QaFeature[] = [];
  examples.forEach((example, exampleIndex) => {
    const question = tokenizer.tokenize(qaQuestionText(example.question));
    const context = tokenizer.tokenize(example.context);
    const windows = onlySecondWindows(question.ids.length, context.ids.length, maxLength, docStride, specials, `SQuAD example '${example.id}'`);
    for (const [start, end] of windows) {
      const windowed = { ids: context.ids.slice(start, end), offsets: context.offsets.slice(start, end) };
      const unpadded = applyTemplate(tokenizer, question, windowed);
      const encoding = padTo(unpadded, maxLength, tokenizer.specialTokens.pad);
      const clsIndex = encoding.ids.indexOf(tokenizer.specialTokens.cls);
      const [startPosition, endPosition] = labels(example, encoding, clsIndex, lastContextTokenFix);
      features.push({
        exampleIndex,
        exampleId: example.id,
        encoding,
        contextOffsets: encoding.offsets.map((o, t) => (encoding.sequenceIds[t] === 1 ? o : null)),
        clsIndex,
        startPosition,
        endPosition,
      });
    }
  });
  return features;
}

function padTo(enc: Encoding, length: number, padId: number): Encoding {
  const extra = length - enc.ids.length;
  return {
    ids: [...enc.ids, ...Array<number>(extra).fill(padId)],
    typeIds: [...enc.typeIds, ...Array<number>(extra).fill(0)],
    attentionMask: [...enc.attentionMask, ...Array<number>(extra).fill(0)],
    offsets: [...enc.offsets, ...Array.from({ length: extra }, (): [number, number] => [0, 0])],
    sequenceIds: [...enc.sequenceIds, ...Array<null>(extra).fill(null)],
  };
}

function labels(example: SquadExample, enc: Encoding, clsIndex: number, fix: boolean): [number, number] {
  const answer = example.answers.text[0];
  const startChar = example.answers.answer_start[0];
  if (answer === undefined || startChar === undefined) return [clsIndex, clsIndex];
  const endChar = startChar + codePointLength(answer);
  const firstContext = enc.sequenceIds.indexOf(1);
  const lastContext = enc.sequenceIds.lastIndexOf(1);
  if (firstContext === -1) return [clsIndex, clsIndex];
  const offsets = enc.offsets;
  if (!((offsets[firstContext] as [number, number])[0] <= startChar && (offsets[lastContext] as [number, number])[1] >= endChar)) return [clsIndex, clsIndex];
  let ts = firstContext;
  const scanEnd = fix ? lastContext + 1 : offsets.length;
  while (ts < scanEnd && (offsets[ts] as [number, number])[0] <= startChar) ts++;
  let te = lastContext;
  while ((offsets[te] as [number, number])[1] >= endChar) te--;
  return [ts - 1, te + 1];
}

/** A padded QA training batch: inputs plus start/end labels. */
export interface QaBatch extends PaddedBatch {
  readonly startPositions: Int32Array;
  readonly endPositions: Int32Array;
}

/** Stacks QA features into one batch (features are already padded to `maxLength`; `'longest'` trims to the longest mask). */
export function collateQa(features: readonly QaFeature[], padId: number, padding: Padding = 'max_length'): QaBatch {
  const trimmed =
    padding === 'longest'
      ? features.map((f) => {
          const used = f.encoding.attentionMask.lastIndexOf(1) + 1;
          const e = f.encoding;
          return { ids: e.ids.slice(0, used), typeIds: e.typeIds.slice(0, used), attentionMask: e.attentionMask.slice(0, used), offsets: e.offsets.slice(0, used), sequenceIds: e.sequenceIds.slice(0, used) };
        })
      : features.map((f) => f.encoding);
  const batch = padEncodings(trimmed, padId, { padding, maxLength: features[0]?.encoding.ids.length ?? 0 });
  return { ...batch, startPositions: Int32Array.from(features, (f) => f.startPosition), endPositions: Int32Array.from(features, (f) => f.endPosition) };
}
