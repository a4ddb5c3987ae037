import { UnsupportedInputError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import golden from './__fixtures__/threshold_cases.json' with { type: 'json' };
import { maskToBudget, thresholdFor } from './threshold.js';

describe('maskToBudget against PEFT RankAllocator.mask_to_budget (threshold_cases.json)', () => {
  for (const c of golden.cases) {
    it(`${c.name}: τ = ${c.threshold}, ${c.kept_total} of budget ${c.budget} kept`, () => {
      const names = Object.keys(c.rank_pattern);
      const scores = Object.fromEntries(names.map((name, i) => [name, c.triplet_scores[i] as number[]]));
      const mask = maskToBudget(scores, c.budget, { initBudget: c.init_bgt });
      expect(mask.threshold).toBe(c.threshold);
      expect(mask.keep).toEqual(c.rank_pattern);
      expect(mask.kept).toBe(c.kept_total);
      expect(thresholdFor(c.triplet_scores.flat(), c.k)).toBe(c.threshold);
      // E after masking (the caller's job) follows from the flags: E_i · keep_i.
      const eAfter = Object.fromEntries(names.map((name, i) => [name, (c.E_before[i] as number[]).map((e, j) => (mask.keep[name]?.[j] ? e : 0))]));
      expect(eAfter).toEqual(c.E_after);
    });
  }

  it('the threshold is exact for float32 scores (no rounding through float64)', () => {
    const scores = Float32Array.from([0.1, 0.7, 0.3]);
    expect(thresholdFor(scores, 2)).toBe(scores[2]);
    expect(thresholdFor(scores, 2)).not.toBe(0.3);
  });

  it('order of the matrices does not change τ or the flags', () => {
    const a = { m0: [0.9, 0.1, 0.5], m1: [0.3, 0.7, 0.2] };
    const forward = maskToBudget(a, 3);
    const backward = maskToBudget(a, 3, { order: ['m1', 'm0'] });
    expect(backward.threshold).toBe(forward.threshold);
    expect(backward.keep).toEqual(forward.keep);
  });
});

describe('bad input', () => {
  it('rejects k outside [1, n] (k = 0 is what PEFT issue #2337 hit)', () => {
    expect(() => thresholdFor([1, 2, 3], 0)).toThrow(/expected k to be an integer in \[1, 3\].*found 0/);
    expect(() => thresholdFor([1, 2, 3], 4)).toThrow(/found 4/);
    expect(() => thresholdFor([1, 2, 3], 1.5)).toThrow(UnsupportedInputError);
  });

  it('rejects NaN scores, naming the matrix and index', () => {
    expect(() => thresholdFor([1, Number.NaN], 1)).toThrow(/scores\[1\]: expected a number, found NaN/);
    expect(() => maskToBudget({ a: [1, 2], b: [3, Number.NaN] }, 2)).toThrow(/triplet scores of 'b'\[1\]: expected a number, found NaN/);
  });

  it('rejects a budget that masks nothing or a score count that disagrees with initBudget', () => {
    expect(() => maskToBudget({ a: [1, 2] }, 2)).toThrow(/budget: expected an integer in \[0, 1\]/);
    expect(() => maskToBudget({ a: [1, 2] }, 1, { initBudget: 3 })).toThrow(/expected 3 triplet scores in total \(initBudget\), found 2/);
    expect(() => maskToBudget({ a: [1, 2] }, 1, { order: ['a', 'b'] })).toThrow(/expected an entry for matrix 'b'/);
  });
});
