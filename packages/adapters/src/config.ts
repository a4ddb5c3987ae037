import { InvalidConfigError, editDistance } from '@adalora/core';
import { validateRankAllocatorConfig } from '@adalora/budget';
import type { FinalPhase, ResolvedRankAllocatorConfig } from '@adalora/budget';
import type { ScoreFunction } from '@adalora/scores';
import type { OrthRegForm } from './orth-reg.js';
import type { TargetModules } from './target-modules.js';

/** Which adapter `createAdaLora` attaches: AdaLoRA's SVD form with rank allocation, or plain LoRA (the baseline). */
export type AdapterMethod = 'adalora' | 'lora';

/** What `updateAndAllocate` does when a gradient it needs holds NaN or ±Infinity. */
export type NonFiniteGradientPolicy = 'skip' | 'error';

/** The rank-budget schedule of an AdaLoRA run (PEFT's `AdaLoraConfig` fields, camel-cased). */
export interface AdaLoraBudgetConfig {
  /** Total optimizer steps `T` (PEFT `total_step`). Required. */
  totalStep: number;
  /** Warm-up steps without masking (PEFT `tinit`). Default 0. */
  tinit?: number;
  /** Length of the final fixed-pattern phase (PEFT `tfinal`). Default 0. */
  tfinal?: number;
  /** Masking interval during the decay phase (PEFT `deltaT`). Default 1. */
  deltaT?: number;
  /** Final-phase semantics: `'peft'` (default) or the authors' `'loralib'` (see `@adalora/budget`). */
  finalPhase?: FinalPhase;
}

/** Configuration of `createAdaLora`. */
export interface AdaLoraConfig {
  /** The linear layers to adapt (PEFT's matching rules, see `TargetModules`). */
  targetModules: TargetModules;
  /** `'adalora'` (default) or `'lora'` (plain LoRA, no scores, no masking: the baseline). */
  method?: AdapterMethod;
  /** Initial rank of every adapted matrix (PEFT `init_r`); for `'lora'` the LoRA rank `r`. */
  initR: number;
  /** Target average rank (PEFT `target_r`); the final budget is `targetR · n`. AdaLoRA only. */
  targetR?: number;
  /** Scaling numerator (PEFT `lora_alpha`): AdaLoRA scales by `alpha / (initR + 1e-5)`, LoRA by `alpha / r`. */
  alpha: number;
  /** Dropout probability on the adapter input (PEFT `lora_dropout`). Default 0. */
  dropout?: number;
  /** The importance score function (e.g. `sensitivity({ beta1: 0.85, beta2: 0.85 })`). AdaLoRA only, required. */
  scorer?: ScoreFunction<unknown>;
  /** The budget schedule. AdaLoRA only, required. */
  budget?: AdaLoraBudgetConfig;
  /** γ of the orthogonal regulariser (PEFT `orth_reg_weight`). Default 0.5 for AdaLoRA (PEFT), 0 for LoRA. */
  orthRegWeight?: number;
  /** `'code'` (PEFT/loralib, default) or `'paper'` (eq. 4), see `OrthRegForm`. */
  orthRegForm?: OrthRegForm;
  /** Seed of the adapters' initialisation; each matrix draws from its own stream derived from it. Default 0. */
  seed?: number;
  /**
   * PEFT's `fan_in_fan_out`. The layer's own `weightLayout` decides how ΔW is merged; a value here that
   * contradicts a layer's layout is reported through `onWarning` and overridden, as PEFT does.
   */
  fanInFanOut?: boolean;
  /** PEFT adapter name, the last part of every variable name (default `'default'`). */
  adapterName?: string;
  /**
   * A NaN/±Infinity gradient passed to `updateAndAllocate`: `'skip'` (default) leaves every score state
   * unchanged for that step, warns, and still applies the schedule's mask from the scores so far;
   * `'error'` throws `UnsupportedInputError` naming the variables.
   */
  nonFiniteGradients?: NonFiniteGradientPolicy;
  /** Receives warnings (non-finite gradients skipped, fan-in-fan-out overridden, merge twice). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** A validated `AdaLoraConfig` with defaults filled in. */
export interface ResolvedAdaLoraConfig {
  readonly method: AdapterMethod;
  readonly targetModules: TargetModules;
  readonly initR: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly orthRegWeight: number;
  readonly orthRegForm: OrthRegForm;
  readonly seed: number;
  readonly fanInFanOut: boolean | undefined;
  readonly adapterName: string;
  readonly nonFiniteGradients: NonFiniteGradientPolicy;
  readonly onWarning: (message: string) => void;
  /** AdaLoRA only (null for LoRA). */
  readonly scorer: ScoreFunction<unknown> | null;
  /** AdaLoRA only (null for LoRA): the allocator configuration without `modules`. */
  readonly allocator: Omit<ResolvedRankAllocatorConfig, 'modules'> | null;
}

const knownFields = [
  'targetModules',
  'method',
  'initR',
  'targetR',
  'alpha',
  'dropout',
  'scorer',
  'budget',
  'orthRegWeight',
  'orthRegForm',
  'seed',
  'fanInFanOut',
  'adapterName',
  'nonFiniteGradients',
  'onWarning',
] as const;
const budgetFields = ['totalStep', 'tinit', 'tfinal', 'deltaT', 'finalPhase'] as const;
const adaloraOnly = ['targetR', 'scorer', 'budget'] as const;

/**
 * Validates an `AdaLoraConfig` and fills in defaults, throwing `InvalidConfigError` that names the field
 * (`budget.tinit`, `scorer`, ...). Stricter than PEFT where PEFT would fail later or silently: unknown
 * fields are rejected with a did-you-mean hint, `targetR` must be below `initR` (PEFT accepts
 * `target_r > init_r`, which breaks the first mask), and AdaLoRA-only fields given with `method: 'lora'`
 * are refused rather than ignored.
 */
export function resolveAdaLoraConfig(config: AdaLoraConfig): ResolvedAdaLoraConfig {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidConfigError({ field: 'config', value: config, reason: 'must be an object' });
  }
  rejectUnknown(config as unknown as Record<string, unknown>, knownFields, '');
  const method = config.method ?? 'adalora';
  if (method !== 'adalora' && method !== 'lora') {
    throw new InvalidConfigError({ field: 'method', value: method, reason: "must be 'adalora' or 'lora'" });
  }
  if (config.targetModules === undefined) {
    throw new InvalidConfigError({ field: 'targetModules', value: undefined, reason: 'is required: the names (or a regular expression) of the linear layers to adapt' });
  }
  const initR = requireInteger('initR', config.initR, 1);
  const alpha = config.alpha;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0) {
    throw new InvalidConfigError({ field: 'alpha', value: alpha, reason: 'must be a finite number > 0 (PEFT lora_alpha)' });
  }
  const dropout = config.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new InvalidConfigError({ field: 'dropout', value: dropout, reason: 'must be a probability in [0, 1)' });
  }
  const orthRegWeight = config.orthRegWeight ?? (method === 'adalora' ? 0.5 : 0);
  if (typeof orthRegWeight !== 'number' || !Number.isFinite(orthRegWeight) || orthRegWeight < 0) {
    throw new InvalidConfigError({ field: 'orthRegWeight', value: orthRegWeight, reason: 'must be a finite number ≥ 0 (PEFT orth_reg_weight)' });
  }
  const orthRegForm = config.orthRegForm ?? 'code';
  if (orthRegForm !== 'code' && orthRegForm !== 'paper') {
    throw new InvalidConfigError({ field: 'orthRegForm', value: orthRegForm, reason: "must be 'code' or 'paper'" });
  }
  const seed = config.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidConfigError({ field: 'seed', value: seed, reason: 'must be a non-negative integer' });
  }
  if (config.fanInFanOut !== undefined && typeof config.fanInFanOut !== 'boolean') {
    throw new InvalidConfigError({ field: 'fanInFanOut', value: config.fanInFanOut, reason: 'must be a boolean' });
  }
  const adapterName = config.adapterName ?? 'default';
  if (typeof adapterName !== 'string' || !/^[A-Za-z0-9_-]+$/.test(adapterName)) {
    throw new InvalidConfigError({ field: 'adapterName', value: adapterName, reason: 'must be a non-empty name of letters, digits, _ or - (it ends every variable name)' });
  }
  const nonFiniteGradients = config.nonFiniteGradients ?? 'skip';
  if (nonFiniteGradients !== 'skip' && nonFiniteGradients !== 'error') {
    throw new InvalidConfigError({ field: 'nonFiniteGradients', value: nonFiniteGradients, reason: "must be 'skip' or 'error'" });
  }
  if (config.onWarning !== undefined && typeof config.onWarning !== 'function') {
    throw new InvalidConfigError({ field: 'onWarning', value: typeof config.onWarning, reason: 'must be a function' });
  }
  const onWarning = config.onWarning ?? ((message: string) => console.warn(message));
  const common = { method, targetModules: config.targetModules, initR, alpha, dropout, orthRegWeight, orthRegForm, seed, fanInFanOut: config.fanInFanOut, adapterName, nonFiniteGradients, onWarning };

  if (method === 'lora') {
    for (const field of adaloraOnly) {
      if (config[field] !== undefined) {
        throw new InvalidConfigError({ field, value: describe(config[field]), reason: "is AdaLoRA-only; plain LoRA (method 'lora') has no scores or rank budget" });
      }
    }
    return { ...common, scorer: null, allocator: null };
  }
  const scorer = requireScorer(config.scorer);
  const budget = config.budget;
  if (typeof budget !== 'object' || budget === null) {
    throw new InvalidConfigError({ field: 'budget', value: budget, reason: 'is required for AdaLoRA: { totalStep, tinit?, tfinal?, deltaT?, finalPhase? }' });
  }
  rejectUnknown(budget as unknown as Record<string, unknown>, budgetFields, 'budget.');
  if (config.targetR === undefined) {
    throw new InvalidConfigError({ field: 'targetR', value: undefined, reason: `is required for AdaLoRA: the target average rank, an integer in [1, ${initR - 1}]` });
  }
  let allocator: ResolvedRankAllocatorConfig;
  try {
    allocator = validateRankAllocatorConfig({ ...budget, initR, targetR: config.targetR });
  } catch (error) {
    // The allocator names fields as its own config does; here only initR/targetR are top-level.
    if (InvalidConfigError.isInstance(error) && !['initR', 'targetR'].includes(error.field)) {
      throw new InvalidConfigError({ field: `budget.${error.field}`, value: error.value, reason: error.reason });
    }
    throw error;
  }
  const { modules: _modules, ...allocatorConfig } = allocator;
  return { ...common, scorer, allocator: allocatorConfig };
}

function requireScorer(scorer: unknown): ScoreFunction<unknown> {
  const candidate = scorer as Partial<ScoreFunction<unknown>> | undefined;
  if (candidate === undefined) {
    throw new InvalidConfigError({ field: 'scorer', value: undefined, reason: "is required for AdaLoRA: a score function such as sensitivity({ beta1: 0.85, beta2: 0.85 }) from '@adalora/scores'" });
  }
  const ok =
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.specificationVersion === 'v1' &&
    typeof candidate.id === 'string' &&
    ['init', 'update', 'score', 'dispose'].every((m) => typeof (candidate as Record<string, unknown>)[m] === 'function');
  if (!ok) {
    throw new InvalidConfigError({
      field: 'scorer',
      value: describe(scorer),
      reason: "must be a ScoreFunction (specificationVersion 'v1' with id, init, update, score, dispose); a registry id must be resolved and called first, e.g. scoreFunctions.resolve(id)(options)",
    });
  }
  return candidate as ScoreFunction<unknown>;
}

function rejectUnknown(object: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const near = known.filter((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
    const hint = near.length > 0 ? ` Did you mean '${near.join("' or '")}'?` : '';
    throw new InvalidConfigError({ field: `${prefix}${key}`, value: describe(object[key]), reason: `unknown field; known fields: ${known.join(', ')}.${hint}` });
  }
}

function requireInteger(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidConfigError({ field, value, reason: `must be an integer ≥ ${min}` });
  }
  return value;
}

function describe(value: unknown): unknown {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null && 'id' in value) return `score function '${String((value as { id: unknown }).id)}'`;
  return value;
}
