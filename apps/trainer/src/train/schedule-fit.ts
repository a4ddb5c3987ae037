import { scaleSchedule, validateScheduleConfig } from '@adalora/budget';
import type { PaperSchedule } from '@adalora/budget';
import { InvalidConfigError } from '@adalora/core';

/**
 * The budget schedule of a run of `totalStep` optimizer steps. Explicit `tinit`/`tfinal` (≥ 0) are used
 * as given; `-1` means: the preset's paper schedule rescaled to this run when there is one, else 10 %
 * warm-up and 30 % final phase. A schedule that leaves no decay phase fails with the values that would fit.
 */
export function fitSchedule(
  totalStep: number,
  requested: { tinit: number; tfinal: number; deltaT: number },
  paper: PaperSchedule | undefined,
): { totalStep: number; tinit: number; tfinal: number; deltaT: number } {
  const scaled = paper !== undefined && (requested.tinit < 0 || requested.tfinal < 0) ? scaleSchedule(paper, totalStep) : undefined;
  const tinit = requested.tinit >= 0 ? requested.tinit : (scaled?.tinit ?? Math.floor(totalStep * 0.1));
  const tfinal = requested.tfinal >= 0 ? requested.tfinal : (scaled?.tfinal ?? Math.floor(totalStep * 0.3));
  const deltaT = scaled !== undefined && requested.deltaT === 1 ? scaled.deltaT : requested.deltaT;
  if (tinit + tfinal >= totalStep) {
    const fitInit = Math.floor(totalStep * 0.1);
    const fitFinal = Math.floor(totalStep * 0.3);
    throw new InvalidConfigError({
      field: 'tinit/tfinal',
      value: { tinit, tfinal, totalStep },
      reason: `tinit + tfinal must be < the run's ${totalStep} optimizer steps to leave a decay phase; e.g. --tinit ${fitInit} --tfinal ${fitFinal} (or -1 for both to use 10%/30%)`,
    });
  }
  const schedule = { totalStep, tinit, tfinal, deltaT };
  validateScheduleConfig({ initBudget: 2, targetBudget: 1, ...schedule });
  return schedule;
}
