import { readFileSync } from 'node:fs';
import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import { trainDefaults, trainOptionSpecs, type OptionSpec, type TrainOptions } from './train-options.js';

const byKey = new Map(trainOptionSpecs.map((spec) => [spec.key as string, spec]));
const byFlag = new Map(trainOptionSpecs.map((spec) => [spec.flag, spec]));

/** Converts one raw value (a CLI string or a JSON value) to the option's type, or throws naming the field. */
export function parseOptionValue(spec: OptionSpec, raw: unknown, source: string): TrainOptions[keyof TrainOptions] {
  const fail = (reason: string): never => {
    throw new InvalidConfigError({ field: `${source}${spec.flag}`, value: raw, reason });
  };
  switch (spec.kind) {
    case 'string': {
      // JSON configs may give true/false for a true|false choice.
      const value = typeof raw === 'boolean' ? String(raw) : raw;
      if (typeof value !== 'string') return fail('expected a string');
      if (spec.choices !== undefined && !spec.choices.includes(value)) fail(`expected one of ${spec.choices.join(', ')}`);
      return value;
    }
    case 'list': {
      if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw as string[];
      if (typeof raw === 'string') return raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
      return fail('expected a comma-separated list or an array of strings');
    }
    case 'int':
    case 'number': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value)) fail('expected a number');
      if (spec.kind === 'int' && !Number.isInteger(value)) fail('expected a whole number');
      if (spec.min !== undefined && value < spec.min) fail(`must be ≥ ${spec.min}`);
      if (spec.max !== undefined && value > spec.max) fail(`must be ≤ ${spec.max}`);
      return value;
    }
  }
}

/** Reads `--config file.json`: keys are the flags in camelCase (or the flags themselves). */
export function readConfigFile(path: string): Partial<TrainOptions> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UnsupportedInputError({ source: path, expected: 'a readable JSON object of train options', found: (error as Error).message });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UnsupportedInputError({ source: path, expected: 'a JSON object of train options' });
  }
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(parsed)) {
    const spec = byKey.get(name) ?? byFlag.get(name);
    if (spec === undefined) {
      throw new InvalidConfigError({ field: `${path}: ${name}`, value: raw, reason: `unknown option; known: ${trainOptionSpecs.map((s) => s.key).join(', ')}` });
    }
    out[spec.key] = parseOptionValue(spec, raw, `${path}: `);
  }
  return out as Partial<TrainOptions>;
}

/** Parses CLI flag values (strings from commander, keyed by camelCase option name). */
export function parseFlags(flags: Record<string, unknown>): Partial<TrainOptions> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(flags)) {
    const spec = byKey.get(name);
    if (spec === undefined || raw === undefined) continue;
    out[spec.key] = parseOptionValue(spec, raw, '--');
  }
  return out as Partial<TrainOptions>;
}

/** Defaults < preset < config file < flags. */
export function mergeOptions(...layers: Array<Partial<TrainOptions>>): TrainOptions {
  return Object.assign({}, trainDefaults, ...layers) as TrainOptions;
}
