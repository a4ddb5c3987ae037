import { UnknownImplementationError, UnsupportedInputError } from '@adalora/core';
import type { ModelSpec } from '../model.js';
import { parseBertConfig } from './bert-config.js';
import type { RawConfig } from './config-fields.js';
import { parseDebertaV2Config } from './deberta-config.js';

/** The `model_type` values this package implements. */
export const supportedModelTypes = ['deberta-v2', 'bert', 'roberta'] as const;

/**
 * Resolves a Hugging Face `config.json` (parsed) into a model spec by its `model_type`, applying the
 * class defaults of that type. An unknown or missing `model_type` is an error listing the supported ones.
 */
export function parseModelConfig(raw: unknown, source = 'config.json'): ModelSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UnsupportedInputError({ source, expected: 'a JSON object (a Hugging Face config.json)', found: Array.isArray(raw) ? 'an array' : typeof raw });
  }
  const config = raw as RawConfig;
  const type = config.model_type;
  if (typeof type !== 'string') throw new UnsupportedInputError({ source, expected: `a "model_type" string (one of ${supportedModelTypes.join(', ')})`, found: JSON.stringify(type) });
  switch (type) {
    case 'deberta-v2':
      return { family: 'deberta-v2', config: parseDebertaV2Config(config, source) };
    case 'bert':
    case 'roberta':
      return { family: type, config: parseBertConfig(config, type, source) };
    default:
      throw new UnknownImplementationError({ kind: `model_type (${source})`, id: type, available: supportedModelTypes });
  }
}
