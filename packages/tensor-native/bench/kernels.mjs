#!/usr/bin/env node
// Before/after of each kernel this package replaces, at BERT-base / DeBERTa-v3-base training shapes
// (batch 8 x seq 128): the same op timed on the wasm engine as @adalora/tensor sets it up (its own kernel
// fixes) and again with installNativeKernels(), alternating, median of --reps runs each. "before" for
// layerNorm / gelu is the unfused tfjs-core composition. Times exclude reading results back. Prints one JSON
// object (and a readable table on stderr).
// Usage: node bench/kernels.mjs [--reps 7]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// OpenBLAS reads OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE when it loads; run without them, as bench/run.mjs does.
if (process.env.OPENBLAS_CORETYPE !== undefined || process.env.OPENBLAS_L2_SIZE !== undefined) {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exit(child.status ?? 1);
}

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 7) || 7;
const tensorDist = fileURLToPath(new URL('../../tensor/dist/index.js', import.meta.url));
if (!existsSync(tensorDist)) throw new Error(`build @adalora/tensor first (missing ${tensorDist})`);
const { initBackend } = await import(tensorDist);
const { tf } = await initBackend({ engine: 'wasm' });
const native = await import('../dist/index.js');
native.uninstallNativeKernels(); // start from the pure-wasm path even if initBackend installed them

const compositeLayerNorm = (x, g, b, eps) => {
  const { mean, variance } = tf.moments(x, x.rank - 1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
};
const compositeGelu = (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));

const h = tf.randomNormal([1024, 768]);
const f = tf.randomNormal([1024, 3072]);
const dyH = tf.randomNormal([1024, 768]);
const dyF = tf.randomNormal([1024, 3072]);
const g = tf.ones([768]);
const b = tf.zeros([768]);
const w = tf.randomNormal([768, 3072]);
const a12 = tf.randomNormal([12, 3072]);
const q = tf.randomNormal([96, 128, 64]);
const scores = tf.randomNormal([96, 128, 128]);
const rel = tf.randomNormal([96, 128 * 512]);
const relIndex = tf.tensor1d(Int32Array.from({ length: 128 * 128 }, (_, k) => Math.floor(k / 128) * 512 + 256 + Math.floor(k / 128) - (k % 128)), 'int32');
const dyRel = tf.randomNormal([96, 128 * 128]);
const table = tf.randomNormal([30522, 768]);
const ids = tf.tensor1d(Int32Array.from({ length: 1024 }, (_, k) => (k * 7919 + 13) % 30522), 'int32');

const ops = [
  { name: 'matMul x·W [1024,768]·[768,3072]', run: () => tf.matMul(h, w) },
  { name: 'matMul dX = dY·Wᵀ [1024,3072]·[768,3072]ᵀ', run: () => tf.matMul(f, w, false, true) },
  { name: 'matMul dW = Xᵀ·dY [1024,768]ᵀ·[1024,3072]', run: () => tf.matMul(h, f, true, false) },
  { name: 'matMul attention Q·Kᵀ [96,128,64]', run: () => tf.matMul(q, q, false, true) },
  { name: 'matMul adapter x·Aᵀ [1024,3072]·[12,3072]ᵀ', run: () => tf.matMul(f, a12, false, true) },
  { name: 'erf [1024,3072]', run: () => tf.erf(f) },
  { name: 'exp [1024,3072]', run: () => tf.exp(f) },
  { name: 'bias gradient Σ rows [1024,3072]', run: () => tf.sum(f, 0) },
  { name: 'layerNorm forward [1024,768]', before: () => compositeLayerNorm(h, g, b, 1e-12), after: () => native.layerNorm(h, g, b, 1e-12) },
  { name: 'layerNorm forward+backward [1024,768]', before: () => tf.grads((x, gg, bb) => compositeLayerNorm(x, gg, bb, 1e-12))([h, g, b], dyH), after: () => tf.grads((x, gg, bb) => native.layerNorm(x, gg, bb, 1e-12))([h, g, b], dyH) },
  { name: 'gelu forward [1024,3072]', before: () => compositeGelu(f), after: () => native.gelu(f) },
  { name: 'gelu forward+backward [1024,3072]', before: () => tf.grad(compositeGelu)(f, dyF), after: () => tf.grad(native.gelu)(f, dyF) },
  { name: 'softmax forward+backward [96,128,128]', run: () => tf.grad((x) => tf.softmax(x))(scores, scores) },
  { name: 'gather c2p [96,65536] → [96,16384]', run: () => tf.gather(rel, relIndex, 1) },
  { name: 'gather c2p backward', run: () => tf.grad((x) => tf.gather(x, relIndex, 1))(rel, dyRel) },
  { name: 'embedding gather [30522,768] × 1024', run: () => tf.gather(table, ids) },
  { name: 'clone (saved for backward) [1024,3072]', run: () => tf.clone(f) },
];

const time = (fn) => {
  tf.tidy(() => { fn(); }); // warm-up
  const samples = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    tf.tidy(() => { fn(); }); // wasm kernels run synchronously: no read-back needed
    samples.push(performance.now() - start);
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)];
};

const results = [];
for (const op of ops) {
  const before = op.before ?? op.run;
  const after = op.after ?? op.run;
  native.uninstallNativeKernels();
  const beforeMs = time(before);
  native.installNativeKernels({ quiet: true });
  const afterMs = time(after);
  native.uninstallNativeKernels();
  results.push({ op: op.name, wasm_ms: +beforeMs.toFixed(2), native_ms: +afterMs.toFixed(2), speedup: +(beforeMs / afterMs).toFixed(1) });
  console.error(`${op.name.padEnd(48)} ${beforeMs.toFixed(2).padStart(9)} ms → ${afterMs.toFixed(2).padStart(8)} ms  (${(beforeMs / afterMs).toFixed(1)}x)`);
}
console.log(JSON.stringify({ benchmark: '@adalora/tensor-native kernels', date: new Date().toISOString(), reps, results }));
