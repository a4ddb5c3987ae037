import { paperSchedules } from '@adalora/budget';
import { describe, expect, it } from 'vitest';
import { fitSchedule } from './schedule-fit.js';

describe('fitSchedule', () => {
  it('uses explicit tinit/tfinal as given', () => {
    expect(fitSchedule(100, { tinit: 5, tfinal: 20, deltaT: 3 }, undefined)).toEqual({ totalStep: 100, tinit: 5, tfinal: 20, deltaT: 3 });
  });

  it('defaults to 10 % warm-up and a 30 % final phase', () => {
    expect(fitSchedule(152, { tinit: -1, tfinal: -1, deltaT: 1 }, undefined)).toEqual({ totalStep: 152, tinit: 15, tfinal: 45, deltaT: 1 });
  });

  it("rescales the paper's RTE schedule (3,900 steps: tinit 600, tfinal 1800, deltaT 1) to a 40-step run", () => {
    // round(600 · 40/3900) = 6, round(1800 · 40/3900) = 18, max(1, round(40/3900)) = 1
    expect(fitSchedule(40, { tinit: -1, tfinal: -1, deltaT: 1 }, paperSchedules.rte)).toEqual({ totalStep: 40, tinit: 6, tfinal: 18, deltaT: 1 });
    // SST-2: 2,105 · 24 = 50,520 steps, tinit 6000, tfinal 22000, deltaT 100 → at 6,315 steps (3 epochs):
    // round(6000 · 0.125) = 750, round(22000 · 0.125) = 2750, round(100 · 0.125) = 13 (12.5 rounds up)
    expect(fitSchedule(6315, { tinit: -1, tfinal: -1, deltaT: 1 }, paperSchedules.sst2)).toEqual({ totalStep: 6315, tinit: 750, tfinal: 2750, deltaT: 13 });
  });

  it('refuses a schedule with no decay phase and says which values would fit', () => {
    expect(() => fitSchedule(10, { tinit: 6, tfinal: 5, deltaT: 1 }, undefined)).toThrow(
      "tinit + tfinal must be < the run's 10 optimizer steps to leave a decay phase; e.g. --tinit 1 --tfinal 3",
    );
  });
});
