/** Special tokens of a tokenizer, as `tokenizer_config.json` / `special_tokens_map.json` name them. */
export interface SpecialTokens {
  bos?: string;
  eos?: string;
  unk?: string;
  sep?: string;
  pad?: string;
  cls?: string;
  mask?: string;
}

/** The `tokenizer_config.json` settings this package reads. */
export interface TokenizerConfig {
  /** `tokenizer_class`, e.g. `DebertaV2Tokenizer`. */
  tokenizerClass: string | null;
  specialTokens: SpecialTokens;
  /** `model_max_length` when the file gives a usable one (transformers writes 1e30 for "none"). */
  modelMaxLength: number | null;
  doLowerCase: boolean | null;
  splitByPunct: boolean | null;
  paddingSide: 'right' | 'left';
}

const SPECIAL_KEYS = ['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'] as const;

/** The class defaults of transformers' `DebertaV2Tokenizer` (the hub's DeBERTa-v3 configs leave them out). */
export const DEBERTA_V2_SPECIAL_TOKENS: Required<SpecialTokens> = {
  bos: '[CLS]',
  eos: '[SEP]',
  unk: '[UNK]',
  sep: '[SEP]',
  pad: '[PAD]',
  cls: '[CLS]',
  mask: '[MASK]',
};

/** A token entry is either a string or an `AddedToken` dict (`{"content": ..., "__type": "AddedToken"}`). */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * Read the settings of `tokenizer_config.json` (and `special_tokens_map.json`, whose entries fill in what the
 * config lacks), tolerating both plain strings and `AddedToken` dicts for the special tokens.
 */
export function parseTokenizerConfig(config: Record<string, unknown> = {}, specialTokensMap: Record<string, unknown> = {}): TokenizerConfig {
  const specialTokens: SpecialTokens = {};
  for (const key of SPECIAL_KEYS) {
    const value = tokenContent(config[`${key}_token`]) ?? tokenContent(specialTokensMap[`${key}_token`]);
    if (value !== undefined) specialTokens[key] = value;
  }
  const maxLength = config.model_max_length;
  return {
    tokenizerClass: typeof config.tokenizer_class === 'string' ? config.tokenizer_class : null,
    specialTokens,
    modelMaxLength: typeof maxLength === 'number' && Number.isSafeInteger(maxLength) && maxLength > 0 ? maxLength : null,
    doLowerCase: typeof config.do_lower_case === 'boolean' ? config.do_lower_case : null,
    splitByPunct: typeof config.split_by_punct === 'boolean' ? config.split_by_punct : null,
    paddingSide: config.padding_side === 'left' ? 'left' : 'right',
  };
}
