import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { BranchContext, LinearBranch } from '@adalora/core';
import { initBackend } from '@adalora/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomModel } from './load-pretrained.js';
import type { EncoderModel } from './model.js';

/** A LoRA-style branch x·A·B with its own seeded dropout, recording the contexts it was called with. */
class TestBranch implements LinearBranch<Tensor> {
  readonly a: Variable;
  readonly b: Variable;
  readonly contexts: BranchContext[] = [];
  constructor(inF: number, outF: number, seed: number) {
    this.a = tf.variable(tf.randomNormal([inF, 2], 0, 0.3, 'float32', seed));
    this.b = tf.variable(tf.randomNormal([2, outF], 0, 0.3, 'float32', seed + 1));
  }
  apply(x: Tensor, context: BranchContext): Tensor {
    this.contexts.push(context);
    return tf.tidy(() => {
      const dropped = context.training ? tf.dropout(x, 0.1, undefined, context.dropoutSeed) : x;
      const lead = x.shape.slice(0, -1);
      const flat = tf.reshape(dropped, [-1, x.shape[x.rank - 1] as number]);
      return tf.reshape(tf.matMul(tf.matMul(flat, this.a), this.b), [...lead, this.b.shape[1] as number]);
    });
  }
  trainableVariables(): Tensor[] {
    return [this.a, this.b];
  }
  dispose(): void {
    this.a.dispose();
    this.b.dispose();
  }
}

function attach(model: EncoderModel, pattern: RegExp): TestBranch[] {
  const branches: TestBranch[] = [];
  let seed = 100;
  for (const [name, linear] of model.linears()) {
    if (!pattern.test(name)) continue;
    const branch = new TestBranch(linear.inFeatures, linear.outFeatures, seed++);
    linear.setBranch(branch);
    branches.push(branch);
  }
  return branches;
}

const batch = {
  inputIds: [
    [1, 20, 99, 39, 36, 100, 40, 32, 116, 14, 2, 0],
    [1, 5, 77, 8, 2, 0, 0, 0, 0, 0, 0, 0],
  ],
  attentionMask: [
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  ],
};

function lossOf(model: EncoderModel<'sequence-classification'>, seed: number): tf.Scalar {
  const out = model.forward(batch, { training: true, seed });
  return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 0], 'int32'), 2), out.logits) as tf.Scalar;
}

function grads(model: EncoderModel<'sequence-classification'>, vars: Variable[], seed: number): Float32Array[] {
  const { grads: g, value } = tf.variableGrads(() => lossOf(model, seed), vars);
  const values = vars.map((v) => g[v.name]!.dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(g)]);
  return values;
}

describe('eval forward', () => {
  it.each(['tiny-deberta-v3', 'tiny-bert', 'tiny-roberta'] as const)('%s: repeated forward calls leave no tensor behind, dispose frees everything', async (name) => {
    await initBackend({ engine: 'wasm' });
    for (const task of ['base', 'sequence-classification', 'question-answering'] as const) {
      const start = tf.memory().numTensors;
      const model = randomModel(name, { task, numLabels: 2 });
      const run = () => tf.dispose(Object.values(model.forward(batch, { outputHiddenStates: true, outputAttentions: true })).flat());
      run();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) run();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      expect(tf.memory().numTensors).toBe(start); // dispose() frees weights, variables and cached indices
    }
  });
});

describe.each(['cpu', 'wasm'] as const)('training the tiny DeBERTa-v3 on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ engine });
  });

  it('gradient checkpointing gives the gradients of the plain backward pass, dropout included', () => {
    const model = randomModel('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2, seed: 3 });
    const branches = attach(model, /attention\.self\.(query|key|value)_proj$|intermediate\.dense$/);
    const vars = [...branches.flatMap((b) => [b.a, b.b]), ...model.trainableVariables()];
    model.gradientCheckpointing = true;
    const withCheckpoints = grads(model, vars, 1234);
    model.gradientCheckpointing = false;
    const plain = grads(model, vars, 1234);
    const other = grads(model, vars, 999);
    let worst = 0;
    let scale = 0;
    let differs = 0;
    withCheckpoints.forEach((g, i) => {
      for (let k = 0; k < g.length; k++) {
        worst = Math.max(worst, Math.abs((g[k] as number) - (plain[i]![k] as number)));
        scale = Math.max(scale, Math.abs(plain[i]![k] as number));
        differs = Math.max(differs, Math.abs((other[i]![k] as number) - (plain[i]![k] as number)));
      }
    });
    expect(scale).toBeGreaterThan(1e-3); // gradients reach every adapter
    expect(worst).toBeLessThan(1e-5 * Math.max(1, scale));
    expect(differs).toBeGreaterThan(1e-4); // another seed draws other dropout masks
    branches.forEach((b) => b.dispose());
    model.dispose();
  });

  it('branches see the training flag and a distinct dropout seed per linear and layer; with share_att_key query/key branches also project the relative table', () => {
    const model = randomModel('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2 });
    const branches = attach(model, /layer\.\d\.attention\.self\.(query|key)_proj$/);
    const out = model.forward(batch, { training: true, seed: 5 });
    tf.dispose([out.logits, out.lastHiddenState, out.pooledOutput]);
    // Each query/key branch is called on the hidden states and on the relative-embedding table.
    for (const b of branches) {
      expect(b.contexts.length).toBe(2);
      expect(b.contexts.every((c) => c.training)).toBe(true);
    }
    const seeds = branches.flatMap((b) => b.contexts.map((c) => c.dropoutSeed));
    expect(new Set(seeds).size).toBe(seeds.length);
    const eval1 = model.forward(batch);
    expect(branches[0]!.contexts.at(-1)!.training).toBe(false);
    tf.dispose([eval1.logits, eval1.lastHiddenState, eval1.pooledOutput]);
    branches.forEach((b) => b.dispose());
    model.dispose();
  });

  it('eval mode is deterministic; training mode with the same seed too, and differs from eval (dropout)', () => {
    const model = randomModel('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2 });
    const run = (options: { training?: boolean; seed?: number }) => {
      const out = model.forward(batch, options);
      const v = Array.from(out.logits.dataSync());
      tf.dispose([out.logits, out.lastHiddenState, out.pooledOutput]);
      return v;
    };
    expect(run({})).toEqual(run({}));
    expect(run({ training: true, seed: 8 })).toEqual(run({ training: true, seed: 8 }));
    expect(run({ training: true, seed: 8 })).not.toEqual(run({}));
    model.dispose();
  });

  it('no tensor leaks over repeated forward/backward/optimizer steps (with checkpointing)', () => {
    const model = randomModel('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2 });
    const branches = attach(model, /attention\.self\.(query|key|value)_proj$|dense$/);
    const vars = [...branches.flatMap((b) => [b.a, b.b]), ...model.trainableVariables()];
    const optimizer = tf.train.adam(1e-3);
    const step = (i: number) => {
      const cost = optimizer.minimize(() => lossOf(model, i), true, vars);
      cost?.dispose();
    };
    step(0);
    const before = tf.memory().numTensors;
    for (let i = 1; i <= 4; i++) step(i);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    branches.forEach((b) => b.dispose());
    model.dispose();
  });
});
