import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdaLoraError, InvalidConfigError } from '@adalora/core';
import { initBackend } from '@adalora/tensor';
import type { TensorFlow } from '@adalora/tensor';
import { sensitivity } from '@adalora/scores';
import type { NamedTensorMap, Tensor } from '@tensorflow/tfjs-core';
import layer from './__fixtures__/layer_forward.json' with { type: 'json' };
import { createAdaLora } from './controller.js';
import type { AdaLoraController } from './controller.js';
import type { AdaLoraConfig } from './config.js';
import { expectClose } from './testing/close.js';
import { ToyModel, goldenToySpecs } from './testing/toy-model.js';

let tf: TensorFlow;
beforeAll(async () => {
  ({ tf } = await initBackend({ engine: 'cpu' }));
});

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});
function track<T extends { dispose(): void }>(x: T): T {
  cleanups.push(() => x.dispose());
  return x;
}

const adaloraConfig = (extra: Partial<AdaLoraConfig> = {}): AdaLoraConfig => ({
  targetModules: ['proj'],
  initR: 6,
  targetR: 3,
  alpha: 16,
  scorer: sensitivity({ beta1: 0.85, beta2: 0.85 }),
  budget: { totalStep: 20, tinit: 3, tfinal: 5, deltaT: 2 },
  ...extra,
});

/** A one-layer model holding layer_forward.json's base weight, with the golden A/E/B set on its adapter. */
function goldenLayer(layout: 'out-in' | 'in-out' = 'out-in', extra: Partial<AdaLoraConfig> = {}) {
  const weight = layout === 'out-in' ? layer.W : layer.fan_in_fan_out.base_weight_in_out;
  const model = track(new ToyModel([{ name: 'layer', dIn: 8, dOut: 6, weight, bias: layer.bias }], { layout }));
  const adalora = createAdaLora(model, { ...adaloraConfig({ initR: 4, targetR: 2, alpha: 16 }), targetModules: ['layer'], ...extra });
  cleanups.unshift(() => adalora.dispose()); // before the model
  const [A, E, B] = adalora.trainableVariables();
  tf.tidy(() => {
    A!.assign(tf.tensor2d(layer.A));
    E!.assign(tf.tensor2d(layer.E));
    B!.assign(tf.tensor2d(layer.B));
  });
  return { model, adalora };
}

describe('createAdaLora: attaching', () => {
  it('attaches an SVD adapter to every matched layer with PEFT-named variables; ΔW = 0 at init, so outputs are unchanged', () => {
    const model = track(new ToyModel(goldenToySpecs));
    const x = track(tf.randomNormal([5, 8], 0, 1, 'float32', 3));
    const before = track(model.forward(x));
    const adalora = track(createAdaLora(model, adaloraConfig({ seed: 11 })));
    expect(adalora.modules()).toEqual(['layers.0.proj', 'layers.1.proj', 'layers.2.proj']);
    expect(adalora.trainableVariables().map((v) => `${v.name} [${v.shape.join(',')}]`)).toEqual([
      'layers.0.proj.lora_A.default [6,8]',
      'layers.0.proj.lora_E.default [6,1]',
      'layers.0.proj.lora_B.default [6,6]',
      'layers.1.proj.lora_A.default [6,6]',
      'layers.1.proj.lora_E.default [6,1]',
      'layers.1.proj.lora_B.default [12,6]',
      'layers.2.proj.lora_A.default [6,12]',
      'layers.2.proj.lora_E.default [6,1]',
      'layers.2.proj.lora_B.default [4,6]',
    ]);
    const after = track(model.forward(x, { training: true, dropoutSeed: 1 }));
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    expect([...model.layers.values()].every((l) => l.branch !== null)).toBe(true);
  });

  it('initialisation is reproducible from the seed and differs between seeds and matrices', () => {
    const model = track(new ToyModel(goldenToySpecs));
    const first = createAdaLora(model, adaloraConfig({ seed: 5 }));
    const a5 = first.trainableVariables().map((v) => Array.from(v.dataSync()));
    first.dispose();
    const again = createAdaLora(model, adaloraConfig({ seed: 5 }));
    expect(again.trainableVariables().map((v) => Array.from(v.dataSync()))).toEqual(a5);
    again.dispose();
    const other = track(createAdaLora(model, adaloraConfig({ seed: 6 })));
    expect(Array.from(other.trainableVariables()[0]!.dataSync())).not.toEqual(a5[0]);
    expect(a5[0]!.slice(0, 6)).not.toEqual(a5[3]!.slice(0, 6)); // layers.0 A vs layers.1 A
  });

  it('a target that matches no layer is an error listing near matches; nothing is attached', () => {
    const model = track(new ToyModel(goldenToySpecs));
    let error: unknown;
    try {
      createAdaLora(model, adaloraConfig({ targetModules: ['prj'] }));
    } catch (e) {
      error = e;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/'prj': matches none of the model's 3 linear layers\. Near matches: 'layers\.0\.proj', 'layers\.1\.proj', 'layers\.2\.proj'/);
    expect([...model.layers.values()].every((l) => l.branch === null)).toBe(true);
  });

  it('a second controller under the same adapter name is refused while the first lives; another adapterName works', () => {
    const model = track(new ToyModel(goldenToySpecs));
    track(createAdaLora(model, adaloraConfig()));
    const other = track(new ToyModel(goldenToySpecs));
    expect(() => createAdaLora(other, adaloraConfig())).toThrow(/already called 'layers\.0\.proj\.lora_A\.default'/);
    const second = track(createAdaLora(other, adaloraConfig({ adapterName: 'second' })));
    expect(second.trainableVariables()[0]!.name).toBe('layers.0.proj.lora_A.second');
  });

  it('dispose() detaches the branches and frees the variable names; the controller refuses further use', () => {
    const model = track(new ToyModel(goldenToySpecs));
    const before = tf.memory().numTensors;
    const adalora = createAdaLora(model, adaloraConfig());
    adalora.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect([...model.layers.values()].every((l) => l.branch === null)).toBe(true);
    expect(() => adalora.trainableVariables()).toThrow(AdaLoraError);
    track(createAdaLora(model, adaloraConfig()));
  });
});

describe('merge / unmerge against layer_forward.json', () => {
  it('forward with the branch equals PEFT’s y; merged weight equals merged_W; merged and unmerged outputs agree', () => {
    const { model, adalora } = goldenLayer();
    const x = track(tf.tensor2d(layer.x));
    const y = track(model.forward(x));
    expectClose(y.dataSync(), layer.y, { rtol: 1e-5, label: 'y with branch' });
    adalora.merge();
    expect(adalora.merged).toBe(true);
    const linear = model.layers.get('layer')!;
    expect(linear.branch).toBeNull();
    expectClose(linear.getWeight().dataSync(), layer.merged_W, { rtol: 1e-6, label: 'merged_W' });
    const yMerged = track(model.forward(x));
    expectClose(yMerged.dataSync(), layer.y, { rtol: 1e-5, label: 'y merged' });
    adalora.unmerge();
    expect(linear.branch).not.toBeNull();
    expectClose(linear.getWeight().dataSync(), layer.W, { rtol: 1e-6, label: 'W after unmerge' });
    const yAgain = track(model.forward(x));
    expectClose(yAgain.dataSync(), Array.from(y.dataSync()), { rtol: 1e-6, label: 'y after unmerge' });
  });

  it('fan-in-fan-out weights (stored in × out) get ΔWᵀ; a contradicting fanInFanOut warns and is overridden', () => {
    const warnings: string[] = [];
    const { model, adalora } = goldenLayer('in-out', { fanInFanOut: false, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/fanInFanOut is false but 'layer' stores its weight in-out; using fanInFanOut = true/)]);
    const x = track(tf.tensor2d(layer.x));
    const y = track(model.forward(x));
    expectClose(y.dataSync(), layer.y, { rtol: 1e-5, label: 'y (fan-in-fan-out)' });
    adalora.merge();
    expectClose(model.layers.get('layer')!.getWeight().dataSync(), layer.fan_in_fan_out.merged_weight_in_out, { rtol: 1e-6, label: 'merged in-out' });
    const yMerged = track(model.forward(x));
    expectClose(yMerged.dataSync(), layer.y, { rtol: 1e-5, label: 'y merged (fan-in-fan-out)' });
    adalora.unmerge();
  });

  it('merge twice warns and does nothing; safe merge refuses non-finite weights and leaves the model as it was', () => {
    const warnings: string[] = [];
    const { model, adalora } = goldenLayer('out-in', { onWarning: (m) => warnings.push(m) });
    adalora.merge();
    adalora.merge();
    expect(warnings).toEqual(['merge(): the adapters are already merged; nothing to do']);
    expect(() => adalora.updateAndAllocate(0, {})).toThrow(/call unmerge\(\) before training/);
    adalora.unmerge();
    const E = adalora.trainableVariables()[1]!;
    tf.tidy(() => E.assign(tf.tensor2d([[Number.NaN], [0], [0], [0]])));
    expect(() => adalora.merge({ safe: true })).toThrow(/merging would put NaN or ±Infinity into 'layer'; the model was left unmerged/);
    expect(adalora.merged).toBe(false);
    expect(model.layers.get('layer')!.branch).not.toBeNull();
    expectClose(model.layers.get('layer')!.getWeight().dataSync(), layer.W, { rtol: 1e-6 });
  });

  it('dispose() while merged keeps the merged weights (PEFT merge_and_unload)', () => {
    const { model, adalora } = goldenLayer();
    adalora.merge();
    adalora.dispose();
    expectClose(model.layers.get('layer')!.getWeight().dataSync(), layer.merged_W, { rtol: 1e-6 });
    expect(model.layers.get('layer')!.branch).toBeNull();
  });
});

describe('updateAndAllocate: inputs', () => {
  const gradsFor = (adalora: AdaLoraController, fill: (name: string) => number): NamedTensorMap =>
    Object.fromEntries(adalora.trainableVariables().map((v) => [v.name, tf.fill(v.shape, fill(v.name))]));

  it('a missing gradient or one of the wrong shape is an error naming the variable', () => {
    const model = track(new ToyModel(goldenToySpecs));
    const adalora = track(createAdaLora(model, adaloraConfig()));
    const grads = gradsFor(adalora, () => 0.1);
    cleanups.push(() => tf.dispose(Object.values(grads)));
    const { ['layers.1.proj.lora_E.default']: _dropped, ...missing } = grads;
    expect(() => adalora.updateAndAllocate(0, missing)).toThrow(/none for 'layers\.1\.proj\.lora_E\.default'/);
    const wrong = { ...grads, 'layers.1.proj.lora_E.default': track(tf.zeros([6])) };
    expect(() => adalora.updateAndAllocate(0, wrong)).toThrow(/grads\['layers\.1\.proj\.lora_E\.default'\]: expected shape \[6, 1\]/);
    expect(() => adalora.updateAndAllocate(0, null as never)).toThrow(/keyed by variable name/);
    expect(() => adalora.updateAndAllocate(-1, grads)).toThrow(/step/);
  });

  it('NaN gradients (default policy): the score update of that step is skipped, with a warning; masking still follows the schedule', () => {
    const model = track(new ToyModel(goldenToySpecs));
    const warnings: string[] = [];
    const make = (name: string) => track(createAdaLora(model, adaloraConfig({ adapterName: name, seed: 1, onWarning: (m) => warnings.push(m) })));
    const skipped = make('skipped');
    const without = make('without');
    const withStep1 = make('withstep');
    const varying = (adalora: AdaLoraController, k: number) =>
      Object.fromEntries(adalora.trainableVariables().map((v, i) => [v.name, tf.randomNormal(v.shape, 0, 1, 'float32', 100 * k + i + 1)]));
    const run = (adalora: AdaLoraController, step: number, k: number, poison = false) => {
      const grads = varying(adalora, k);
      if (poison) {
        const name = adalora.trainableVariables()[4]!.name;
        const bad = grads[name]!;
        grads[name] = tf.tidy(() => tf.concat([tf.slice(bad, [0, 0], [5, 1]), tf.fill([1, 1], Number.NaN)]));
        bad.dispose();
      }
      try {
        return adalora.updateAndAllocate(step, grads);
      } finally {
        tf.dispose(Object.values(grads));
      }
    };
    // E must be non-zero for sensitivities to differ between steps.
    for (const a of [skipped, without, withStep1]) for (const v of a.trainableVariables()) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 9)));
    run(skipped, 0, 0);
    const report = run(skipped, 1, 1, true);
    expect(report.scoresUpdated).toBe(false);
    expect(report.nonFiniteGradients).toEqual(['layers.1.proj.lora_E.skipped']);
    expect(warnings).toEqual([expect.stringMatching(/updateAndAllocate\(1\): NaN or ±Infinity in the gradient of 'layers\.1\.proj\.lora_E\.skipped'; the importance scores were not updated/)]);
    const rest = (adalora: AdaLoraController) => [run(adalora, 2, 2), run(adalora, 3, 3), run(adalora, 4, 4)].at(-1)!;
    const skippedMask = rest(skipped);
    // The same gradients without the poisoned step give identical score states, hence the same τ and mask at t = 4.
    run(without, 0, 0);
    const withoutMask = rest(without);
    // Control: had step 1 been used, the scores (and τ) would differ.
    run(withStep1, 0, 0);
    run(withStep1, 1, 1);
    const usedMask = rest(withStep1);
    expect(skippedMask.keep).not.toBeNull();
    expect(skippedMask.threshold).toBe(withoutMask.threshold);
    expect(skippedMask.keep).toEqual(withoutMask.keep);
    expect(usedMask.threshold).not.toBe(skippedMask.threshold);
  });

  it("NaN gradients with nonFiniteGradients: 'error' throw, naming the variable", () => {
    const model = track(new ToyModel(goldenToySpecs));
    const adalora = track(createAdaLora(model, adaloraConfig({ nonFiniteGradients: 'error' })));
    const grads = gradsFor(adalora, (name) => (name === 'layers.2.proj.lora_B.default' ? Number.POSITIVE_INFINITY : 0.1));
    cleanups.push(() => tf.dispose(Object.values(grads)));
    expect(() => adalora.updateAndAllocate(0, grads)).toThrow(/expected finite gradients, found NaN or ±Infinity in 'layers\.2\.proj\.lora_B\.default'/);
  });
});
