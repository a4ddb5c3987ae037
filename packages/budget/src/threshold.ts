import { UnsupportedInputError } from '@adalora/core';

/** Triplet scores of one adapted matrix: one number per triplet (rank-1 component). */
export type ScoreArray = Float32Array | Float64Array | readonly number[];

/**
 * The `k`-th smallest of `scores`, 1-based (`k = 1` is the minimum): AdaLoRA's masking threshold
 * `τ = kthvalue(S, k)` with `k = b_init − b(t)`. Every triplet with `S ≤ τ` is masked, so ties at `τ`
 * are all masked and fewer than `n − k` triplets may survive (that is the reference behaviour).
 *
 * Sorting a copy is exact and fast enough here: there are `n · r` triplets in total, hundreds to a few
 * thousand. A NaN score or a `k` outside `[1, scores.length]` throws `UnsupportedInputError`.
 */
export function thresholdFor(scores: ScoreArray, k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > scores.length) {
    throw new UnsupportedInputError({
      source: 'thresholdFor(scores, k)',
      expected: `k to be an integer in [1, ${scores.length}] (1-based rank among ${scores.length} scores)`,
      found: String(k),
    });
  }
  const sorted = Float64Array.from(scores);
  const nan = sorted.findIndex(Number.isNaN);
  if (nan !== -1) {
    throw new UnsupportedInputError({ source: `thresholdFor(scores, k): scores[${nan}]`, expected: 'a number', found: 'NaN' });
  }
  sorted.sort();
  return sorted[k - 1] as number;
}

/** The result of masking a set of matrices down to a global budget. */
export interface BudgetMask {
  /** `τ`, the `(initBudget − budget)`-th smallest triplet score over all matrices. */
  readonly threshold: number;
  /** Per matrix, one flag per triplet: `true` = kept (`S > τ`), `false` = its `E_i` is zeroed. */
  readonly keep: Record<string, boolean[]>;
  /** Number of kept triplets over all matrices (≤ budget: ties at `τ` are all masked). */
  readonly kept: number;
}

/**
 * PEFT's `mask_to_budget` / loralib's masking step without the tensors: concatenates the triplet
 * scores of all matrices (in `order`, default: the record's key order), takes `τ = thresholdFor(all,
 * initBudget − budget)` and keeps exactly the triplets with `S > τ`.
 *
 * `initBudget` defaults to the number of scores. `budget` must be an integer in `[0, initBudget − 1]`
 * (with `budget = initBudget` there is nothing to mask and `k` would be 0, which the reference rejects).
 */
export function maskToBudget(
  tripletScores: Readonly<Record<string, ScoreArray>>,
  budget: number,
  options: { initBudget?: number; order?: readonly string[] } = {},
): BudgetMask {
  const order = options.order ?? Object.keys(tripletScores);
  const total = order.reduce((sum, name) => sum + scoresOf(tripletScores, name).length, 0);
  const initBudget = options.initBudget ?? total;
  if (initBudget !== total) {
    throw new UnsupportedInputError({
      source: 'maskToBudget: tripletScores',
      expected: `${initBudget} triplet scores in total (initBudget)`,
      found: String(total),
    });
  }
  if (!Number.isInteger(budget) || budget < 0 || budget >= initBudget) {
    throw new UnsupportedInputError({
      source: 'maskToBudget: budget',
      expected: `an integer in [0, ${initBudget - 1}] (below initBudget = ${initBudget}, or nothing would be masked)`,
      found: String(budget),
    });
  }
  const all = new Float64Array(total);
  let offset = 0;
  for (const name of order) {
    const scores = scoresOf(tripletScores, name);
    for (let i = 0; i < scores.length; i++) {
      const value = scores[i] as number;
      if (Number.isNaN(value)) {
        throw new UnsupportedInputError({ source: `triplet scores of '${name}'[${i}]`, expected: 'a number', found: 'NaN' });
      }
      all[offset + i] = value;
    }
    offset += scores.length;
  }
  const threshold = thresholdFor(all, initBudget - budget);
  const keep: Record<string, boolean[]> = {};
  let kept = 0;
  for (const name of order) {
    const flags = Array.from(scoresOf(tripletScores, name), (score) => score > threshold);
    kept += flags.filter(Boolean).length;
    keep[name] = flags;
  }
  return { threshold, keep, kept };
}

function scoresOf(tripletScores: Readonly<Record<string, ScoreArray>>, name: string): ScoreArray {
  const scores = tripletScores[name];
  if (scores === undefined) {
    throw new UnsupportedInputError({ source: 'tripletScores', expected: `an entry for matrix '${name}'`, found: 'none' });
  }
  return scores;
}
