import { InvalidConfigError, editDistance } from '@adalora/core';
import { requireDecayPhase } from './schedule.js';
import { requireInteger } from './validate.js';

/**
 * What happens after the budget reaches its target (spec c.4); the two reference implementations differ:
 *
 * - `'peft'` (default, `AdaLoraModel.update_and_allocate`): at `t = T − t_f` a mask is forced at the
 *   target budget regardless of `deltaT`, the keep pattern is stored and the score state is dropped;
 *   for `t > T − t_f` the stored pattern is re-applied every step without scores.
 * - `'loralib'` (the authors' `RankAllocator.update_and_mask`): at `t = T − t_f` a mask happens only if
 *   `(T − t_f) mod deltaT = 0`; for `t > T − t_f` the threshold is recomputed every step from the frozen
 *   scores. Same final pattern, applied one step later when `(T − t_f) mod deltaT ≠ 0`.
 */
export type FinalPhase = 'peft' | 'loralib';

/** The configuration of `createRankAllocator` (PEFT's `AdaLoraConfig` budget fields, camel-cased). */
export interface RankAllocatorConfig {
  /** Initial rank of every adapted matrix (PEFT `init_r`, loralib `lora_r`). Default 12. */
  readonly initR?: number;
  /** Target average rank (PEFT `target_r`); the final budget is `targetR · n`. Default 8. */
  readonly targetR?: number;
  /** Total optimizer steps of the run (PEFT `total_step`). Required. */
  readonly totalStep: number;
  /** Warm-up steps without masking (PEFT `tinit`, loralib `init_warmup`). Default 0. */
  readonly tinit?: number;
  /** Length of the final fixed-pattern phase (PEFT `tfinal`, loralib `final_warmup`). Default 0. */
  readonly tfinal?: number;
  /** Masking interval during the decay phase (PEFT `deltaT`, loralib `mask_interval`). Default 1. */
  readonly deltaT?: number;
  /** Final-phase semantics, see `FinalPhase`. Default `'peft'`. */
  readonly finalPhase?: FinalPhase;
  /**
   * Names of the adapted matrices, which fixes their number `n` (so budgets are known before the first
   * scores) and their order. Without it, the first `step` call must carry triplet scores and their keys
   * define the modules.
   */
  readonly modules?: readonly string[];
}

/** A validated `RankAllocatorConfig` with every default filled in. */
export interface ResolvedRankAllocatorConfig {
  readonly initR: number;
  readonly targetR: number;
  readonly totalStep: number;
  readonly tinit: number;
  readonly tfinal: number;
  readonly deltaT: number;
  readonly finalPhase: FinalPhase;
  readonly modules: readonly string[] | undefined;
}

/** PEFT's `AdaLoraConfig` defaults for the budget fields (`totalStep` has none: it is required). */
export const rankAllocatorDefaults = {
  initR: 12,
  targetR: 8,
  tinit: 0,
  tfinal: 0,
  deltaT: 1,
  finalPhase: 'peft',
} as const satisfies Omit<ResolvedRankAllocatorConfig, 'totalStep' | 'modules'>;

const knownFields = ['initR', 'targetR', 'totalStep', 'tinit', 'tfinal', 'deltaT', 'finalPhase', 'modules'] as const;

/**
 * Validates a rank-allocator configuration and fills in the defaults; throws `InvalidConfigError`
 * naming the field and the allowed range. Stricter than PEFT, which accepts several of these:
 *
 * - `totalStep`: required integer ≥ 1;
 * - `initR`: integer ≥ 1; `targetR`: integer in `[1, initR − 1]` (PEFT accepts `targetR > initR`, which
 *   makes `k` negative at the first mask, and `targetR = initR`, which makes `k = 0`);
 * - `tinit`, `tfinal`: integers ≥ 0 with `tinit < totalStep − tfinal` (a decay phase must exist);
 * - `deltaT`: integer ≥ 1; `finalPhase`: `'peft'` or `'loralib'`;
 * - `modules`: non-empty list of distinct non-empty names;
 * - unknown fields are rejected (a misspelt `tInit` would otherwise silently fall back to the default).
 *
 * `options.path` prefixes field names in errors, e.g. `'budget'` → `budget.tinit`, for callers that
 * embed this configuration in a larger one (the adapters controller does).
 */
export function validateRankAllocatorConfig(config: RankAllocatorConfig, options: { path?: string } = {}): ResolvedRankAllocatorConfig {
  const prefix = options.path === undefined || options.path === '' ? '' : `${options.path}.`;
  if (typeof config !== 'object' || config === null) {
    throw new InvalidConfigError({ field: options.path ?? 'config', value: config, reason: 'must be an object' });
  }
  for (const key of Object.keys(config)) {
    if (!(knownFields as readonly string[]).includes(key)) {
      const sameLetters = knownFields.filter((known) => known.toLowerCase() === key.toLowerCase());
      const near = sameLetters.length > 0 ? sameLetters : knownFields.filter((known) => editDistance(known.toLowerCase(), key.toLowerCase()) <= 2);
      const hint = near.length > 0 ? ` Did you mean '${near.join("' or '")}'?` : '';
      throw new InvalidConfigError({
        field: `${prefix}${key}`,
        value: (config as unknown as Record<string, unknown>)[key],
        reason: `unknown field; known fields: ${knownFields.join(', ')}.${hint}`,
      });
    }
  }
  if (config.totalStep === undefined) {
    throw new InvalidConfigError({
      field: `${prefix}totalStep`,
      value: undefined,
      reason: 'is required: the total number of optimizer steps of the run, an integer ≥ 1',
    });
  }
  const totalStep = requireInteger(`${prefix}totalStep`, config.totalStep, 1);
  const initR = requireInteger(`${prefix}initR`, config.initR ?? rankAllocatorDefaults.initR, 1);
  const targetRValue = config.targetR ?? rankAllocatorDefaults.targetR;
  if (initR === 1) {
    throw new InvalidConfigError({
      field: `${prefix}initR`,
      value: initR,
      reason: 'must be at least 2: the target rank must be at least 1 and below the initial rank',
    });
  }
  if (config.targetR === undefined && targetRValue > initR - 1) {
    throw new InvalidConfigError({
      field: `${prefix}targetR`,
      value: undefined,
      reason: `defaults to ${targetRValue}, which is not below initR = ${initR}; set targetR to an integer in [1, ${initR - 1}]`,
    });
  }
  const targetR = requireInteger(`${prefix}targetR`, targetRValue, 1, initR - 1);
  const tinit = requireInteger(`${prefix}tinit`, config.tinit ?? rankAllocatorDefaults.tinit, 0);
  const tfinal = requireInteger(`${prefix}tfinal`, config.tfinal ?? rankAllocatorDefaults.tfinal, 0);
  requireDecayPhase({ totalStep, tinit, tfinal }, prefix);
  const deltaT = requireInteger(`${prefix}deltaT`, config.deltaT ?? rankAllocatorDefaults.deltaT, 1);
  const finalPhase = config.finalPhase ?? rankAllocatorDefaults.finalPhase;
  if (finalPhase !== 'peft' && finalPhase !== 'loralib') {
    throw new InvalidConfigError({ field: `${prefix}finalPhase`, value: finalPhase, reason: "must be 'peft' or 'loralib'" });
  }
  const modules = config.modules === undefined ? undefined : validateModules(config.modules, `${prefix}modules`);
  return { initR, targetR, totalStep, tinit, tfinal, deltaT, finalPhase, modules };
}

function validateModules(modules: unknown, field: string): readonly string[] {
  if (!Array.isArray(modules) || modules.length === 0) {
    throw new InvalidConfigError({ field, value: modules, reason: 'must be a non-empty array of matrix names' });
  }
  const seen = new Set<string>();
  modules.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || name === '') {
      throw new InvalidConfigError({ field: `${field}[${index}]`, value: name, reason: 'must be a non-empty string' });
    }
    if (seen.has(name)) {
      throw new InvalidConfigError({ field: `${field}[${index}]`, value: name, reason: 'duplicate matrix name' });
    }
    seen.add(name);
  });
  return [...(modules as string[])];
}
