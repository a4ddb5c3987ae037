import { InvalidConfigError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { validateRankAllocatorConfig } from './allocator-config.js';
import { paperSchedules, scaleSchedule } from './scale-schedule.js';

describe('paperSchedules (AdaLoRA Table 8 / NLU scripts, batch 32)', () => {
  it('implies the run lengths worked out by hand: RTE 78 × 50 = 3900, MNLI 12 272 × 7 = 85 904 steps', () => {
    expect(paperSchedules.rte.totalStep).toBe(3900);
    expect(paperSchedules.mnli.totalStep).toBe(85_904);
  });

  it('puts tinit at 9–18 % and tfinal at 44–58 % of those runs, each a valid allocator schedule', () => {
    for (const [task, s] of Object.entries(paperSchedules)) {
      const percent = (x: number) => Math.round((100 * x) / s.totalStep); // the spec quotes whole percents
      expect(percent(s.tinit), task).toBeGreaterThanOrEqual(9);
      expect(percent(s.tinit), task).toBeLessThanOrEqual(18);
      expect(percent(s.tfinal), task).toBeGreaterThanOrEqual(44);
      expect(percent(s.tfinal), task).toBeLessThanOrEqual(58);
      expect(() => validateRankAllocatorConfig({ totalStep: s.totalStep, tinit: s.tinit, tfinal: s.tfinal, deltaT: s.deltaT })).not.toThrow();
    }
  });

  it('taken as absolute steps, has no decay phase in a 3-epoch run for every task but QQP', () => {
    const infeasible = Object.entries(paperSchedules)
      .filter(([, s]) => s.tinit + s.tfinal >= Math.ceil(s.trainSize / s.batchSize) * 3)
      .map(([task]) => task);
    expect(infeasible.sort()).toEqual(['cola', 'mnli', 'mrpc', 'qnli', 'rte', 'sst2', 'stsb']);
  });
});

describe('scaleSchedule', () => {
  it('keeps tinit and tfinal as fractions of the run: RTE for 3 epochs (234 steps)', () => {
    // 600 · 234/3900 = 36, 1800 · 234/3900 = 108, deltaT 1 · 0.06 → at least 1.
    expect(scaleSchedule(paperSchedules.rte, 234)).toEqual({ totalStep: 234, tinit: 36, tfinal: 108, deltaT: 1 });
  });

  it('scales deltaT by default and keeps it on request: CoLA for 3 epochs (804 steps)', () => {
    // ratio 804/6700 = 0.12: tinit 96, tfinal 420, deltaT round(1.2) = 1 (or 10 kept).
    expect(scaleSchedule(paperSchedules.cola, 804)).toEqual({ totalStep: 804, tinit: 96, tfinal: 420, deltaT: 1 });
    expect(scaleSchedule(paperSchedules.cola, 804, { deltaT: 'keep' })).toEqual({ totalStep: 804, tinit: 96, tfinal: 420, deltaT: 10 });
    expect(scaleSchedule(paperSchedules.mnli, 3 * 12_272).deltaT).toBe(43); // 100 · 36 816/85 904 = 42.86
  });

  it('rejects a reference without decay phase, and a run too short to keep one after rounding', () => {
    expect(() => scaleSchedule({ totalStep: 100, tinit: 50, tfinal: 50, deltaT: 1 }, 50)).toThrow(/'reference.tinit' = 50: the schedule has no budget-decay phase/);
    // 45 · 2/100 = 0.9 → 1 and 50 · 2/100 = 1: tinit 1 is not below 2 − 1.
    const error = (() => {
      try {
        scaleSchedule({ totalStep: 100, tinit: 45, tfinal: 50, deltaT: 1 }, 2);
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidConfigError.isInstance(error) && error.field).toBe('scaled.tinit');
    expect(() => scaleSchedule(paperSchedules.rte, 0)).toThrow(/'totalStep' = 0/);
  });
});
