import { InvalidConfigError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import golden from './__fixtures__/budget_schedule.json' with { type: 'json' };
import { budgetAt, phaseAt, validateScheduleConfig } from './schedule.js';

const phaseName = { init: 'warmup', decay: 'decay', final: 'final' } as const;

describe('budgetAt against the reference schedule (PEFT budget_schedule ≡ loralib schedule_threshold)', () => {
  for (const table of golden.tables) {
    const c = table.config;
    const config = { initBudget: c.init_bgt, targetBudget: c.target_bgt, totalStep: c.total_step, tinit: c.tinit, tfinal: c.tfinal, deltaT: c.deltaT };

    it(`${c.name}: budget, mask flag and phase at every step t = 0…${c.total_step}`, () => {
      expect(table.rows).toHaveLength(c.total_step + 1);
      for (const row of table.rows) {
        expect({ t: row.t, ...budgetAt(row.t, config), phase: phaseAt(row.t, config) }).toEqual({
          t: row.t,
          budget: row.budget,
          maskNow: row.mask_ind,
          phase: phaseName[row.phase as keyof typeof phaseName],
        });
      }
    });

    it(`${c.name}: the paper's Appendix-A formula taken literally exceeds the initial budget (why it is not used)`, () => {
      // Hand form of the printed formula: b_T + (b_0 − b_T)(1 − (t − t_i − t_f)/(T − t_i − t_f))³ for t_i ≤ t < T − t_f.
      const t = c.tinit;
      const printed = c.target_bgt + (c.init_bgt - c.target_bgt) * (1 - (t - c.tinit - c.tfinal) / (c.total_step - c.tinit - c.tfinal)) ** 3;
      const row = table.rows[t];
      expect(row?.paper_appendix_a_as_printed).toBeCloseTo(printed, 9);
      expect(printed).toBeGreaterThan(c.init_bgt);
      expect(budgetAt(t, config).budget).toBe(c.init_bgt);
    });
  }
});

describe('schedule validation', () => {
  const valid = { initBudget: 18, targetBudget: 9, totalStep: 20, tinit: 3, tfinal: 5, deltaT: 2 };

  it.each([
    ['tinit', { ...valid, tinit: 15 }, /no budget-decay phase.*tinit \(15\) \+ tfinal \(5\) must be less than totalStep \(20\)/],
    ['deltaT', { ...valid, deltaT: 0 }, /deltaT' = 0: out of range; allowed: \[1, ∞\)/],
    ['totalStep', { ...valid, totalStep: 20.5 }, /totalStep' = 20.5: must be an integer/],
    ['targetBudget', { ...valid, targetBudget: 19 }, /targetBudget' = 19: out of range; allowed: \[0, 18\]/],
    ['tfinal', { ...valid, tfinal: -1 }, /tfinal' = -1/],
  ])('rejects a bad %s with an error naming it', (field, config, message) => {
    const error = captureError(() => validateScheduleConfig(config));
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidConfigError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a negative or fractional step', () => {
    expect(() => budgetAt(-1, valid)).toThrow(/'step' = -1/);
    expect(() => budgetAt(1.5, valid)).toThrow(/'step' = 1.5: must be an integer/);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
