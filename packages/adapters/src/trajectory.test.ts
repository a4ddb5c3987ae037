import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@adalora/tensor';
import type { TensorFlow } from '@adalora/tensor';
import { sensitivity } from '@adalora/scores';
import type { NamedTensorMap } from '@tensorflow/tfjs-core';
import golden from './__fixtures__/trajectory_synthetic.json' with { type: 'json' };
import { createAdaLora } from './controller.js';
import { expectClose, flat } from './testing/close.js';
import { ToyModel, goldenToySpecs } from './testing/toy-model.js';

type Params = Record<string, number[][]>;
interface GoldenStep {
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

let tf: TensorFlow;
let model: ToyModel;
beforeAll(async () => {
  ({ tf } = await initBackend({ engine: 'cpu' }));
  model = new ToyModel(goldenToySpecs);
});
afterAll(async () => {
  model.dispose();
  await initBackend({ engine: 'cpu' });
});

const { config } = golden;
const moduleOf = (eName: string) => eName.replace(/\.lora_E\.default$/, '');

/**
 * Replays the golden run: the recorded initial A/E/B, then per step plain SGD (lr 0.1) with the recorded
 * gradient followed by `updateAndAllocate(t, grads)`, exactly as the golden README describes. Every
 * parameter after every step must match the reference's `params_after_allocate`.
 */
function replay(finalPhase: 'peft' | 'loralib', steps: GoldenStep[], check: (step: GoldenStep, result: ReturnType<ReturnType<typeof createAdaLora>['updateAndAllocate']>, adalora: ReturnType<typeof createAdaLora>) => void) {
  const adalora = createAdaLora(model, {
    targetModules: ['proj'],
    initR: config.init_r,
    targetR: config.target_r,
    alpha: config.lora_alpha,
    scorer: sensitivity({ beta1: config.beta1, beta2: config.beta2 }),
    budget: { totalStep: config.total_step, tinit: config.tinit, tfinal: config.tfinal, deltaT: config.deltaT, finalPhase },
    orthRegWeight: config.orth_reg_weight,
  });
  try {
    const variables = adalora.trainableVariables();
    for (const v of variables) tf.tidy(() => v.assign(tf.tensor2d((golden.initial_params as Params)[v.name]!)));
    for (const step of steps) {
      const grads: NamedTensorMap = Object.fromEntries(Object.entries(step.grads).map(([name, g]) => [name, tf.tensor2d(g)]));
      for (const v of variables) tf.tidy(() => v.assign(tf.sub(v, tf.mul(grads[v.name]!, config.sgd_lr))));
      const result = adalora.updateAndAllocate(step.t, grads);
      tf.dispose(Object.values(grads));
      check(step, result, adalora);
    }
  } finally {
    adalora.dispose();
  }
}

describe('controller replays trajectory_synthetic.json (sensitivity scorer, plain SGD)', () => {
  for (const [finalPhase, engine] of [['peft', 'cpu'], ['loralib', 'cpu'], ['peft', 'wasm'], ['loralib', 'wasm']] as const) {
    it(`${finalPhase} semantics on ${engine}: every A/E/B after every step matches the reference (1e-5 relative, float32)`, async () => {
      await initBackend({ engine });
      let compared = 0;
      let worst = 0;
      replay(finalPhase, golden[finalPhase].steps as GoldenStep[], (step, result, adalora) => {
        for (const v of adalora.trainableVariables()) {
          const want = step.params_after_allocate[v.name]!;
          const got = v.dataSync();
          // Relative to the tensor's largest entry: SGD steps that cancel a value down to ~1e-3 keep the
          // float32 rounding error of the O(1) operands (as any float32 implementation would).
          const scale = Math.max(...flat(want).map(Math.abs));
          expectClose(got, want, { rtol: 1e-5, floor: scale, label: `t=${step.t} ${v.name}` });
          flat(want).forEach((w, i) => {
            if (scale > 0) worst = Math.max(worst, Math.abs((got[i] as number) - w) / scale);
            if (w === 0) expect(got[i], `t=${step.t} ${v.name}[${i}] masked to exactly 0`).toBe(0);
          });
          compared += 1;
        }
        expect(result.scoresUpdated, `t=${step.t} scores updated`).toBe(step.updated_ipt);
        expect(result.keep !== null, `t=${step.t} mask applied`).toBe(step.mask_applied);
        if (step.budget !== null) expect(result.budget, `t=${step.t} budget`).toBe(step.budget);
        if (step.threshold === null) expect(result.threshold).toBeNull();
        else expectClose([result.threshold as number], [step.threshold], { rtol: 1e-5, floor: 1e-3, label: `t=${step.t} threshold` });
        if (step.mask_source !== null) {
          expect(result.maskSource).toBe(step.mask_source === 'rank_pattern' ? 'rank-pattern' : 'threshold');
        }
        if (step.rank_pattern !== undefined && step.rank_pattern !== null) {
          const want = Object.fromEntries(Object.entries(step.rank_pattern).map(([k, v]) => [moduleOf(k), v]));
          expect(adalora.rankPattern(), `t=${step.t} rank pattern`).toEqual(want);
        }
        if (step.rank_pattern_counts !== undefined && step.rank_pattern_counts !== null) {
          const counts = Object.fromEntries(Object.entries(adalora.rankPattern() ?? {}).map(([k, v]) => [`${k}.lora_E.default`, v.filter(Boolean).length]));
          expect(counts, `t=${step.t} loralib rank counts`).toEqual(step.rank_pattern_counts);
        }
      });
      expect(compared).toBe(20 * 9);
      // Measured: 2.3e-7 on cpu and wasm (float32 rounding); the tolerance is 1e-5.
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('the two semantics differ exactly where the reference says: PEFT masks at t = 15, loralib from t = 16', async () => {
    await initBackend({ engine: 'cpu' });
    const masks: Record<string, boolean[]> = { peft: [], loralib: [] };
    for (const finalPhase of ['peft', 'loralib'] as const) {
      replay(finalPhase, golden[finalPhase].steps as GoldenStep[], (_step, result) => masks[finalPhase]!.push(result.keep !== null));
    }
    expect(masks.peft!.slice(14)).toEqual([true, true, true, true, true, true]);
    expect(masks.loralib!.slice(14)).toEqual([true, false, true, true, true, true]);
    expect(golden.peft.final.rank_per_module).toEqual({ 'layers.0.proj.lora_E.default': 0, 'layers.1.proj.lora_E.default': 3, 'layers.2.proj.lora_E.default': 6 });
  });
});
