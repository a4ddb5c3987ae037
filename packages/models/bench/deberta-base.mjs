// Benchmark: forward and forward+backward time of a deberta-v3-base-shaped model (random weights) at
// batch 8 x seq 128, per engine. Runs the built package (dist/): `pnpm build && pnpm bench`.
// Options: --engines wasm,cpu  --layers N (default 12; cpu is ~20-60x slower than wasm, so by default it
// runs 1 layer and the per-layer time is reported)  --repeats R (default 2)  --vocab V (default 128100)
// --cpu-backward (also time the backward pass on cpu: tfjs-backend-cpu 4.22's UnsortedSegmentSum, the
// gradient of the relative-position gather, loops over every segment and is quadratic, which takes
// hours and tens of GB at these shapes).
// Backward: rank-8 LoRA-style branches on the six matrices of every layer (the AdaLoRA setting) plus the
// classifier head, gradient checkpointing on (the default). Prints one JSON object.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { modelZoo, randomModel } from '../dist/index.js';

const argv = process.argv.slice(2);
const args = Object.fromEntries(
  argv.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), argv[i + 1]?.startsWith('--') === false ? argv[i + 1] : '']] : [])),
);
const engines = (args.engines ?? 'wasm,cpu').split(',');
const repeats = Number(args.repeats ?? 2);
const batch = 8;
const length = 128;

class LowRank {
  constructor(inF, outF, seed) {
    this.a = tf.variable(tf.randomNormal([inF, 8], 0, 0.02, 'float32', seed));
    this.b = tf.variable(tf.randomNormal([8, outF], 0, 0.02, 'float32', seed + 1));
  }
  apply(x) {
    return tf.tidy(() => {
      const flat = tf.reshape(x, [-1, x.shape[x.rank - 1]]);
      return tf.reshape(tf.matMul(tf.matMul(flat, this.a), this.b), [...x.shape.slice(0, -1), this.b.shape[1]]);
    });
  }
  trainableVariables() {
    return [this.a, this.b];
  }
}

const log = (message) => process.stderr.write(`[bench] ${message} (rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)\n`);
const time = async (fn) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

const results = [];
for (const engine of engines) {
  await initBackend({ engine });
  const layers = Number(args.layers ?? (engine === 'cpu' ? 1 : 12));
  const config = { ...modelZoo.get('deberta-v3-base').config, num_hidden_layers: layers, vocab_size: Number(args.vocab ?? 128100) };
  const model = randomModel(config, { task: 'sequence-classification', numLabels: 2, seed: 1 });
  const branches = [];
  for (const [name, linear] of model.linears()) {
    if (!/layer\.\d+\.(attention\.self\.(query|key|value)_proj|attention\.output\.dense|intermediate\.dense|output\.dense)$/.test(name)) continue;
    const branch = new LowRank(linear.inFeatures, linear.outFeatures, branches.length * 2);
    linear.setBranch(branch);
    branches.push(branch);
  }
  const ids = tf.randomUniform([batch, length], 4, 8000, 'int32', 5);
  const mask = tf.ones([batch, length]);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 1, 0], 'int32'), 2);
  const vars = [...branches.flatMap((b) => b.trainableVariables()), ...model.trainableVariables()];
  const forward = () => {
    const out = model.forward({ inputIds: ids, attentionMask: mask });
    out.logits.dataSync();
    tf.dispose([out.logits, out.lastHiddenState, out.pooledOutput]);
  };
  const step = (seed) => {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward({ inputIds: ids, attentionMask: mask }, { training: true, seed });
      return tf.losses.softmaxCrossEntropy(labels, out.logits);
    }, vars);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  log(`${engine}: model built (${layers} layers)`);
  forward(); // warm-up (kernel set-up, index caches)
  log(`${engine}: warm-up forward done`);
  const forwardMs = [];
  for (let i = 0; i < repeats; i++) forwardMs.push(await time(forward));
  const stepMs = [];
  log(`${engine}: forward timed`);
  const backward = engine !== 'cpu' || args['cpu-backward'] !== undefined;
  if (backward) for (let i = 0; i < repeats; i++) stepMs.push(await time(() => step(i)));
  log(`${engine}: forward+backward ${backward ? 'timed' : 'skipped'}`);
  const best = (xs) => Math.min(...xs);
  results.push({
    engine,
    layers,
    forwardMs: Math.round(best(forwardMs)),
    forwardBackwardMs: backward ? Math.round(best(stepMs)) : null,
    forwardMsPerLayer: Math.round(best(forwardMs) / layers),
    forwardBackwardMsPerLayer: backward ? Math.round(best(stepMs) / layers) : null,
    ...(backward ? {} : { note: 'backward not timed on cpu (quadratic UnsortedSegmentSum in tfjs-backend-cpu 4.22); pass --cpu-backward to force it' }),
    gradientCheckpointing: model.gradientCheckpointing,
    runs: { forwardMs: forwardMs.map(Math.round), forwardBackwardMs: stepMs.map(Math.round) },
  });
  tf.dispose([ids, mask, labels, ...vars]);
  model.dispose();
}
console.log(
  JSON.stringify(
    {
      benchmark: 'deberta-v3-base shapes, random weights',
      batch,
      sequenceLength: length,
      adapters: 'rank-8 LoRA-style branches on query/key/value/attention.output/intermediate/output of every layer + classifier head',
      node: process.version,
      results,
    },
    null,
    2,
  ),
);
