import { UnsupportedInputError } from '@adalora/core';
import type { AdapterKind } from './adapter.js';

/** File name of PEFT's adapter configuration. */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
/** File name of PEFT's adapter weights. */
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
/** Prefix PEFT puts before module names in saved state dicts (`PeftModel.base_model.model`). */
export const PEFT_KEY_PREFIX = 'base_model.model.';

/**
 * PEFT's key of one adapter tensor in `adapter_model.safetensors`: AdaLoRA's factors are bare
 * parameters (`base_model.model.<module>.lora_A`, `lora_E`, `lora_B`), plain LoRA's are `nn.Linear`
 * weights (`base_model.model.<module>.lora_A.weight`). The adapter name is stripped on save, as PEFT does.
 */
export function peftTensorKey(module: string, factor: 'A' | 'E' | 'B', kind: AdapterKind): string {
  return `${PEFT_KEY_PREFIX}${module}.lora_${factor}${kind === 'lora' ? '.weight' : ''}`;
}

/** PEFT's key of a module's entry in `rank_pattern` (the saved `lora_E` parameter name, adapter name stripped). */
export function rankPatternKey(module: string): string {
  return `${module}.lora_E`;
}

/** The fields of `adapter_config.json` this package reads back (PEFT's names). */
export interface PeftAdapterConfig {
  peftType: 'ADALORA' | 'LORA';
  /** AdaLoRA `init_r`, or LoRA `r`. */
  rank: number;
  /** AdaLoRA only. */
  targetR: number | null;
  loraAlpha: number;
  loraDropout: number;
  /** A string (regular expression, PEFT full-match) or a list of names/suffixes. */
  targetModules: string | string[];
  fanInFanOut: boolean;
  /** AdaLoRA only: keep flags per `<module>.lora_E`, or null before the first mask. */
  rankPattern: Record<string, boolean[]> | null;
  tinit: number | null;
  tfinal: number | null;
  deltaT: number | null;
  beta1: number | null;
  beta2: number | null;
  orthRegWeight: number | null;
  totalStep: number | null;
}

/**
 * Parses and validates the text of an `adapter_config.json`. Every field this package uses is checked
 * for presence and type; a problem is an `UnsupportedInputError` naming the file and the field.
 * PEFT's defaults fill in absent optional fields (lora_dropout 0, fan_in_fan_out false, tinit 0, tfinal
 * 0, deltaT 1, beta1 = beta2 = 0.85, orth_reg_weight 0.5; LoRA lora_alpha 8).
 */
export function parsePeftAdapterConfig(text: string, path: string): PeftAdapterConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UnsupportedInputError({ source: path, expected: 'a JSON object (PEFT adapter_config.json)', found: `invalid JSON (${(cause as Error).message})` });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UnsupportedInputError({ source: path, expected: 'a JSON object (PEFT adapter_config.json)', found: Array.isArray(json) ? 'an array' : typeof json });
  }
  const o = json as Record<string, unknown>;
  const field = (name: string) => `${path}: ${name}`;
  const peftType = o.peft_type;
  if (peftType !== 'ADALORA' && peftType !== 'LORA') {
    throw new UnsupportedInputError({ source: field('peft_type'), expected: "'ADALORA' or 'LORA'", found: JSON.stringify(peftType) });
  }
  const num = (name: string, fallback: number | null, check: (v: number) => boolean, what: string): number | null => {
    const value = o[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !check(value)) throw new UnsupportedInputError({ source: field(name), expected: what, found: JSON.stringify(value) });
    return value;
  };
  const required = (name: string, value: number | null, what: string): number => {
    if (value === null) throw new UnsupportedInputError({ source: field(name), expected: what, found: 'nothing' });
    return value;
  };
  const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;
  const nonNegInt = (v: number) => Number.isInteger(v) && v >= 0;
  const adalora = peftType === 'ADALORA';
  const rank = required(adalora ? 'init_r' : 'r', num(adalora ? 'init_r' : 'r', adalora ? 12 : 8, positiveInt, 'an integer ≥ 1'), 'an integer ≥ 1');
  const loraAlpha = required('lora_alpha', num('lora_alpha', 8, (v) => Number.isFinite(v) && v > 0, 'a number > 0'), 'a number > 0');
  const loraDropout = required('lora_dropout', num('lora_dropout', 0, (v) => v >= 0 && v < 1, 'a probability in [0, 1)'), 'a probability');
  const targets = o.target_modules;
  let targetModules: string | string[];
  if (typeof targets === 'string') targetModules = targets;
  else if (Array.isArray(targets) && targets.length > 0 && targets.every((t) => typeof t === 'string')) targetModules = [...(targets as string[])];
  else throw new UnsupportedInputError({ source: field('target_modules'), expected: 'a regular expression string or a non-empty list of module names', found: JSON.stringify(targets) });
  const fan = o.fan_in_fan_out ?? false;
  if (typeof fan !== 'boolean') throw new UnsupportedInputError({ source: field('fan_in_fan_out'), expected: 'a boolean', found: JSON.stringify(fan) });

  let rankPattern: Record<string, boolean[]> | null = null;
  if (adalora && o.rank_pattern !== undefined && o.rank_pattern !== null) {
    const rp = o.rank_pattern;
    if (typeof rp !== 'object' || Array.isArray(rp)) {
      throw new UnsupportedInputError({ source: field('rank_pattern'), expected: 'an object: lora_E name → list of booleans', found: JSON.stringify(rp) });
    }
    rankPattern = {};
    for (const [key, flags] of Object.entries(rp as Record<string, unknown>)) {
      if (!Array.isArray(flags) || !flags.every((f) => typeof f === 'boolean')) {
        throw new UnsupportedInputError({ source: field(`rank_pattern['${key}']`), expected: 'a list of booleans (one keep flag per triplet)', found: JSON.stringify(flags) });
      }
      rankPattern[key] = [...(flags as boolean[])];
    }
  }
  return {
    peftType,
    rank,
    targetR: adalora ? required('target_r', num('target_r', 8, positiveInt, 'an integer ≥ 1'), 'an integer ≥ 1') : null,
    loraAlpha,
    loraDropout,
    targetModules,
    fanInFanOut: fan,
    rankPattern,
    tinit: adalora ? num('tinit', 0, nonNegInt, 'an integer ≥ 0') : null,
    tfinal: adalora ? num('tfinal', 0, nonNegInt, 'an integer ≥ 0') : null,
    deltaT: adalora ? num('deltaT', 1, positiveInt, 'an integer ≥ 1') : null,
    beta1: adalora ? num('beta1', 0.85, (v) => v > 0 && v < 1, 'a number in (0, 1)') : null,
    beta2: adalora ? num('beta2', 0.85, (v) => v > 0 && v < 1, 'a number in (0, 1)') : null,
    orthRegWeight: adalora ? num('orth_reg_weight', 0.5, (v) => Number.isFinite(v) && v >= 0, 'a number ≥ 0') : null,
    totalStep: adalora ? num('total_step', null, positiveInt, 'an integer ≥ 1') : null,
  };
}

/** Serialises a config object the way PEFT's `save_pretrained` does (`json.dumps(indent=2, sort_keys=True)`). */
export function formatPeftConfig(config: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.keys(config).sort().map((k) => [k, config[k]]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
