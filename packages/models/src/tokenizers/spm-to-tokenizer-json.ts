import { UnsupportedInputError } from '@adalora/core';
import type { SentencePieceModel } from './sentencepiece-model.js';
import { DEBERTA_V2_SPECIAL_TOKENS, type SpecialTokens } from './tokenizer-config.js';

/** Options of {@link debertaV2TokenizerJson}: the `tokenizer_config.json` settings the conversion depends on. */
export interface DebertaV2ConversionOptions {
  /** `do_lower_case`; default false (DeBERTa-v3). */
  doLowerCase?: boolean;
  /** `split_by_punct`; default false (DeBERTa-v3). */
  splitByPunct?: boolean;
  /** Special tokens; missing ones take `DebertaV2Tokenizer`'s defaults (`[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`). */
  specialTokens?: SpecialTokens;
}

/** A `tokenizer.json` document (the `tokenizers` serialization format). */
export type TokenizerJson = Record<string, unknown>;

/**
 * Convert a DeBERTa-v2/v3 SentencePiece model to the `tokenizer.json` that transformers' `DebertaV2Converter`
 * (convert_slow_tokenizer.py, v4.40) builds when it loads a repo that ships only `spm.model`:
 * - model: `Unigram` over the spm pieces and scores, `unk_id` from the trainer spec, no byte fallback;
 * - normalizer: Sequence[Lowercase (if do_lower_case), Strip, Precompiled(charsmap) (if the model has one),
 *   Replace(" {2,}" → " ")];
 * - pre-tokenizer: Sequence[Punctuation isolated (if split_by_punct), Metaspace("▁", prepend always, split)];
 * - post-processor: `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B:1 [SEP]:1`; decoder Metaspace;
 * - added tokens: the special tokens, at their spm id when they are pieces, else appended after the pieces
 *   (`[MASK]` = number of pieces, 128000 for v3), all `special`, `[UNK]` normalized as the slow tokenizer
 *   declares it; user-defined spm pieces become non-special added tokens (as current transformers does).
 */
export function debertaV2TokenizerJson(model: SentencePieceModel, options: DebertaV2ConversionOptions = {}, source = 'spm.model'): TokenizerJson {
  if (model.modelType !== 'unigram') {
    throw new UnsupportedInputError({ source, expected: 'a Unigram SentencePiece model (DeBERTa-v2/v3)', found: `model_type ${model.modelType}` });
  }
  const special = { ...DEBERTA_V2_SPECIAL_TOKENS, ...options.specialTokens };
  const pieceIds = new Map<string, number>();
  model.pieces.forEach((p, i) => {
    if (!pieceIds.has(p.piece)) pieceIds.set(p.piece, i);
  });

  const added = new Map<string, { id: number; content: string; normalized: boolean; special: boolean }>();
  let nextId = model.pieces.length;
  model.pieces.forEach((p, id) => {
    if (p.type === 'user-defined') added.set(p.piece, { id, content: p.piece, normalized: false, special: false });
  });
  for (const key of ['pad', 'cls', 'sep', 'unk', 'bos', 'eos', 'mask'] as const) {
    const content = special[key];
    if (added.get(content)?.special) continue;
    const id = pieceIds.get(content) ?? added.get(content)?.id ?? nextId++;
    added.set(content, { id, content, normalized: key === 'unk', special: true });
  }
  const addedTokens = [...added.values()]
    .sort((x, y) => x.id - y.id)
    .map((t) => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: t.normalized, special: t.special }));

  const idOf = (token: string) => added.get(token)?.id ?? pieceIds.get(token) ?? model.unkId;
  const normalizers: unknown[] = [];
  if (options.doLowerCase === true) normalizers.push({ type: 'Lowercase' });
  normalizers.push({ type: 'Strip', strip_left: true, strip_right: true });
  if (model.precompiledCharsmap.byteLength > 0) {
    normalizers.push({ type: 'Precompiled', precompiled_charsmap: Buffer.from(model.precompiledCharsmap).toString('base64') });
  }
  normalizers.push({ type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' });
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  const preTokenizers: unknown[] = [];
  if (options.splitByPunct === true) preTokenizers.push({ type: 'Punctuation', behavior: 'Isolated' });
  preTokenizers.push(metaspace);
  const { cls, sep } = special;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: { type: 'Sequence', normalizers },
    pre_tokenizer: { type: 'Sequence', pretokenizers: preTokenizers },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: sep, type_id: 1 } },
      ],
      special_tokens: {
        [cls]: { id: cls, ids: [idOf(cls)], tokens: [cls] },
        [sep]: { id: sep, ids: [idOf(sep)], tokens: [sep] },
      },
    },
    decoder: { ...metaspace },
    model: { type: 'Unigram', unk_id: model.unkId, vocab: model.pieces.map((p) => [p.piece, p.score]), byte_fallback: false },
  };
}
