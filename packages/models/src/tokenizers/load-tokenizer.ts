import { UnsupportedInputError } from '@adalora/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSentencePieceModel } from './sentencepiece-model.js';
import { debertaV2TokenizerJson } from './spm-to-tokenizer-json.js';
import { DEBERTA_V2_SPECIAL_TOKENS, parseTokenizerConfig, type SpecialTokens, type TokenizerConfig } from './tokenizer-config.js';
import { HfTokenizer } from './tokenizer.js';

/** Model families whose tokenizer class defaults are known (used when tokenizer_config.json leaves tokens out). */
export type TokenizerFamily = 'bert' | 'roberta' | 'deberta-v2';

/** The special-token defaults of transformers' tokenizer classes, by family. */
const FAMILY_DEFAULTS: Record<TokenizerFamily, Required<SpecialTokens>> = {
  bert: { bos: '[CLS]', eos: '[SEP]', unk: '[UNK]', sep: '[SEP]', pad: '[PAD]', cls: '[CLS]', mask: '[MASK]' },
  roberta: { bos: '<s>', eos: '</s>', unk: '<unk>', sep: '</s>', pad: '<pad>', cls: '<s>', mask: '<mask>' },
  'deberta-v2': DEBERTA_V2_SPECIAL_TOKENS,
};

/** Options of {@link loadTokenizer}. */
export interface LoadTokenizerOptions {
  /**
   * The model family (`model_type` of config.json: `bert`, `roberta`, `deberta-v2`), used for the special
   * tokens tokenizer_config.json does not list. Default: from `tokenizer_class`, else from the vocabulary.
   */
  family?: TokenizerFamily;
}

async function readJsonFile(path: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new UnsupportedInputError({ source: path, expected: 'a JSON object', found: (error as Error).message });
  }
}

function familyOf(config: TokenizerConfig, option: TokenizerFamily | undefined, vocabHas: (token: string) => boolean): TokenizerFamily | null {
  if (option !== undefined) return option;
  const cls = config.tokenizerClass?.replace(/Fast$/, '');
  if (cls === 'BertTokenizer') return 'bert';
  if (cls === 'RobertaTokenizer') return 'roberta';
  if (cls === 'DebertaV2Tokenizer') return 'deberta-v2';
  if (vocabHas('[PAD]') && vocabHas('[CLS]')) return 'bert';
  if (vocabHas('<pad>') && vocabHas('<s>')) return 'roberta';
  return null;
}

/**
 * Load the tokenizer of a model folder (a local checkpoint or a hub snapshot): `tokenizer.json` when present;
 * otherwise, for DeBERTa-v2/v3 repos that ship only `spm.model` (microsoft/deberta-v3-*), the equivalent
 * tokenizer.json is built in memory as transformers' `DebertaV2Converter` does. Settings and special tokens
 * come from `tokenizer_config.json` / `special_tokens_map.json`, with the tokenizer class's defaults for
 * tokens they leave out.
 */
export async function loadTokenizer(folder: string, options: LoadTokenizerOptions = {}): Promise<HfTokenizer> {
  const rawConfig = (await readJsonFile(join(folder, 'tokenizer_config.json'))) ?? {};
  const specialMap = (await readJsonFile(join(folder, 'special_tokens_map.json'))) ?? {};
  const config = parseTokenizerConfig(rawConfig, specialMap);
  const jsonPath = join(folder, 'tokenizer.json');
  let json: string | null = null;
  try {
    json = await readFile(jsonPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (json !== null) {
    let vocab: Set<string>;
    try {
      const parsed = JSON.parse(json) as { added_tokens?: Array<{ content?: unknown }> };
      vocab = new Set((parsed.added_tokens ?? []).map((t) => String(t.content)));
    } catch (error) {
      throw new UnsupportedInputError({ source: jsonPath, expected: 'JSON', found: (error as Error).message });
    }
    const family = familyOf(config, options.family, (t) => vocab.has(t));
    const withDefaults = { ...config, specialTokens: { ...(family === null ? {} : FAMILY_DEFAULTS[family]), ...config.specialTokens } };
    return HfTokenizer.fromJson(json, withDefaults, jsonPath);
  }

  const spmPath = join(folder, 'spm.model');
  let spm: Uint8Array;
  try {
    spm = await readFile(spmPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new UnsupportedInputError({
      source: folder,
      expected: 'a tokenizer: tokenizer.json, or spm.model for DeBERTa-v2/v3 (vocab.txt / vocab.json + merges.txt alone are not supported: convert them with transformers once, or use a repo that ships tokenizer.json)',
      found: 'neither tokenizer.json nor spm.model',
    });
  }
  const family = options.family ?? (config.tokenizerClass === null ? 'deberta-v2' : familyOf(config, undefined, () => false));
  if (family !== 'deberta-v2') {
    throw new UnsupportedInputError({
      source: spmPath,
      expected: 'a DeBERTa-v2/v3 SentencePiece model (tokenizer_class DebertaV2Tokenizer)',
      found: `tokenizer_class ${config.tokenizerClass ?? 'unknown'}`,
    });
  }
  const specialTokens = { ...DEBERTA_V2_SPECIAL_TOKENS, ...config.specialTokens };
  const converted = debertaV2TokenizerJson(
    readSentencePieceModel(spm, spmPath),
    { doLowerCase: config.doLowerCase ?? false, splitByPunct: config.splitByPunct ?? false, specialTokens },
    spmPath,
  );
  return HfTokenizer.fromJson(JSON.stringify(converted), { ...config, specialTokens }, `${spmPath} (converted to tokenizer.json)`);
}
