import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import tokenizers from 'tokenizers';
import { codePointToUtf16 } from './code-point-offsets.js';
import type { TokenizerConfig } from './tokenizer-config.js';
import { truncationWindows, windowPairs, type TokenRange, type TruncationStrategy } from './truncation.js';

const { Tokenizer: NativeTokenizer } = tokenizers;
type Native = InstanceType<typeof NativeTokenizer>;
type NativeEncoding = Awaited<ReturnType<Native['encode']>>;

/** Padding, with the names of transformers' `padding` argument (`false` = none). */
export type PaddingStrategy = false | 'longest' | 'max_length';

/** Options of {@link Tokenizer.encode}, as transformers' `tokenizer(text, pair, ...)` call takes them. */
export interface EncodeOptions {
  /** Total length including special tokens. Required for truncation and `padding: 'max_length'`. */
  maxLength?: number;
  /** `false` (default) keeps everything; `true` = `'longest_first'`. */
  truncation?: boolean | TruncationStrategy;
  /** Tokens shared by consecutive overflow windows (transformers' `stride`, e.g. SQuAD's doc_stride 128). */
  stride?: number;
  /** Return the windows that do not fit as `overflowing` (transformers' `return_overflowing_tokens`). */
  returnOverflowing?: boolean;
  /** `'max_length'`: pad every window to `maxLength`; `'longest'`: to the longest window returned. */
  padding?: PaddingStrategy;
  /** Round the padded length up to a multiple of this. */
  padToMultipleOf?: number;
  /** Add the model's special tokens (`[CLS] … [SEP]`); default true. */
  addSpecialTokens?: boolean;
}

/**
 * One encoded window (a "feature"), in the field order of transformers' `BatchEncoding`.
 * `offsets` are `[start, end)` indices into the JavaScript string of the token's own text (the first or the
 * second), in UTF-16 units so `text.slice(start, end)` is the token's span; `[0, 0]` for special and padding
 * tokens. `sequenceIds` is 0 / 1 for tokens of the first / second text and null for special and padding tokens.
 */
export interface Encoding {
  ids: number[];
  typeIds: number[];
  attentionMask: number[];
  offsets: Array<[number, number]>;
  sequenceIds: Array<0 | 1 | null>;
  specialTokensMask: number[];
  tokens: string[];
  /** The further windows when `returnOverflowing` is set (each with an empty `overflowing`). */
  overflowing: Encoding[];
}

/** Several inputs encoded at once, flattened into features as transformers does with overflow. */
export interface BatchEncoding {
  /** Every window of every input, in input order. */
  encodings: Encoding[];
  /** `overflowToSampleMapping[f]` = index of the input that feature f came from. */
  overflowToSampleMapping: number[];
}

/** An input of {@link Tokenizer.encodeBatch}: one text or a pair. */
export type TextInput = string | readonly [string, string];

/**
 * What featurization needs from a tokenizer (the seam `@adalora/datasets` uses, so it needs no model zoo).
 * Every method gives exactly what Hugging Face's fast tokenizers give for the same call, except that offsets
 * are in JavaScript string units.
 */
export interface Tokenizer {
  encode(text: string, pair?: string | null, options?: EncodeOptions): Promise<Encoding>;
  encodeBatch(inputs: readonly TextInput[], options?: EncodeOptions): Promise<BatchEncoding>;
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): Promise<string>;
  /** Special tokens a single text (`pair = false`) or a pair adds (3 for a BERT/DeBERTa pair, 4 for RoBERTa). */
  numSpecialTokens(pair: boolean): number;
  tokenToId(token: string): number | null;
  idToToken(id: number): string | null;
  readonly padTokenId: number;
  readonly clsTokenId: number | null;
  readonly sepTokenId: number | null;
  readonly unkTokenId: number | null;
  readonly maskTokenId: number | null;
  /** Vocabulary size including added tokens. */
  readonly vocabSize: number;
  /** `model_max_length` of tokenizer_config.json, when given. */
  readonly modelMaxLength: number | null;
  readonly paddingSide: 'right';
}

/** One text tokenized without special tokens: what the template and the truncation work on. */
interface SequenceTokens {
  ids: number[];
  tokens: string[];
  offsets: Array<[number, number]>;
  specialTokensMask: number[];
}

/** One element of a post-processor template: a special token, or the tokens of the first (0) or second (1) text. */
export type TemplatePart = { kind: 'special'; id: number; token: string; typeId: number } | { kind: 'sequence'; sequence: 0 | 1; typeId: number };

/**
 * A Hugging Face fast tokenizer (the `tokenizers` npm package: the same Rust code as Python's) with
 * transformers' truncation, overflow windows and padding done in TypeScript.
 *
 * Why not the binding's own `setTruncation` + `getOverflowing()`: tokenizers 0.23.x (the only napi build on
 * npm) returns at most one overflow window for a truncated pair (upstream issue #2091), silently dropping the
 * rest of long contexts. So each text is encoded without special tokens, cut into windows by the Rust
 * rules (`truncation.ts`), and wrapped in the template read from the tokenizer's own post-processor.
 */
export class HfTokenizer implements Tokenizer {
  readonly padTokenId: number;
  readonly clsTokenId: number | null;
  readonly sepTokenId: number | null;
  readonly unkTokenId: number | null;
  readonly maskTokenId: number | null;
  readonly vocabSize: number;
  readonly modelMaxLength: number | null;
  readonly paddingSide = 'right' as const;
  private readonly padToken: string;

  private constructor(
    private readonly native: Native,
    private readonly single: TemplatePart[],
    private readonly pair: TemplatePart[],
    config: TokenizerConfig,
    source: string,
  ) {
    const id = (token: string | undefined) => (token === undefined ? null : native.tokenToId(token));
    const pad = config.specialTokens.pad;
    const padId = id(pad);
    if (pad === undefined || padId === null) {
      throw new UnsupportedInputError({ source, expected: 'a pad token that is in the vocabulary (pad_token of tokenizer_config.json)', found: pad ?? 'none' });
    }
    this.padToken = pad;
    this.padTokenId = padId;
    this.clsTokenId = id(config.specialTokens.cls);
    this.sepTokenId = id(config.specialTokens.sep);
    this.unkTokenId = id(config.specialTokens.unk);
    this.maskTokenId = id(config.specialTokens.mask);
    this.vocabSize = native.getVocabSize(true);
    this.modelMaxLength = config.modelMaxLength;
  }

  /**
   * Build a tokenizer from the text of a `tokenizer.json` plus the parsed `tokenizer_config.json`. The
   * tokenizer.json's own truncation and padding settings are switched off (transformers overrides them on
   * every call too). `source` names the file in errors.
   */
  static async fromJson(json: string, config: TokenizerConfig, source = 'tokenizer.json'): Promise<HfTokenizer> {
    let native: Native;
    try {
      native = NativeTokenizer.fromString(json);
    } catch (error) {
      throw new UnsupportedInputError({ source, expected: 'a tokenizer.json the tokenizers library can load', found: (error as Error).message });
    }
    native.disableTruncation();
    native.disablePadding();
    const [single, pair] = await readTemplates(native, source);
    return new HfTokenizer(native, single, pair, config, source);
  }

  /** The single-text and pair templates read from the tokenizer's post-processor. */
  templates(): { single: readonly TemplatePart[]; pair: readonly TemplatePart[] } {
    return { single: this.single, pair: this.pair };
  }

  /**
   * One text without special tokens or truncation, with the binding's offsets as they come: Unicode code
   * points (what Python and SQuAD's `answer_start` count), unlike {@link encode}'s UTF-16 offsets.
   */
  async tokenizeCodePoints(text: string): Promise<{ ids: number[]; offsets: Array<[number, number]> }> {
    const { ids, offsets } = await this.tokenize(text);
    return { ids, offsets };
  }

  numSpecialTokens(pair: boolean): number {
    return (pair ? this.pair : this.single).filter((p) => p.kind === 'special').length;
  }

  tokenToId(token: string): number | null {
    return this.native.tokenToId(token);
  }

  idToToken(id: number): string | null {
    return this.native.idToToken(id);
  }

  async decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): Promise<string> {
    return this.native.decode([...ids], options.skipSpecialTokens ?? false);
  }

  /**
   * Encode a text or a pair like transformers' `tokenizer(text, pair, max_length=…, truncation=…, stride=…,
   * return_overflowing_tokens=…, padding=…, return_offsets_mapping=True)`. Truncation is right-side.
   */
  async encode(text: string, pair: string | null = null, options: EncodeOptions = {}): Promise<Encoding> {
    const windows = await this.encodeWindows(text, pair, options);
    const [first, ...rest] = this.pad(windows, options);
    return { ...(first as Encoding), overflowing: options.returnOverflowing === true ? rest : [] };
  }

  /**
   * Encode several inputs; with `returnOverflowing` every window becomes its own feature and
   * `overflowToSampleMapping` says which input it came from. `padding: 'longest'` pads to the longest feature
   * of the whole batch.
   */
  async encodeBatch(inputs: readonly TextInput[], options: EncodeOptions = {}): Promise<BatchEncoding> {
    const perInput = await Promise.all(
      inputs.map((input) => (typeof input === 'string' ? this.encodeWindows(input, null, options) : this.encodeWindows(input[0], input[1], options))),
    );
    const encodings: Encoding[] = [];
    const overflowToSampleMapping: number[] = [];
    perInput.forEach((windows, i) => {
      const kept = options.returnOverflowing === true ? windows : windows.slice(0, 1);
      for (const w of kept) {
        encodings.push(w);
        overflowToSampleMapping.push(i);
      }
    });
    return { encodings: this.pad(encodings, options), overflowToSampleMapping };
  }

  private async encodeWindows(text: string, pair: string | null, options: EncodeOptions): Promise<Encoding[]> {
    if (typeof text !== 'string' || (pair !== null && typeof pair !== 'string')) {
      throw new InvalidConfigError({ field: 'text', value: typeof text, reason: 'the texts to encode must be strings' });
    }
    const strategy = truncationStrategy(options.truncation);
    const addSpecial = options.addSpecialTokens ?? true;
    const [a, b] = await Promise.all([this.tokenize(text), pair === null ? Promise.resolve(null) : this.tokenize(pair)]);
    let aWindows: TokenRange[] = [{ start: 0, end: a.ids.length }];
    let bWindows: TokenRange[] | null = b === null ? null : [{ start: 0, end: b.ids.length }];
    if (strategy !== null) {
      const maxLength = options.maxLength;
      if (maxLength === undefined || !Number.isSafeInteger(maxLength) || maxLength <= 0) {
        throw new InvalidConfigError({ field: 'maxLength', value: maxLength, reason: 'truncation needs a positive integer maxLength' });
      }
      const stride = options.stride ?? 0;
      if (!Number.isSafeInteger(stride) || stride < 0) throw new InvalidConfigError({ field: 'stride', value: stride, reason: 'must be a non-negative integer' });
      const specials = addSpecial ? this.numSpecialTokens(b !== null) : 0;
      const budget = maxLength - specials;
      if (budget <= 0) {
        throw new InvalidConfigError({ field: 'maxLength', value: maxLength, reason: `must leave room for text beyond the ${specials} special tokens` });
      }
      ({ a: aWindows, b: bWindows } = truncationWindows(a.ids.length, b?.ids.length ?? null, budget, strategy, stride));
    }
    const template = addSpecial ? (b === null ? this.single : this.pair) : null;
    const mapA = codePointToUtf16(text);
    const mapB = pair === null ? null : codePointToUtf16(pair);
    const combos: Array<[number, number]> = bWindows === null ? aWindows.map((_, i) => [i, 0] as [number, number]) : windowPairs(aWindows.length, bWindows.length);
    return combos.map(([i, j]) =>
      assemble(template, slice(a, aWindows[i] as TokenRange, mapA), b === null || bWindows === null ? null : slice(b, bWindows[j] as TokenRange, mapB as (n: number) => number)),
    );
  }

  private async tokenize(text: string): Promise<SequenceTokens> {
    const encoding: NativeEncoding = await this.native.encode(text, null, { addSpecialTokens: false });
    return {
      ids: encoding.getIds(),
      tokens: encoding.getTokens(),
      offsets: encoding.getOffsets() as Array<[number, number]>,
      specialTokensMask: encoding.getSpecialTokensMask(),
    };
  }

  private pad(encodings: Encoding[], options: EncodeOptions): Encoding[] {
    const padding = options.padding ?? false;
    if (padding === false) return encodings;
    let target: number;
    if (padding === 'max_length') {
      if (options.maxLength === undefined) throw new InvalidConfigError({ field: 'maxLength', value: undefined, reason: "padding 'max_length' needs maxLength" });
      target = options.maxLength;
    } else {
      target = Math.max(0, ...encodings.map((e) => e.ids.length));
    }
    const multiple = options.padToMultipleOf;
    if (multiple !== undefined && multiple > 0) target = Math.ceil(target / multiple) * multiple;
    return encodings.map((e) => {
      const n = target - e.ids.length;
      if (n <= 0) return e;
      const fill = <T>(value: T) => Array.from({ length: n }, () => value);
      return {
        ids: [...e.ids, ...fill(this.padTokenId)],
        typeIds: [...e.typeIds, ...fill(0)],
        attentionMask: [...e.attentionMask, ...fill(0)],
        offsets: [...e.offsets, ...Array.from({ length: n }, () => [0, 0] as [number, number])],
        sequenceIds: [...e.sequenceIds, ...fill(null)],
        specialTokensMask: [...e.specialTokensMask, ...fill(1)],
        tokens: [...e.tokens, ...fill(this.padToken)],
        overflowing: e.overflowing,
      };
    });
  }
}

function truncationStrategy(value: EncodeOptions['truncation']): TruncationStrategy | null {
  if (value === undefined || value === false) return null;
  if (value === true) return 'longest_first';
  if (value === 'longest_first' || value === 'only_first' || value === 'only_second') return value;
  throw new InvalidConfigError({ field: 'truncation', value, reason: "expected true, false, 'longest_first', 'only_first' or 'only_second'" });
}

/** The tokens of one window, offsets converted to UTF-16 units. */
function slice(sequence: SequenceTokens, range: TokenRange, toUtf16: (n: number) => number): SequenceTokens {
  return {
    ids: sequence.ids.slice(range.start, range.end),
    tokens: sequence.tokens.slice(range.start, range.end),
    offsets: sequence.offsets.slice(range.start, range.end).map(([s, e]) => [toUtf16(s), toUtf16(e)] as [number, number]),
    specialTokensMask: sequence.specialTokensMask.slice(range.start, range.end),
  };
}

/** Wrap one window of each text in the template (or concatenate them when special tokens are off). */
function assemble(template: TemplatePart[] | null, a: SequenceTokens, b: SequenceTokens | null): Encoding {
  const out: Encoding = { ids: [], typeIds: [], attentionMask: [], offsets: [], sequenceIds: [], specialTokensMask: [], tokens: [], overflowing: [] };
  const parts: TemplatePart[] =
    template ?? [{ kind: 'sequence', sequence: 0, typeId: 0 }, ...(b === null ? [] : [{ kind: 'sequence', sequence: 1, typeId: 1 } as const])];
  for (const part of parts) {
    if (part.kind === 'special') {
      out.ids.push(part.id);
      out.typeIds.push(part.typeId);
      out.attentionMask.push(1);
      out.offsets.push([0, 0]);
      out.sequenceIds.push(null);
      out.specialTokensMask.push(1);
      out.tokens.push(part.token);
      continue;
    }
    const seq = part.sequence === 0 ? a : b;
    if (seq === null) continue;
    for (let t = 0; t < seq.ids.length; t++) {
      out.ids.push(seq.ids[t] as number);
      out.typeIds.push(part.typeId);
      out.attentionMask.push(1);
      out.offsets.push(seq.offsets[t] as [number, number]);
      out.sequenceIds.push(part.sequence);
      out.specialTokensMask.push(seq.specialTokensMask[t] as number);
      out.tokens.push(seq.tokens[t] as string);
    }
  }
  return out;
}

/**
 * Read the single and pair templates from the tokenizer's own post-processor (TemplateProcessing,
 * BertProcessing, RobertaProcessing, …) by post-processing two probe texts: positions flagged in the special
 * tokens mask are the template's special tokens, the rest belong to the first, then the second text.
 */
async function readTemplates(native: Native, source: string): Promise<[TemplatePart[], TemplatePart[]]> {
  const probeA = await native.encode('a', null, { addSpecialTokens: false });
  const probeB = await native.encode('b', null, { addSpecialTokens: false });
  if (probeA.getLength() === 0 || probeB.getLength() === 0) {
    throw new UnsupportedInputError({ source, expected: "a tokenizer that gives at least one token for 'a' and 'b'", found: 'an empty encoding' });
  }
  const read = (encoding: NativeEncoding, lengths: number[]): TemplatePart[] => {
    const mask = encoding.getSpecialTokensMask();
    const ids = encoding.getIds();
    const typeIds = encoding.getTypeIds();
    const tokens = encoding.getTokens();
    const parts: TemplatePart[] = [];
    let sequence = 0;
    let seen = 0;
    for (let i = 0; i < ids.length; i++) {
      if (mask[i] === 1) {
        parts.push({ kind: 'special', id: ids[i] as number, token: tokens[i] as string, typeId: typeIds[i] as number });
        continue;
      }
      if (seen === 0) parts.push({ kind: 'sequence', sequence: sequence as 0 | 1, typeId: typeIds[i] as number });
      seen += 1;
      if (seen === lengths[sequence]) {
        sequence += 1;
        seen = 0;
      }
    }
    if (sequence !== lengths.length) {
      throw new UnsupportedInputError({ source, expected: 'a post-processor that keeps every token of the texts', found: 'a template that drops or reorders tokens' });
    }
    return parts;
  };
  const single = read(native.postProcess(probeA, null, true), [probeA.getLength()]);
  const pair = read(native.postProcess(probeA, probeB, true), [probeA.getLength(), probeB.getLength()]);
  return [single, pair];
}
