import { paperSchedules } from '@adalora/budget';
import { UnknownImplementationError } from '@adalora/core';
import type { TrainOptions } from './train-options.js';

/**
 * What a preset sets. `perTask` entries apply when the run's task matches; `paperSchedule` names the
 * AdaLoRA paper schedule whose tinit/tfinal/deltaT are rescaled to this run's length.
 */
export interface Preset {
  description: string;
  options: Partial<TrainOptions>;
  perTask?: Record<string, Partial<TrainOptions>>;
  paperSchedule?: boolean;
}

/**
 * `seed-paper`: the score-function study's setting (DeBERTa-v3-base, 3 epochs, r 16 → 8).
 * `adalora-paper`: the AdaLoRA paper's per-task GLUE settings (Table 8 and the authors' scripts, see
 * notes/adalora-spec.md g.2): paper learning rate and γ, the scripts' ranks, α, max length, warm-up
 * and weight decay, batch 32, the paper's epochs; tinit/tfinal/deltaT are the paper's, rescaled to the
 * run's actual number of steps (identical when the run has the paper's length).
 */
export const presets: Record<string, Preset> = {
  'seed-paper': {
    description: 'the score-function study: deberta-v3-base, 3 epochs, r 16 → 8',
    options: { model: 'deberta-v3-base', epochs: 3, initR: 16, targetR: 8, batchSize: 32 },
  },
  'adalora-paper': {
    description: "the AdaLoRA paper's per-task GLUE settings (Table 8), schedule rescaled to the run",
    options: { model: 'deberta-v3-base', batchSize: 32 },
    paperSchedule: true,
    perTask: {
      mnli: { lr: 5e-4, epochs: 7, orthReg: 0.1, initR: 3, targetR: 1, alpha: 16, maxLength: 256, warmupSteps: 1000, weightDecay: 0 },
      rte: { lr: 1.2e-3, epochs: 50, orthReg: 0.3, initR: 2, targetR: 1, alpha: 32, maxLength: 320, warmupSteps: 200, weightDecay: 0.01 },
      qnli: { lr: 1.2e-3, epochs: 5, orthReg: 0.1, initR: 2, targetR: 1, alpha: 32, maxLength: 512, warmupSteps: 500, weightDecay: 0.01 },
      mrpc: { lr: 1e-3, epochs: 30, orthReg: 0.1, initR: 2, targetR: 1, alpha: 32, maxLength: 320, warmupRatio: 0.1, weightDecay: 0.01 },
      qqp: { lr: 5e-4, epochs: 5, orthReg: 0.1, initR: 2, targetR: 1, alpha: 16, maxLength: 320, warmupSteps: 2000, weightDecay: 0.01 },
      sst2: { lr: 8e-4, epochs: 24, orthReg: 0.1, initR: 2, targetR: 1, alpha: 16, maxLength: 128, warmupSteps: 1000, weightDecay: 0.01 },
      cola: { lr: 5e-4, epochs: 25, orthReg: 0.5, initR: 3, targetR: 1, alpha: 32, maxLength: 64, warmupSteps: 100, weightDecay: 0 },
      stsb: { lr: 2.2e-3, epochs: 25, orthReg: 0.1, initR: 2, targetR: 1, alpha: 32, maxLength: 128, warmupSteps: 100, weightDecay: 0.1 },
    },
  },
};

/** The options a preset sets for a task; an unknown preset lists the known ones. */
export function presetOptions(name: string, task: string): Partial<TrainOptions> {
  const preset = presets[name];
  if (preset === undefined) throw new UnknownImplementationError({ kind: 'preset', id: name, available: Object.keys(presets) });
  return { ...preset.options, ...(preset.perTask?.[task] ?? {}) };
}

/** The paper schedule a preset asks to rescale for this task, if any. */
export function presetPaperSchedule(name: string | undefined, task: string) {
  if (name === undefined || presets[name]?.paperSchedule !== true) return undefined;
  return (paperSchedules as Record<string, (typeof paperSchedules)[keyof typeof paperSchedules]>)[task];
}
