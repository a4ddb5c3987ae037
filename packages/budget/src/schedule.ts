import { InvalidConfigError } from '@adalora/core';
import { requireInteger } from './validate.js';

/** The inputs of AdaLoRA's cubic budget schedule. All step counts are optimizer steps. */
export interface BudgetScheduleConfig {
  /** `b_init`: triplets alive at the start, `Σ_k r_k` (= number of adapted matrices × initial rank). */
  readonly initBudget: number;
  /** `b_target`: triplets alive at the end (= number of adapted matrices × target rank). */
  readonly targetBudget: number;
  /** `T`: total number of optimizer steps of the run. */
  readonly totalStep: number;
  /** `t_i`: warm-up steps; the budget stays at `initBudget` while `t ≤ tinit`. */
  readonly tinit: number;
  /** `t_f`: length of the final phase; the budget is `targetBudget` once `t > totalStep − tfinal`. */
  readonly tfinal: number;
  /** `Δ`: during the decay phase the mask is applied only on steps with `t mod deltaT = 0`. */
  readonly deltaT: number;
}

/** The budget at one step and whether the schedule asks for a mask at that step. */
export interface BudgetAt {
  /** `b(t)`: the number of triplets allowed to stay non-zero, summed over all adapted matrices. */
  readonly budget: number;
  /** Whether the schedule masks at this step (always true in the final phase, see `budgetAt`). */
  readonly maskNow: boolean;
}

/**
 * The phase a step belongs to: `'warmup'` for `t ≤ tinit`, `'final'` for `t > totalStep − tfinal`,
 * `'decay'` in between (including `t = totalStep − tfinal`, where the cubic factor reaches 0).
 */
export type Phase = 'warmup' | 'decay' | 'final';

/**
 * The budget schedule exactly as PEFT (`RankAllocator.budget_schedule`) and the authors' loralib
 * (`schedule_threshold`) implement it, for the 0-based optimizer step `step`:
 *
 * | condition (checked in this order) | budget | maskNow |
 * |---|---|---|
 * | `t ≤ t_i` | `b_init` | false |
 * | `t > T − t_f` | `b_target` | true |
 * | otherwise | `⌊ (b_init − b_target) · (1 − (t − t_i)/(T − t_f − t_i))³ + b_target ⌋` | `t mod Δ = 0` |
 *
 * The float expression is evaluated in the same order as the Python code, so the truncation agrees at
 * every step (checked against the reference implementations for two configurations, every step).
 * The paper's Appendix A prints `(t − t_i − t_f)` in the numerator instead of `(t − t_i)`; taken
 * literally that raises the budget above `b_init` right after warm-up, so it is not used.
 *
 * `maskNow` in the final phase is the schedule's answer; whether the mask there comes from fresh
 * scores or a stored pattern is the allocator's business (see `createRankAllocator`).
 */
export function budgetAt(step: number, config: BudgetScheduleConfig): BudgetAt {
  validateScheduleConfig(config);
  requireInteger('step', step, 0);
  return budgetAtUnchecked(step, config);
}

/** `budgetAt` without validation, for callers that validated the configuration once up front. */
export function budgetAtUnchecked(step: number, config: BudgetScheduleConfig): BudgetAt {
  const { initBudget, targetBudget, totalStep, tinit, tfinal, deltaT } = config;
  if (step <= tinit) return { budget: initBudget, maskNow: false };
  if (step > totalStep - tfinal) return { budget: targetBudget, maskNow: true };
  const mulCoeff = 1 - (step - tinit) / (totalStep - tfinal - tinit);
  const budget = Math.trunc((initBudget - targetBudget) * mulCoeff ** 3 + targetBudget);
  return { budget, maskNow: step % deltaT === 0 };
}

/** The phase of `step` (see `Phase`); needs only the three step counts of the schedule. */
export function phaseAt(step: number, config: Pick<BudgetScheduleConfig, 'totalStep' | 'tinit' | 'tfinal'>): Phase {
  if (step <= config.tinit) return 'warmup';
  if (step > config.totalStep - config.tfinal) return 'final';
  return 'decay';
}

/**
 * Checks a schedule configuration: integers, `0 ≤ targetBudget ≤ initBudget`, `totalStep ≥ 1`,
 * `tinit, tfinal ≥ 0`, `tinit < totalStep − tfinal` (there must be a decay phase, otherwise the cubic
 * factor divides by zero or goes negative), `deltaT ≥ 1`. Throws `InvalidConfigError` naming the field.
 */
export function validateScheduleConfig(config: BudgetScheduleConfig): void {
  requireInteger('initBudget', config.initBudget, 0);
  requireInteger('targetBudget', config.targetBudget, 0, config.initBudget);
  requireInteger('totalStep', config.totalStep, 1);
  requireInteger('tinit', config.tinit, 0);
  requireInteger('tfinal', config.tfinal, 0);
  requireInteger('deltaT', config.deltaT, 1);
  requireDecayPhase(config, '');
}

/** Throws unless `tinit < totalStep − tfinal`; `prefix` is prepended to the field name. */
export function requireDecayPhase(config: Pick<BudgetScheduleConfig, 'totalStep' | 'tinit' | 'tfinal'>, prefix: string): void {
  const { totalStep, tinit, tfinal } = config;
  if (tinit >= totalStep - tfinal) {
    throw new InvalidConfigError({
      field: `${prefix}tinit`,
      value: tinit,
      reason:
        `the schedule has no budget-decay phase: tinit (${tinit}) + tfinal (${tfinal}) must be less than totalStep (${totalStep}); ` +
        `allowed: 0 ≤ tinit < totalStep − tfinal = ${totalStep - tfinal}. Decrease tinit/tfinal, increase totalStep, ` +
        'or rescale a published schedule to this run length with scaleSchedule()',
    });
  }
}
