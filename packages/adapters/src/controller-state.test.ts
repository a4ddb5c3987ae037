import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorMap, Tensor } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@adalora/tensor';
import { createAdaLora } from './controller.js';
import { flattenState, unflattenState } from './controller-state.js';
import { expectClose, flat } from './testing/close.js';
import { goldenConfig, trajectory as golden, type GoldenStep, type Params } from './testing/replay.js';
import { ToyModel, goldenToySpecs } from './testing/toy-model.js';

beforeAll(async () => {
  await initBackend({ engine: 'cpu' });
});
afterAll(async () => {
  await initBackend({ engine: 'cpu' });
});

/** Runs golden steps [from, to) on a controller: SGD with the recorded gradient, then updateAndAllocate. */
function runSteps(adalora: ReturnType<typeof createAdaLora>, steps: GoldenStep[], check?: (step: GoldenStep) => void) {
  const variables = adalora.trainableVariables();
  for (const step of steps) {
    const grads: NamedTensorMap = Object.fromEntries(Object.entries(step.grads).map(([name, g]) => [name, tf.tensor2d(g)]));
    for (const v of variables) tf.tidy(() => v.assign(tf.sub(v, tf.mul(grads[v.name] as Tensor, golden.config.sgd_lr))));
    adalora.updateAndAllocate(step.t, grads);
    tf.dispose(Object.values(grads));
    check?.(step);
  }
}

describe('exportState / importState (resumable checkpoints)', () => {
  for (const [finalPhase, cut] of [['peft', 9], ['peft', 17], ['loralib', 12]] as const) {
    it(`${finalPhase}: a new controller restored after step ${cut - 1} continues exactly as the golden run`, () => {
      const steps = golden[finalPhase].steps as GoldenStep[];
      const first = new ToyModel(goldenToySpecs);
      const original = createAdaLora(first, goldenConfig(finalPhase));
      for (const v of original.trainableVariables()) tf.tidy(() => v.assign(tf.tensor2d((golden.initial_params as Params)[v.name] as number[][])));
      runSteps(original, steps.slice(0, cut));
      // The checkpoint: variable values + controller state, copied out as a file would hold them.
      const values = Object.fromEntries(original.trainableVariables().map((v) => [v.name, { data: v.dataSync().slice(), shape: v.shape }]));
      const exported = original.exportState();
      const copies = Object.fromEntries(Object.entries(exported.tensors).map(([k, t]) => [k, tf.tensor(t.dataSync().slice(), t.shape)]));
      const json = JSON.parse(JSON.stringify(exported.json)) as unknown;
      original.dispose();
      first.dispose();

      const second = new ToyModel(goldenToySpecs);
      const resumed = createAdaLora(second, goldenConfig(finalPhase));
      for (const v of resumed.trainableVariables()) tf.tidy(() => v.assign(tf.tensor((values[v.name] as { data: Float32Array }).data, v.shape)));
      resumed.importState({ tensors: copies, json });
      const before = tf.memory().numTensors;
      runSteps(resumed, steps.slice(cut), (step) => {
        for (const v of resumed.trainableVariables()) {
          const want = step.params_after_allocate[v.name] as number[][];
          expectClose(v.dataSync(), want, { rtol: 1e-5, floor: Math.max(...flat(want).map(Math.abs)), label: `t=${step.t} ${v.name}` });
        }
      });
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
      resumed.dispose();
      second.dispose();
    });
  }

  it('flattenState/unflattenState round-trip nested states and reject class instances', () => {
    const tensors: Record<string, Tensor> = {};
    const state = { m: tf.tensor1d([1, 2]), list: [tf.scalar(3), 4], steps: 7, name: 'x', on: true, none: null };
    const skeleton = flattenState(state, 'score/w', tensors);
    expect(Object.keys(tensors).sort()).toEqual(['score/w/list/0', 'score/w/m']);
    const back = unflattenState(JSON.parse(JSON.stringify(skeleton)), tensors) as typeof state;
    expect(Array.from(back.m.dataSync())).toEqual([1, 2]);
    expect(back.list[1]).toBe(4);
    expect(back.steps).toBe(7);
    expect(() => flattenState({ when: new Date(0) }, 'score/w', {})).toThrow("score state 'score/w/when'");
    tf.dispose([state.m, state.list[0] as Tensor]);
  });
});
