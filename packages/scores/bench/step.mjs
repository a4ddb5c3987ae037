// Time of update + score + tripletScores per optimizer step for the DeBERTa-v3-base adapter set
// (12 layers × query/key/value/attention-output 768→768, intermediate 768→3072, output 3072→768 =
// 72 matrices, r = 12) on the tfjs wasm engine, for each built-in score function. Prints JSON.
// Usage (after `pnpm build`): pnpm --filter @adalora/scores bench [-- --steps 10]
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { scoreFunctions, tripletScores } from '../dist/index.js';

const stepsArg = process.argv.indexOf('--steps');
const timedSteps = stepsArg > 0 ? Number(process.argv[stepsArg + 1]) : 10;
const warmupSteps = 2;
const rank = 12;
// The model step time the score cost is compared to: one BERT-base layer forward + backward at batch 8 x
// seq 128 takes ~2,560 ms on wasm with the transposed-matmul fix (notes/tfjs-runtime.md), so ~31 s for
// 12 layers. To be replaced by the figure of the @adalora/tensor benchmark.
const referenceStepMs = 12 * 2560;

await tf.setBackend('wasm');
await tf.ready();

const layer = [[768, 768], [768, 768], [768, 768], [768, 768], [768, 3072], [3072, 768]];
const matrices = Array.from({ length: 12 }, () => layer).flat().map(([dIn, dOut], i) => {
  const shapes = { A: [rank, dIn], E: [rank, 1], B: [dOut, rank] };
  const make = (seed) => Object.fromEntries(Object.entries(shapes).map(([role, shape], j) => [role, tf.randomNormal(shape, 0, 0.02, 'float32', seed + j)]));
  return { value: make(10 * i), grad: make(10 * i + 5) };
});
const roles = ['A', 'E', 'B'];

const results = {};
for (const id of scoreFunctions.ids()) {
  const scorer = scoreFunctions.resolve(id)();
  const states = matrices.map((m) => Object.fromEntries(roles.map((role) => [role, scorer.init(m.value[role], role)])));
  const step = () => {
    matrices.forEach((m, i) => {
      const state = states[i];
      for (const role of roles) state[role] = scorer.update(state[role], m.value[role], m.grad[role]);
      const [sA, sE, sB] = roles.map((role) => scorer.score(state[role]));
      tripletScores(sA, sE, sB);
      tf.dispose([sA, sE, sB]);
    });
  };
  for (let t = 0; t < warmupSteps; t++) step();
  const tensorsBefore = tf.memory().numTensors;
  const times = [];
  for (let t = 0; t < timedSteps; t++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  states.forEach((state) => roles.forEach((role) => scorer.dispose(state[role])));
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  results[id] = {
    medianMs: round(median),
    meanMs: round(times.reduce((s, x) => s + x, 0) / times.length),
    minMs: round(times[0]),
    maxMs: round(times[times.length - 1]),
    fractionOfReferenceStep: Number((median / referenceStepMs).toPrecision(3)),
    leakedTensorsPerRun: leaked,
  };
}

console.log(
  JSON.stringify(
    {
      benchmark: 'scores: update (A, E, B) + score + tripletScores per optimizer step',
      adapterSet: 'DeBERTa-v3-base: 72 matrices (48 of 768x768, 12 of 768->3072, 12 of 3072->768), r = 12',
      engine: tf.getBackend(),
      timedSteps,
      warmupSteps,
      referenceStepMs,
      referenceSource: 'notes/tfjs-runtime.md: BERT-base layer fwd+bwd, batch 8 x seq 128, wasm + matmul fix = 2,560 ms x 12 layers (placeholder until the @adalora/tensor benchmark figure)',
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
      date: new Date().toISOString(),
      results,
    },
    null,
    2,
  ),
);

function round(x) {
  return Math.round(x * 100) / 100;
}
