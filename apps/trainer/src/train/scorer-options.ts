import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { scoreFunctions, type ScoreFunctionFactory } from '@adalora/scores';
import type { TrainOptions } from '../config/train-options.js';

/**
 * The options a built-in score function takes from the train flags: `--beta1/--beta2` are the two EMA
 * coefficients of `sensitivity` and `gsnr`; `movement` and `fisher` have one EMA (`beta` ← `--beta1`);
 * `magnitude` has none. Contributed scorers get `--scorer-options` only. `--scorer-options` (JSON) is
 * merged last, so it can set any option of any scorer.
 */
export function scorerOptions(options: Pick<TrainOptions, 'scorer' | 'beta1' | 'beta2' | 'scorerOptions'>): Record<string, unknown> {
  const fromFlags: Record<string, Record<string, unknown>> = {
    sensitivity: { beta1: options.beta1, beta2: options.beta2 },
    gsnr: { beta1: options.beta1, beta2: options.beta2 },
    movement: { beta: options.beta1 },
    fisher: { beta: options.beta1 },
    magnitude: {},
  };
  let extra: unknown = {};
  if (options.scorerOptions !== '') {
    try {
      extra = JSON.parse(options.scorerOptions);
    } catch (error) {
      throw new UnsupportedInputError({ source: '--scorer-options', expected: 'a JSON object', found: (error as Error).message });
    }
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new UnsupportedInputError({ source: '--scorer-options', expected: 'a JSON object', found: options.scorerOptions });
  }
  return { ...(fromFlags[options.scorer] ?? {}), ...(extra as Record<string, unknown>) };
}

/**
 * The score registry of a run: the built-ins, extended with the factories a `--scorer-module` file
 * exports (every exported function is registered under its export name, e.g. `export function taylor2`).
 */
export async function scorerRegistry(modulePath: string) {
  if (modulePath === '') return scoreFunctions;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UnsupportedInputError({ source: `--scorer-module ${modulePath}`, expected: 'a JavaScript module exporting score-function factories', found: String((error as Error).message.split('\n')[0]) });
  }
  const factories = Object.fromEntries(Object.entries(loaded).filter(([name, value]) => name !== 'default' && typeof value === 'function')) as Record<string, ScoreFunctionFactory>;
  if (Object.keys(factories).length === 0) throw new UnsupportedInputError({ source: `--scorer-module ${modulePath}`, expected: 'at least one exported factory function', found: 'none' });
  return scoreFunctions.extend(factories);
}
