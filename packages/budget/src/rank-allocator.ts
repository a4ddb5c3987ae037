import { UnsupportedInputError } from '@adalora/core';
import { validateRankAllocatorConfig } from './allocator-config.js';
import type { RankAllocatorConfig, ResolvedRankAllocatorConfig } from './allocator-config.js';
import { budgetAtUnchecked, phaseAt } from './schedule.js';
import type { Phase } from './schedule.js';
import { maskToBudget } from './threshold.js';
import type { ScoreArray } from './threshold.js';
import { requireInteger } from './validate.js';

/** Triplet scores of every adapted matrix at one step, by matrix name. */
export type TripletScoreMap = Readonly<Record<string, ScoreArray>>;

/**
 * What the allocator will do at step `t`, known before any score is computed. The caller (the
 * AdaLoRA controller) asks for it first, because it decides the work of the step:
 *
 * 1. if `updateScores`, update every score function's state with this step's (value, grad);
 * 2. if `needsScores`, compute the triplet scores and pass them to `step(t, scores)`; otherwise call
 *    `step(t)` without scores;
 * 3. if the returned `keep` is non-null, zero `E_i` wherever `keep[name][i]` is false;
 * 4. if `resetScores`, dispose the score states: nothing reads them again.
 */
export interface StepPlan {
  /** The 0-based optimizer step this plan is for. */
  readonly step: number;
  /** `'warmup'` (`t ≤ tinit`), `'decay'` (up to and including `t = totalStep − tfinal`) or `'final'`. */
  readonly phase: Phase;
  /** `b(t)` from the schedule (`targetBudget` throughout the final phase). */
  readonly budget: number;
  /** `step(t)` will return a non-null `keep`: E must be (re-)masked at this step. */
  readonly maskNow: boolean;
  /** Update the score states with this step's (value, grad): true exactly while `t < totalStep − tfinal`. */
  readonly updateScores: boolean;
  /** `step(t)` needs this step's triplet scores (a threshold is computed from them). */
  readonly needsScores: boolean;
  /** The score states are never read after this step (PEFT semantics at `t = totalStep − tfinal`). */
  readonly resetScores: boolean;
}

/** What `RankAllocator.step` decided. */
export interface Allocation {
  /** `b(t)`; `targetBudget` in the final phase (PEFT's replay computes none; the value it stands for). */
  readonly budget: number;
  /** `τ` when a threshold was computed at this step, else `null`. */
  readonly threshold: number | null;
  /**
   * Non-null exactly when E must be (re-)masked at this step: per matrix, one flag per triplet,
   * `true` = keep, `false` = set `E_i` to 0. A fresh object the caller may keep.
   */
  readonly keep: Record<string, boolean[]> | null;
  /** The schedule phase of this step. */
  readonly phase: Phase;
  /** Where `keep` came from: a fresh threshold, PEFT's stored pattern (`'rank-pattern'`), or `null`. */
  readonly maskSource: 'threshold' | 'rank-pattern' | null;
}

/** AdaLoRA's global rank allocator over plain numbers; create it with `createRankAllocator`. */
export interface RankAllocator {
  /** The validated configuration, defaults filled in. */
  readonly config: ResolvedRankAllocatorConfig;
  /** Matrix names in their fixed order, or `undefined` until the first scores arrive (no `modules` given). */
  modules(): readonly string[] | undefined;
  /** `b_init = n · initR`. Throws while the modules are unknown. */
  initBudget(): number;
  /** `b_target = n · targetR`. Throws while the modules are unknown. */
  targetBudget(): number;
  /** What `step(t)` will do and what the caller must compute first (see `StepPlan`). Pure. */
  plan(t: number): StepPlan;
  /**
   * Runs step `t`: returns the budget, the threshold and, on masking steps, the keep flags. Throws if
   * `plan(t).needsScores` and `tripletScores` is missing; scores passed when not needed are ignored.
   */
  step(t: number, tripletScores?: TripletScoreMap): Allocation;
  /**
   * The keep flags of the last mask (PEFT's `rank_pattern`, loralib's `rank_pattern` counts are their
   * sums), or `null` before the first mask. A copy.
   */
  rankPattern(): Record<string, boolean[]> | null;
  /**
   * Sets the stored keep pattern, as saved from `rankPattern()` in a checkpoint, so a resumed run's
   * PEFT final phase replays the same pattern. Every known matrix needs `initR` flags.
   */
  restoreRankPattern(pattern: Readonly<Record<string, readonly boolean[]>> | null): void;
}

/**
 * Creates the allocator for one training run. `step(t, scores)` implements spec c.3/c.4: on a masking
 * step with budget `b`, `τ = thresholdFor(all scores, b_init − b)` and every triplet with `S ≤ τ` is
 * masked; the final phase follows `config.finalPhase` (`'peft'` by default).
 *
 * Invalid configurations throw `InvalidConfigError` at construction (see `validateRankAllocatorConfig`).
 * The allocator holds only the last keep pattern; steps may be replayed in any order.
 */
export function createRankAllocator(config: RankAllocatorConfig): RankAllocator {
  const resolved = validateRankAllocatorConfig(config);
  const { initR, targetR, totalStep, tinit, tfinal, finalPhase } = resolved;
  const finalStart = totalStep - tfinal;
  let modules = resolved.modules;
  let stored: Record<string, boolean[]> | null = null;

  const knownModules = (): readonly string[] => {
    if (modules === undefined) {
      throw new UnsupportedInputError({
        source: 'RankAllocator',
        expected: 'the matrix names: pass `modules` in the config, or triplet scores to the first step() call',
        found: 'neither',
      });
    }
    return modules;
  };

  const plan = (t: number): StepPlan => {
    requireInteger('step', t, 0);
    const n = knownModules().length;
    const schedule = budgetAtUnchecked(t, { ...resolved, initBudget: n * initR, targetBudget: n * targetR });
    const phase = phaseAt(t, resolved);
    const updateScores = t < finalStart;
    if (t === finalStart && finalPhase === 'peft') {
      // PEFT forces the final mask here regardless of deltaT, then drops the score state.
      return { step: t, phase, budget: schedule.budget, maskNow: true, updateScores, needsScores: true, resetScores: true };
    }
    const replay = t > finalStart && finalPhase === 'peft';
    return { step: t, phase, budget: schedule.budget, maskNow: schedule.maskNow, updateScores, needsScores: schedule.maskNow && !replay, resetScores: false };
  };

  const checkScores = (scores: TripletScoreMap, order: readonly string[], t: number): void => {
    const missing = order.filter((name) => !(name in scores));
    const extra = Object.keys(scores).filter((name) => !order.includes(name));
    if (missing.length > 0 || extra.length > 0) {
      throw new UnsupportedInputError({
        source: `RankAllocator.step(${t}): tripletScores`,
        expected: `scores for exactly the matrices [${order.join(', ')}]`,
        found: [missing.length > 0 ? `missing [${missing.join(', ')}]` : '', extra.length > 0 ? `unexpected [${extra.join(', ')}]` : '']
          .filter(Boolean)
          .join(', '),
      });
    }
    for (const name of order) {
      const length = (scores[name] as ScoreArray).length;
      if (length !== initR) {
        throw new UnsupportedInputError({
          source: `RankAllocator.step(${t}): tripletScores['${name}']`,
          expected: `initR = ${initR} scores (one per triplet)`,
          found: `${length}`,
        });
      }
    }
  };

  return {
    config: resolved,
    modules: () => (modules === undefined ? undefined : [...modules]),
    initBudget: () => knownModules().length * initR,
    targetBudget: () => knownModules().length * targetR,
    plan,
    step(t, tripletScores) {
      if (modules === undefined && tripletScores !== undefined) {
        checkScores(tripletScores, Object.keys(tripletScores), t);
        modules = Object.keys(tripletScores);
      }
      const order = knownModules();
      const { phase, budget, maskNow, needsScores } = plan(t);
      if (!maskNow) return { budget, threshold: null, keep: null, phase, maskSource: null };
      if (!needsScores) {
        if (stored === null) {
          throw new UnsupportedInputError({
            source: `RankAllocator.step(${t})`,
            expected: `a rank pattern stored by step(${finalStart}) (PEFT final phase replays it for t > totalStep − tfinal = ${finalStart})`,
            found: 'no mask so far',
          });
        }
        return { budget, threshold: null, keep: copyPattern(stored), phase, maskSource: 'rank-pattern' };
      }
      if (tripletScores === undefined) {
        throw new UnsupportedInputError({
          source: `RankAllocator.step(${t})`,
          expected: 'triplet scores: this step masks from a fresh threshold (plan(t).needsScores is true)',
          found: 'none',
        });
      }
      checkScores(tripletScores, order, t);
      const mask = maskToBudget(tripletScores, budget, { initBudget: order.length * initR, order });
      stored = copyPattern(mask.keep);
      return { budget, threshold: mask.threshold, keep: mask.keep, phase, maskSource: 'threshold' };
    },
    rankPattern: () => (stored === null ? null : copyPattern(stored)),
    restoreRankPattern(pattern) {
      if (pattern === null) {
        stored = null;
        return;
      }
      const order = modules ?? Object.keys(pattern);
      const bad = order.filter((name) => pattern[name]?.length !== initR || !(pattern[name] as readonly boolean[]).every((f) => typeof f === 'boolean'));
      const extra = Object.keys(pattern).filter((name) => !order.includes(name));
      if (bad.length > 0 || extra.length > 0) {
        throw new UnsupportedInputError({
          source: 'RankAllocator.restoreRankPattern',
          expected: `${initR} boolean flags for each of [${order.join(', ')}]`,
          found: [bad.length > 0 ? `bad or missing [${bad.join(', ')}]` : '', extra.length > 0 ? `unexpected [${extra.join(', ')}]` : ''].filter(Boolean).join(', '),
        });
      }
      modules = order;
      stored = copyPattern(pattern);
    },
  };
}

function copyPattern(pattern: Readonly<Record<string, readonly boolean[]>>): Record<string, boolean[]> {
  return Object.fromEntries(Object.entries(pattern).map(([name, flags]) => [name, [...flags]]));
}
