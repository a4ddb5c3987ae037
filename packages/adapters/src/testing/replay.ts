import * as tf from '@tensorflow/tfjs-core';
import { sensitivity } from '@adalora/scores';
import type { NamedTensorMap } from '@tensorflow/tfjs-core';
import golden from '../__fixtures__/trajectory_synthetic.json' with { type: 'json' };
import { createAdaLora } from '../controller.js';
import type { AdaLoraController, StepAllocation } from '../controller.js';
import type { ToyModel } from './toy-model.js';

export type Params = Record<string, number[][]>;
/** One step of `trajectory_synthetic.json` (the fields the fixture keeps). */
export interface GoldenStep {
  t: number;
  grads: Params;
  params_after_allocate: Params;
  budget: number | null;
  mask_applied: boolean;
  mask_source: string | null;
  threshold: number | null;
  rank_pattern?: Record<string, boolean[]> | null;
  rank_pattern_counts?: Record<string, number> | null;
  updated_ipt: boolean;
}

export const trajectory = golden;

/** The golden run's configuration as an `AdaLoraConfig` for `createAdaLora`. */
export function goldenConfig(finalPhase: 'peft' | 'loralib') {
  const c = golden.config;
  return {
    targetModules: ['proj'],
    initR: c.init_r,
    targetR: c.target_r,
    alpha: c.lora_alpha,
    scorer: sensitivity({ beta1: c.beta1, beta2: c.beta2 }),
    budget: { totalStep: c.total_step, tinit: c.tinit, tfinal: c.tfinal, deltaT: c.deltaT, finalPhase },
    orthRegWeight: c.orth_reg_weight,
  };
}

/**
 * Replays the golden run on `model`: the recorded initial A/E/B, then per step plain SGD (lr 0.1) with
 * the recorded gradient followed by `updateAndAllocate(t, grads)`, as the golden README describes.
 * `check` sees every step's result; the controller is returned alive (the caller disposes it).
 */
export function replayTrajectory(
  model: ToyModel,
  finalPhase: 'peft' | 'loralib',
  check: (step: GoldenStep, result: StepAllocation, adalora: AdaLoraController) => void = () => {},
): AdaLoraController {
  const adalora = createAdaLora(model, goldenConfig(finalPhase));
  try {
    const variables = adalora.trainableVariables();
    for (const v of variables) tf.tidy(() => v.assign(tf.tensor2d((golden.initial_params as Params)[v.name]!)));
    for (const step of golden[finalPhase].steps as GoldenStep[]) {
      const grads: NamedTensorMap = Object.fromEntries(Object.entries(step.grads).map(([name, g]) => [name, tf.tensor2d(g)]));
      for (const v of variables) tf.tidy(() => v.assign(tf.sub(v, tf.mul(grads[v.name]!, golden.config.sgd_lr))));
      const result = adalora.updateAndAllocate(step.t, grads);
      tf.dispose(Object.values(grads));
      check(step, result, adalora);
    }
    return adalora;
  } catch (error) {
    adalora.dispose();
    throw error;
  }
}
