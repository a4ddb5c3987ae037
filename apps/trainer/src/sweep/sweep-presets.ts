import { UnknownImplementationError } from '@adalora/core';
import { scoreFunctions } from '@adalora/scores';
import { defaultLoraLearningRate, defaultRunOptions } from '../config/default-run.js';
import { trainOptionSpecs } from '../config/train-options.js';
import { gridFromObject, type Grid } from './grid.js';

/** A built-in grid of `adalora sweep --preset <name>`, written as a grid file would be. */
export interface SweepPreset {
  description: string;
  grid: { fixed: Record<string, unknown>; axes: Record<string, unknown[]> };
}

/** The tasks of the study: the 8 GLUE tasks of the AdaLoRA paper's Table 1 (all but WNLI), SQuAD v1.1 and v2.0. */
const studyTasks = ['mnli', 'sst2', 'cola', 'qqp', 'qnli', 'rte', 'mrpc', 'stsb', 'squad', 'squad_v2'];

/**
 * `seed-study`: the score-function study. Train preset `seed-paper` (DeBERTa-v3-base, 3 epochs,
 * r 16 → 8, batch 32) on the study's tasks, with the LoRA baseline and AdaLoRA under each of the
 * four studied scores, over 3 seeds (change them with `--axis seed=1,2,3,4,5`): 10 × 5 × 3 = 150 cells.
 *
 * `smoke`: the same shape at toy size, to check a setup end to end in minutes on a laptop: the tiny
 * random DeBERTa-v3 on two synthetic tasks, two scores (AdaLoRA's own and GSNR), two seeds (8 cells).
 */
export const sweepPresets: Record<string, SweepPreset> = {
  'seed-study': {
    description: 'the score-function study: deberta-v3-base, r 16 → 8, 3 epochs; LoRA + sensitivity/movement/fisher/gsnr; 8 GLUE tasks + SQuAD v1.1/v2.0; 3 seeds',
    grid: {
      fixed: { preset: 'seed-paper' },
      axes: {
        task: studyTasks,
        variant: [
          { name: 'lora', method: 'lora' },
          { name: 'sensitivity', method: 'adalora', scorer: 'sensitivity' },
          { name: 'movement', method: 'adalora', scorer: 'movement' },
          { name: 'fisher', method: 'adalora', scorer: 'fisher' },
          { name: 'gsnr', method: 'adalora', scorer: 'gsnr' },
        ],
        seed: [1, 2, 3],
      },
    },
  },
  default: {
    description: 'the embedded default (`adalora default`): tiny-deberta-v3 on synth-sst2, LoRA and every built-in score function',
    grid: {
      // The learning rate differs per method (see defaultLoraLearningRate), so it is set per variant.
      fixed: Object.fromEntries(Object.entries(defaultRunOptions).filter(([key]) => key !== 'lr').map(([key, value]) => [trainOptionSpecs.find((s) => s.key === key)?.flag ?? key, value])),
      axes: {
        variant: [
          { name: 'lora', method: 'lora', lr: defaultLoraLearningRate },
          ...scoreFunctions.ids().map((scorer) => ({ name: scorer, method: 'adalora', scorer, lr: defaultRunOptions.lr as string })),
        ],
      },
    },
  },
  smoke: {
    description: 'toy check: tiny-deberta-v3 on synth-sst2 and synth-mrpc, sensitivity and gsnr, 2 seeds (8 small cells)',
    grid: {
      fixed: {
        model: 'tiny-deberta-v3', method: 'adalora', 'init-r': 8, 'target-r': 4, alpha: 16, lr: 3e-3, epochs: 1,
        'batch-size': 32, 'max-length': 32, 'train-limit': 512, 'eval-limit': 200, 'log-every': 4,
      },
      axes: { task: ['synth-sst2', 'synth-mrpc'], scorer: ['sensitivity', 'gsnr'], seed: [1, 2] },
    },
  },
};

/** The grid of a sweep preset; an unknown name lists the known ones. */
export function presetGrid(name: string): Grid {
  const preset = sweepPresets[name];
  if (preset === undefined) throw new UnknownImplementationError({ kind: 'sweep preset', id: name, available: Object.keys(sweepPresets) });
  return gridFromObject(preset.grid, name, () => `sweep preset ${name}: `);
}
