import { InvalidConfigError } from '@adalora/core';
import { requireDecayPhase } from './schedule.js';
import { requireInteger } from './validate.js';

/** The step counts of a budget schedule (the part that depends on the run length). */
export interface StepSchedule {
  readonly totalStep: number;
  readonly tinit: number;
  readonly tfinal: number;
  readonly deltaT: number;
}

/** A published schedule together with the run it was written for. */
export interface PaperSchedule extends StepSchedule {
  /** Training examples of the task (GLUE train split). */
  readonly trainSize: number;
  readonly batchSize: number;
  readonly epochs: number;
}

const glue = (trainSize: number, epochs: number, tinit: number, deltaT: number, tfinal: number): PaperSchedule => ({
  trainSize,
  batchSize: 32,
  epochs,
  // One optimizer step per batch, the last partial batch included (HF Trainer, 1 GPU, no accumulation).
  totalStep: Math.ceil(trainSize / 32) * epochs,
  tinit,
  tfinal,
  deltaT,
});

/**
 * The AdaLoRA paper's GLUE schedules for DeBERTa-v3-base (Table 8, identical in the authors'
 * `NLU/scripts`): `tinit`, `deltaT`, `tfinal` with batch size 32 and the paper's epochs, and the
 * `totalStep` they imply (`⌈trainSize / 32⌉ · epochs`). `tinit` is 9–18 % and `tfinal` 44–58 % of those
 * runs; in a 3-epoch run every task but QQP has `tinit + tfinal ≥ totalStep` (no decay phase at all),
 * so use `scaleSchedule(paperSchedules.rte, myTotalStep)` instead of the absolute numbers.
 */
export const paperSchedules = {
  mnli: glue(392_702, 7, 8000, 100, 50_000),
  rte: glue(2490, 50, 600, 1, 1800),
  qnli: glue(104_743, 5, 2000, 100, 8000),
  mrpc: glue(3668, 30, 600, 1, 1800),
  qqp: glue(363_846, 5, 8000, 100, 25_000),
  sst2: glue(67_349, 24, 6000, 100, 22_000),
  cola: glue(8551, 25, 800, 10, 3500),
  stsb: glue(5749, 25, 800, 10, 2000),
} as const satisfies Record<string, PaperSchedule>;

/**
 * Rescales a schedule written for `reference.totalStep` steps to a run of `totalStep` steps, keeping
 * `tinit` and `tfinal` as the same fractions of the run: `tinit' = round(tinit · T'/T)`,
 * `tfinal' = round(tfinal · T'/T)`. With `deltaT: 'scale'` (default) the masking interval is scaled
 * the same way (at least 1), so the decay phase masks about as many times as in the reference run;
 * `'keep'` keeps the absolute interval.
 *
 * Throws `InvalidConfigError` if the reference has no decay phase or the scaled one would have none
 * (only for very short runs).
 */
export function scaleSchedule(reference: StepSchedule, totalStep: number, options: { deltaT?: 'scale' | 'keep' } = {}): StepSchedule {
  requireInteger('reference.totalStep', reference.totalStep, 1);
  requireInteger('reference.tinit', reference.tinit, 0);
  requireInteger('reference.tfinal', reference.tfinal, 0);
  requireInteger('reference.deltaT', reference.deltaT, 1);
  requireDecayPhase(reference, 'reference.');
  requireInteger('totalStep', totalStep, 1);
  const mode = options.deltaT ?? 'scale';
  if (mode !== 'scale' && mode !== 'keep') {
    throw new InvalidConfigError({ field: 'options.deltaT', value: mode, reason: "must be 'scale' or 'keep'" });
  }
  const ratio = totalStep / reference.totalStep;
  const scaled = {
    totalStep,
    tinit: Math.round(reference.tinit * ratio),
    tfinal: Math.round(reference.tfinal * ratio),
    deltaT: mode === 'keep' ? reference.deltaT : Math.max(1, Math.round(reference.deltaT * ratio)),
  };
  requireDecayPhase(scaled, 'scaled.');
  return scaled;
}
