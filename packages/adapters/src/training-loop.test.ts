import { describe, expect, it } from 'vitest';
import { initBackend } from '@adalora/tensor';
import type { TensorFlow } from '@adalora/tensor';
import { sensitivity } from '@adalora/scores';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { createAdaLora } from './controller.js';
import type { AdaLoraController } from './controller.js';
import { ToyModel, goldenToySpecs } from './testing/toy-model.js';

const totalStep = 100;
const tfinal = 30;

/**
 * The end-to-end scenario of the golden README run by the controller: the toy net (8→6→12→4, tanh after
 * the first two), loss = mean((h₃ − y)²) + orthRegularization(), plain SGD, updateAndAllocate after
 * every step. Returns what the assertions need; frees everything.
 */
function train(tf: TensorFlow) {
  const model = new ToyModel(goldenToySpecs, { seed: 3 });
  const x = tf.randomNormal([5, 8], 0, 1, 'float32', 21);
  const y = tf.randomNormal([5, 4], 0, 1, 'float32', 22);
  const adalora = createAdaLora(model, {
    targetModules: ['proj'],
    initR: 6,
    targetR: 3,
    alpha: 16,
    dropout: 0.1,
    scorer: sensitivity(),
    budget: { totalStep, tinit: 10, tfinal, deltaT: 5 },
    orthRegWeight: 0.5,
    seed: 4,
  });
  const optimizer = tf.train.sgd(0.1);
  const variables = adalora.trainableVariables();
  const losses: number[] = [];
  const tensorDelta: number[] = [];
  const phases: string[] = [];
  try {
    for (let step = 0; step < totalStep; step++) {
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => {
        const out = model.forward(x, { training: true, dropoutSeed: 1000 + step });
        return tf.add(tf.mean(tf.square(tf.sub(out, y))), adalora.orthRegularization()) as Scalar;
      }, variables);
      optimizer.applyGradients(grads);
      phases.push(adalora.updateAndAllocate(step, grads).phase);
      losses.push(value.dataSync()[0] as number);
      tf.dispose([value, ...Object.values(grads)]);
      tensorDelta.push(tf.memory().numTensors - before);
    }
    const pattern = adalora.rankPattern() ?? {};
    const maskedE = maskedEntries(adalora, pattern);
    return { losses, tensorDelta, phases, pattern, maskedE, variableCount: variables.length };
  } finally {
    adalora.dispose();
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  }
}

/** The E values of the triplets the rank pattern drops. */
function maskedEntries(adalora: AdaLoraController, pattern: Record<string, boolean[]>): number[] {
  return [...adalora.adapters()].flatMap(([name, adapter]) => {
    const e = (adapter.trainableVariables()[1] as Tensor).dataSync();
    return (pattern[name] ?? []).flatMap((keep, i) => (keep ? [] : [e[i] as number]));
  });
}

describe('a full training loop (variableGrads → SGD → updateAndAllocate)', () => {
  for (const engine of ['cpu', 'wasm'] as const) {
    it(`100 steps on ${engine}: no tensor leaks, the budget is met, masked E stay 0, the loss falls`, async () => {
      const { tf } = await initBackend({ engine });
      const start = tf.memory().numTensors;
      const run = train(tf);
      expect(tf.memory().numTensors).toBe(start);
      // Step 0 creates the optimizer's constants; from then on a step leaves the tensor count unchanged,
      // except at t = totalStep − tfinal where PEFT semantics drop the score states (2 tensors per variable).
      run.tensorDelta.slice(1).forEach((delta, i) => {
        const step = i + 1;
        expect(delta, `tensor count change at step ${step}`).toBe(step === totalStep - tfinal ? -2 * run.variableCount : 0);
      });
      expect(run.phases.slice(totalStep - tfinal + 1).every((p) => p === 'final')).toBe(true);
      const kept = Object.values(run.pattern).reduce((n, flags) => n + flags.filter(Boolean).length, 0);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThanOrEqual(9);
      expect(run.maskedE.length).toBe(18 - kept);
      expect(run.maskedE.every((e) => e === 0)).toBe(true);
      expect(run.losses.at(-1)!).toBeLessThan(run.losses[0]!);
      await initBackend({ engine: 'cpu' });
    });
  }

  it('with E = 0 at init and γ = 0, A and B get exactly zero gradient at the first step (spec a); only E moves', async () => {
    const { tf } = await initBackend({ engine: 'cpu' });
    const model = new ToyModel(goldenToySpecs, { seed: 3 });
    const adalora = createAdaLora(model, { targetModules: ['proj'], initR: 6, targetR: 3, alpha: 16, scorer: sensitivity(), budget: { totalStep: 10 }, orthRegWeight: 0 });
    const x = tf.randomNormal([5, 8], 0, 1, 'float32', 21);
    try {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.forward(x))) as Scalar, adalora.trainableVariables());
      expect(Object.keys(grads)).toHaveLength(9);
      for (const [name, grad] of Object.entries(grads)) {
        const allZero = Array.from(grad.dataSync()).every((v) => v === 0);
        expect(allZero, name).toBe(!name.includes('lora_E'));
      }
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      tf.dispose(x);
      adalora.dispose();
      model.dispose();
    }
  });
});
