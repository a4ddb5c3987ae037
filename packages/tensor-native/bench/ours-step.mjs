#!/usr/bin/env node
// One AdaLoRA training step of a BERT-base- or DeBERTa-v3-base-shaped encoder on our default CPU engine
// (initBackend({ engine: 'auto' }) from @adalora/tensor plus the native kernels of this package), timed.
// Same math as torch_step.py; run by run.mjs, which alternates it with PyTorch. Prints one JSON line.
// Usage: node bench/ours-step.mjs --model bert|deberta [--layers 12] [--steps 2] [--native on|off]
//        [--fused on|off] [--checkpoint on|off|<first N layers>] [--profile on|forward [--profile-kernel <name>]]
// --profile prints per-kernel times of one step (--profile forward: of the forward pass) on stderr;
// --breakdown on prints forward, forward+backward, Adam and bookkeeping times; --faults on, page faults per step.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adapter, batch, keepFraction, models, relativeIndex, seq } from './shapes.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const modelName = flag('model', 'bert');
const config = { ...models[modelName], layers: Math.min(Number(flag('layers', '12')), models[modelName].layers) };
const steps = Number(flag('steps', '2'));
const useNative = flag('native', 'on') === 'on';
const useFused = flag('fused', 'on') === 'on';
// --checkpoint on: every layer; a number N: the first N layers only (less recomputation, more memory).
const checkpointFlag = flag('checkpoint', 'off');
const checkpointLayers = checkpointFlag === 'on' ? Infinity : checkpointFlag === 'off' ? 0 : Number(checkpointFlag);
if (Number.isNaN(checkpointLayers)) throw new Error(`--checkpoint ${checkpointFlag}: expected on, off or a number of layers`);
const useCheckpoint = checkpointLayers > 0;

// @adalora/tensor is not a dependency of this package (it will load this package); the monorepo's build is used.
const tensorDist = fileURLToPath(new URL('../../tensor/dist/index.js', import.meta.url));
if (!existsSync(tensorDist)) throw new Error(`build @adalora/tensor first (missing ${tensorDist}): pnpm --filter @adalora/tensor build`);
const { initBackend, checkpoint } = await import(tensorDist);
// initBackend installs this package's kernels itself (native: false keeps the pure-wasm kernels); calling
// installNativeKernels again only re-registers them and returns what is installed.
const { tf, engine } = await initBackend({ engine: 'auto', native: useNative });
const native = await import('../dist/index.js');
let install;
if (useNative) {
  install = native.installNativeKernels({ quiet: true });
} else {
  native.uninstallNativeKernels(); // for an @adalora/tensor build without the native option
  install = { installed: false, reason: 'native kernels off (--native off)' };
}
// --fused off: LayerNorm and GELU from tfjs-core ops, as @adalora/models writes them today.
const compositeOps = {
  layerNorm: (x, g, b, e) => {
    const { mean, variance } = tf.moments(x, x.rank - 1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, e))), g), b);
  },
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
};
const ops = useFused ? { layerNorm: native.layerNorm, gelu: native.gelu } : compositeOps;

const { hidden: H, heads: nh, ffn: F, eps } = config;
const d = H / nh;
const N = batch * seq;
let seed = 1;
const frozen = (shape) => tf.randomNormal(shape, 0, 0.02, 'float32', seed++);
const zeros = (shape) => tf.zeros(shape);
const ones = (shape) => tf.ones(shape);
const scaling = adapter.alpha / (adapter.rank + 1e-5);

const adapters = [];
function linear(inF, outF) {
  const A = tf.variable(tf.randomNormal([adapter.rank, inF], 0, 0.02, 'float32', seed++));
  const E = tf.variable(tf.zeros([adapter.rank]));
  const B = tf.variable(tf.randomNormal([outF, adapter.rank], 0, 0.02, 'float32', seed++));
  const state = { A, E, B, ema: new Map(), unc: new Map() };
  adapters.push(state);
  return { w: frozen([inF, outF]), b: zeros([outF]), adapter: state };
}
/** y = x·W + b + (x·(A⊙E·s)ᵀ)·Bᵀ for x [rows, in]: the frozen linear plus ΔW = B·diag(E)·A·s. */
function applyLinear(l, x) {
  const { A, E, B } = l.adapter;
  const scaledA = tf.mul(A, tf.reshape(tf.mul(E, scaling), [-1, 1]));
  const delta = tf.matMul(tf.matMul(x, scaledA, false, true), B, false, true);
  return tf.add(tf.add(tf.matMul(x, l.w), l.b), delta);
}

const layers = Array.from({ length: config.layers }, () => ({
  q: linear(H, H), k: linear(H, H), v: linear(H, H), o: linear(H, H),
  ln1: { g: ones([H]), b: zeros([H]) }, up: linear(H, F), down: linear(F, H), ln2: { g: ones([H]), b: zeros([H]) },
}));
const embed = {
  words: frozen([config.vocab, H]),
  positions: config.maxPositions > 0 ? frozen([config.maxPositions, H]) : null,
  types: config.typeVocab > 0 ? frozen([config.typeVocab, H]) : null,
  ln: { g: ones([H]), b: zeros([H]) },
};
const rel = config.relative === null ? null : (() => {
  const { c2p, p2c } = relativeIndex(seq, config.relative.buckets, config.relative.maxRelative);
  return { table: frozen([2 * config.relative.buckets, H]), ln: { g: ones([H]), b: zeros([H]) }, c2p: tf.tensor1d(c2p, 'int32'), p2c: tf.tensor1d(p2c, 'int32') };
})();
const head = { dense: frozen([H, H]), denseB: zeros([H]), cls: tf.variable(frozen([H, 2])), clsB: tf.variable(zeros([2])) };
const ids = tf.tensor1d(Int32Array.from({ length: N }, (_, i) => (i * 7919 + 13) % config.vocab), 'int32');
const labels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => i % 2), 'int32'), 2);

/** [rows = B·L, H] → [nh, B·L, d] (head-major: one batched matmul covers every head). */
const splitHeads = (x) => tf.transpose(tf.reshape(x, [N, nh, d]), [1, 0, 2]);

function encoderLayer(p, x, relTable) {
  const q = splitHeads(applyLinear(p.q, x));
  const k = splitHeads(applyLinear(p.k, x));
  const v = splitHeads(applyLinear(p.v, x));
  const qb = tf.reshape(q, [nh * batch, seq, d]);
  const kb = tf.reshape(k, [nh * batch, seq, d]);
  let scores = tf.matMul(qb, kb, false, true);
  let scale = Math.sqrt(d);
  if (relTable !== null) {
    // c2p[i, j] = Q_i·Kr[δ(i, j)], p2c[i, j] = K_j·Qr[δ(i, j)]; Kr, Qr: the table through this layer's key/query
    // projections (adapters included, share_att_key). Gathers over [nh·B, L·2k] with a flat [L·L] index.
    const span = relTable.shape[0];
    const kr = tf.transpose(tf.reshape(applyLinear(p.k, relTable), [span, nh, d]), [1, 0, 2]);
    const qr = tf.transpose(tf.reshape(applyLinear(p.q, relTable), [span, nh, d]), [1, 0, 2]);
    const c2p = tf.reshape(tf.matMul(q, kr, false, true), [nh * batch, seq * span]);
    const p2c = tf.reshape(tf.matMul(k, qr, false, true), [nh * batch, seq * span]);
    scores = tf.add(scores, tf.reshape(tf.gather(c2p, rel.c2p, 1), [nh * batch, seq, seq]));
    scores = tf.add(scores, tf.reshape(tf.gather(p2c, rel.p2c, 1), [nh * batch, seq, seq]));
    scale = Math.sqrt(d * 3);
  }
  const probs = tf.softmax(tf.mul(scores, 1 / scale));
  const context = tf.matMul(probs, tf.reshape(v, [nh * batch, seq, d]));
  const merged = tf.reshape(tf.transpose(tf.reshape(context, [nh, N, d]), [1, 0, 2]), [N, H]);
  const attention = ops.layerNorm(tf.add(applyLinear(p.o, merged), x), p.ln1.g, p.ln1.b, eps);
  const inter = ops.gelu(applyLinear(p.up, attention));
  return ops.layerNorm(tf.add(applyLinear(p.down, inter), attention), p.ln2.g, p.ln2.b, eps);
}

function lossFn() {
  let h = tf.gather(embed.words, ids);
  if (embed.positions !== null) h = tf.reshape(tf.add(tf.reshape(h, [batch, seq, H]), tf.slice(embed.positions, [0, 0], [seq, H])), [N, H]);
  if (embed.types !== null) h = tf.add(h, tf.slice(embed.types, [0, 0], [1, H]));
  h = ops.layerNorm(h, embed.ln.g, embed.ln.b, eps);
  const relTable = rel === null ? null : ops.layerNorm(rel.table, rel.ln.g, rel.ln.b, eps);
  for (const [index, p] of layers.entries()) {
    if (index < checkpointLayers) {
      const params = [p.q, p.k, p.v, p.o, p.up, p.down].flatMap((l) => [l.adapter.A, l.adapter.E, l.adapter.B]);
      h = checkpoint((x, t) => encoderLayer(p, x, t ?? null), { params: () => params })(h, ...(relTable === null ? [] : [relTable]));
    } else {
      h = encoderLayer(p, h, relTable);
    }
  }
  const cls = tf.reshape(tf.slice(tf.reshape(h, [batch, seq, H]), [0, 0, 0], [batch, 1, H]), [batch, H]);
  const logits = tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(cls, head.dense), head.denseB)), head.cls), head.clsB);
  const ce = tf.losses.softmaxCrossEntropy(labels, logits);
  // PEFT's orthogonal regulariser: Σ ‖AAᵀ − I‖_F + ‖BᵀB − I‖_F over all adapters, / count, × weight.
  const eye = tf.eye(adapter.rank);
  const norms = adapters.flatMap(({ A, B }) => [
    tf.norm(tf.sub(tf.matMul(A, A, false, true), eye)),
    tf.norm(tf.sub(tf.matMul(B, B, true, false), eye)),
  ]);
  return tf.add(ce, tf.mul(tf.addN(norms), adapter.orthWeight / norms.length));
}

const trainable = [...adapters.flatMap(({ A, E, B }) => [A, E, B]), head.cls, head.clsB];
const optimizer = tf.train.adam(1e-3);

/**
 * AdaLoRA's bookkeeping after the optimizer step: sensitivity EMAs (β1 = β2 = 0.85) of |w·g| per adapter
 * entry, triplet scores S_i = s(E_i) + mean_j s(A_ij) + mean_j s(B_ji), a global threshold keeping
 * `keepFraction` of the triplets, and E zeroed below it.
 */
function bookkeeping(grads) {
  const triplets = tf.tidy(() => tf.concat(adapters.map((state) => {
    const score = (param) => {
      const ipt = tf.abs(tf.mul(param, grads[param.name]));
      const ema = state.ema.get(param.name);
      const unc = state.unc.get(param.name);
      const nextEma = ema === undefined ? tf.mul(ipt, 0.15) : tf.add(tf.mul(ema, 0.85), tf.mul(ipt, 0.15));
      const diff = tf.abs(tf.sub(ipt, nextEma));
      const nextUnc = unc === undefined ? tf.mul(diff, 0.15) : tf.add(tf.mul(unc, 0.85), tf.mul(diff, 0.15));
      ema?.dispose();
      unc?.dispose();
      state.ema.set(param.name, tf.keep(nextEma));
      state.unc.set(param.name, tf.keep(nextUnc));
      return tf.mul(nextEma, nextUnc);
    };
    return tf.add(tf.add(score(state.E), tf.mean(score(state.A), 1)), tf.mean(score(state.B), 0));
  })));
  const values = triplets.dataSync();
  const sorted = Float32Array.from(values).sort();
  const threshold = sorted[Math.floor(values.length * (1 - keepFraction)) - 1];
  adapters.forEach((state, m) => tf.tidy(() => {
    const mine = tf.slice(triplets, [m * adapter.rank], [adapter.rank]);
    state.E.assign(tf.where(tf.greater(mine, threshold), state.E, tf.zerosLike(state.E)));
  }));
  triplets.dispose();
}

if (flag('profile', 'off') !== 'off') {
  // Per-kernel wall time of one step (forward, backward and optimizer), heaviest first, on stderr.
  const { value, grads } = tf.variableGrads(lossFn, trainable);
  tf.dispose([value, ...Object.values(grads)]);
  const wallStart = performance.now();
  const info = await tf.profile(() => {
    if (flag('profile', 'off') === 'forward') {
      tf.tidy(() => lossFn());
      return;
    }
    const { value: v, grads: g } = tf.variableGrads(lossFn, trainable);
    optimizer.applyGradients(g);
    tf.dispose([v, ...Object.values(g)]);
  });
  const byKernel = new Map();
  for (const k of info.kernels) {
    if (flag('profile-kernel', '') === k.name) console.error(`  ${k.name} ${JSON.stringify(k.inputShapes)} ${k.kernelTimeMs.toFixed(1)} ms`);
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += k.kernelTimeMs;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
  console.error(`kernels: ${total.toFixed(0)} ms in ${info.kernels.length} calls; wall time of the profiled step ${(performance.now() - wallStart).toFixed(0)} ms`);
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.error(`${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(5)} calls`);
}

if (flag('breakdown', 'off') === 'on') {
  // Forward alone, forward + backward, optimizer, bookkeeping: medians of 3, on stderr.
  const med = (fn) => { const t = []; for (let i = 0; i < 4; i++) { const s0 = performance.now(); fn(); t.push(performance.now() - s0); } t.shift(); t.sort((a, b) => a - b); return t[1]; };
  const fwd = med(() => tf.tidy(() => lossFn().dataSync()));
  const fwdBwd = med(() => tf.tidy(() => { const { value, grads } = tf.variableGrads(lossFn, trainable); value.dataSync(); }));
  const { value: v0, grads: g0 } = tf.variableGrads(lossFn, trainable);
  const opt = med(() => optimizer.applyGradients(g0));
  const book = med(() => bookkeeping(g0));
  tf.dispose([v0, ...Object.values(g0)]);
  console.error(`forward ${fwd.toFixed(0)} ms, forward+backward ${fwdBwd.toFixed(0)} ms, Adam ${opt.toFixed(0)} ms, bookkeeping ${book.toFixed(0)} ms`);
}

const stepMs = [];
const bookkeepingMs = [];
let loss = NaN;
let lastFaults = 0;
for (let s = 0; s < steps + 1; s++) {
  const faults = process.resourceUsage().minorPageFault;
  if (flag('faults', 'off') === 'on' && s > 0) console.error(`step ${s}: ${faults - lastFaults} minor page faults in the previous step`);
  lastFaults = faults;
  const start = performance.now();
  const { value, grads } = tf.variableGrads(lossFn, trainable);
  optimizer.applyGradients(grads);
  loss = value.dataSync()[0];
  const mid = performance.now();
  bookkeeping(grads);
  tf.dispose([value, ...Object.values(grads)]);
  const end = performance.now();
  if (s > 0) {
    // The first step is a warm-up (kernel set-up, optimizer slots, first heap growth).
    stepMs.push(end - start);
    bookkeepingMs.push(end - mid);
  }
}
const heapBytes = tf.memory().numBytes;
console.log(JSON.stringify({
  model: modelName, layers: config.layers, engine: `${engine}${install.installed ? '+native' : ''}${install.installed && useFused ? '+fused' : ''}`,
  reason: install.reason, checkpoint: useCheckpoint ? Math.min(checkpointLayers, config.layers) : 0, steps_ms: stepMs.map((x) => +x.toFixed(1)), bookkeeping_ms: bookkeepingMs.map((x) => +x.toFixed(1)),
  peak_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(0), tensor_mb: +(heapBytes / 2 ** 20).toFixed(0), loss,
}));
