// Cost of the AdaLoRA machinery per optimizer step for a DeBERTa-v3-base-sized adapter set (72 matrices:
// per layer 4 × 768→768 and 768→3072, 3072→768; initR 12), on the built package. Prints one JSON object.
// Usage: node bench/controller-step.mjs [--engine wasm|cpu] [--steps N]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { sensitivity } from '@adalora/scores';
import { createAdaLora } from '@adalora/adapters';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const engine = arg('engine', 'wasm');
const steps = Number(arg('steps', 12));
await initBackend({ engine });

const shapes = [];
for (let layer = 0; layer < 12; layer++) {
  for (const name of ['query_proj', 'key_proj', 'value_proj', 'attention.output.dense']) shapes.push([`encoder.layer.${layer}.${name}`, 768, 768]);
  shapes.push([`encoder.layer.${layer}.intermediate.dense`, 768, 3072], [`encoder.layer.${layer}.output.dense`, 3072, 768]);
}
const linears = new Map(
  shapes.map(([name, dIn, dOut]) => [name, { inFeatures: dIn, outFeatures: dOut, weightLayout: 'out-in', getWeight: () => null, setWeight: () => {}, setBranch: () => {} }]),
);
const adalora = createAdaLora({ linears: () => linears }, {
  targetModules: '.*',
  initR: 12,
  targetR: 8,
  alpha: 16,
  scorer: sensitivity(),
  budget: { totalStep: 1000, tinit: 0, tfinal: 100, deltaT: 2 },
});
const variables = adalora.trainableVariables();
for (const v of variables) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.02, 'float32', 1)));
const grads = Object.fromEntries(variables.map((v, i) => [v.name, tf.randomNormal(v.shape, 0, 1e-3, 'float32', i + 2)]));

const time = (fn) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};
const update = { mask: [], noMask: [] };
const tensorsBefore = tf.memory().numTensors;
for (let step = 1; step <= steps; step++) {
  let masked = false;
  const ms = time(() => {
    masked = adalora.updateAndAllocate(step, grads).keep !== null;
  });
  (masked ? update.mask : update.noMask).push(ms);
}
const tensorsAfter = tf.memory().numTensors;
const orth = [];
for (let i = 0; i < 3; i++) {
  orth.push(
    time(() => {
      const { value, grads: g } = tf.variableGrads(() => adalora.orthRegularization(), variables);
      value.dataSync();
      tf.dispose([value, ...Object.values(g)]);
    }),
  );
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? null;
console.log(
  JSON.stringify({
    engine,
    matrices: shapes.length,
    trainableParameters: variables.reduce((n, v) => n + v.size, 0),
    steps,
    updateAndAllocateMs: { median: median([...update.mask, ...update.noMask]), maskStepMedian: median(update.mask), noMaskStepMedian: median(update.noMask) },
    orthRegValueAndGradMsMedian: median(orth),
    tensorLeakPerStep: (tensorsAfter - tensorsBefore) / steps,
  }),
);
adalora.dispose();
tf.dispose(Object.values(grads));
