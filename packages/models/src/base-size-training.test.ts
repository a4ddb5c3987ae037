import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { BranchContext, LinearBranch } from '@adalora/core';
import { initBackend } from '@adalora/tensor';
import { expect, it } from 'vitest';
import { randomModel } from './load-pretrained.js';
import { modelZoo } from './zoo.js';

/** Rank-8 LoRA-style branch x·A·B (A small random, B zero as in LoRA's init, so the step changes B). */
class LowRank implements LinearBranch<Tensor> {
  readonly a: Variable;
  readonly b: Variable;
  constructor(inF: number, outF: number, seed: number) {
    this.a = tf.variable(tf.randomNormal([inF, 8], 0, 0.02, 'float32', seed));
    this.b = tf.variable(tf.zeros([8, outF]));
  }
  apply(x: Tensor, _context: BranchContext): Tensor {
    return tf.tidy(() => {
      const flat = tf.reshape(x, [-1, x.shape[x.rank - 1] as number]);
      return tf.reshape(tf.matMul(tf.matMul(flat, this.a), this.b), [...x.shape.slice(0, -1), this.b.shape[1] as number]);
    });
  }
  trainableVariables(): Tensor[] {
    return [this.a, this.b];
  }
}

// A 12-layer deberta-v3-base-shaped model (random weights; the vocabulary is cut to 8k rows to keep the
// embedding table small, which changes nothing inside the layers) trains one step at batch 8 x 128 on
// wasm: without per-layer gradient checkpointing the activations (~700 MB per layer) exceed the 4 GiB
// wasm heap. Kept in its own file: it takes about a minute on 2 cores.
it('one Adam step of a base-sized DeBERTa-v3 at batch 8 x 128 on wasm completes, with finite loss and updated adapters', async () => {
  await initBackend({ engine: 'wasm' });
  const config = { ...modelZoo.get('deberta-v3-base').config, vocab_size: 8000 };
  const model = randomModel(config, { task: 'sequence-classification', numLabels: 2, seed: 1 });
  expect(model.gradientCheckpointing).toBe(true);
  const branches: LowRank[] = [];
  for (const [name, linear] of model.linears()) {
    if (!/layer\.\d+\.attention\.self\.(query|value)_proj$/.test(name)) continue;
    const branch = new LowRank(linear.inFeatures, linear.outFeatures, branches.length);
    linear.setBranch(branch);
    branches.push(branch);
  }
  expect(branches.length).toBe(24);
  const batch = 8;
  const length = 128;
  const ids = tf.randomUniform([batch, length], 4, 8000, 'int32', 5);
  const mask = tf.ones([batch, length]);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 1, 0], 'int32'), 2);
  const vars = [...branches.flatMap((b) => [b.a, b.b]), ...model.trainableVariables()];
  const optimizer = tf.train.adam(1e-3);
  const before = tf.memory().numTensors;
  const loss = optimizer.minimize(() => {
    const out = model.forward({ inputIds: ids, attentionMask: mask }, { training: true, seed: 3 });
    return tf.losses.softmaxCrossEntropy(labels, out.logits) as tf.Scalar;
  }, true, vars);
  const value = loss!.dataSync()[0]!;
  expect(Number.isFinite(value)).toBe(true);
  expect(value).toBeGreaterThan(0.3);
  // Every B started at zero and received a gradient through the checkpointed recomputation.
  for (const b of branches) expect(tf.tidy(() => tf.max(tf.abs(b.b)).dataSync()[0])).toBeGreaterThan(0);
  loss!.dispose();
  // New tensors: Adam's two moment slots per trained variable and the cached c2p/p2c indices of length 128.
  expect(tf.memory().numTensors - before).toBe(2 * vars.length + 2);
  optimizer.dispose();
  tf.dispose([ids, mask, labels, ...vars]);
  model.dispose();
}, 300_000);
