import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@adalora/tensor';
import { expectClose, flat } from './testing/close.js';
import { replayTrajectory, trajectory as golden } from './testing/replay.js';
import { ToyModel, goldenToySpecs } from './testing/toy-model.js';

let model: ToyModel;
beforeAll(async () => {
  await initBackend({ engine: 'cpu' });
  model = new ToyModel(goldenToySpecs);
});
afterAll(async () => {
  model.dispose();
  await initBackend({ engine: 'cpu' });
});

const moduleOf = (eName: string) => eName.replace(/\.lora_E\.default$/, '');

describe('controller replays trajectory_synthetic.json (sensitivity scorer, plain SGD)', () => {
  for (const [finalPhase, engine] of [['peft', 'cpu'], ['loralib', 'cpu'], ['peft', 'wasm'], ['loralib', 'wasm']] as const) {
    it(`${finalPhase} semantics on ${engine}: every A/E/B after every step matches the reference (1e-5 relative, float32)`, async () => {
      await initBackend({ engine });
      let compared = 0;
      let worst = 0;
      const adalora = replayTrajectory(model, finalPhase, (step, result, controller) => {
        for (const v of controller.trainableVariables()) {
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
          expect(controller.rankPattern(), `t=${step.t} rank pattern`).toEqual(want);
        }
        if (step.rank_pattern_counts !== undefined && step.rank_pattern_counts !== null) {
          const counts = Object.fromEntries(Object.entries(controller.rankPattern() ?? {}).map(([k, v]) => [`${k}.lora_E.default`, v.filter(Boolean).length]));
          expect(counts, `t=${step.t} loralib rank counts`).toEqual(step.rank_pattern_counts);
        }
      });
      adalora.dispose();
      expect(compared).toBe(20 * 9);
      // Measured: 2.3e-7 on cpu and wasm (float32 rounding); the tolerance is 1e-5.
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('the two semantics differ exactly where the reference says: PEFT masks at t = 15, loralib from t = 16', async () => {
    await initBackend({ engine: 'cpu' });
    const masks: Record<string, boolean[]> = { peft: [], loralib: [] };
    for (const finalPhase of ['peft', 'loralib'] as const) {
      replayTrajectory(model, finalPhase, (_step, result) => masks[finalPhase]!.push(result.keep !== null)).dispose();
    }
    expect(masks.peft!.slice(14)).toEqual([true, true, true, true, true, true]);
    expect(masks.loralib!.slice(14)).toEqual([true, false, true, true, true, true]);
    expect(golden.peft.final.rank_per_module).toEqual({ 'layers.0.proj.lora_E.default': 0, 'layers.1.proj.lora_E.default': 3, 'layers.2.proj.lora_E.default': 6 });
  });
});
