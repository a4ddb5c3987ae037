#!/usr/bin/env node
// Benchmark of the engines @adalora/tensor offers: GFLOP/s of the matmul shapes of BERT-base training
// (batch 8 x seq 128) and the forward+backward time of one BERT-base layer, on each available engine.
// "wasm-native" adds @adalora/tensor-native (OpenBLAS matmuls, fused ops), "wasm" is our pure-wasm
// kernels, "wasm-stock" is tfjs-backend-wasm without our fixes: all in the same run, for the ratios.
// Prints one JSON object. Usage: node bench/engines.mjs [--engines wasm-native,wasm,wasm-stock,cpu] [--reps 3]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

if (flag('child')) {
  await runChild(flag('child'), Number(flag('reps', '3')));
} else {
  const engines = flag('engines', 'wasm-native,wasm,wasm-stock,cpu').split(',');
  const results = [];
  for (const engine of engines) {
    // Each engine in its own process: one engine per process, and a crash loses one row only.
    const reps = engine === 'cpu' ? '1' : flag('reps', '3');
    try {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', engine, '--reps', reps], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
      });
      results.push(JSON.parse(out.trim().split('\n').pop()));
    } catch (error) {
      results.push({ engine, error: String(error.message).split('\n')[0] });
    }
  }
  const layer = (engine) => results.find((r) => r.engine === engine)?.layerMs;
  const ratio = (a, b) => (layer(a) && layer(b) ? +(layer(b) / layer(a)).toFixed(2) : undefined);
  const summary = { wasmSpeedupOverStock: ratio('wasm', 'wasm-stock'), nativeSpeedupOverWasm: ratio('wasm-native', 'wasm'), nativeSpeedupOverStock: ratio('wasm-native', 'wasm-stock') };
  console.log(JSON.stringify({
    benchmark: '@adalora/tensor engines', date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length,
    node: process.version, results, ...summary,
  }));
}

async function runChild(engine, reps) {
  const { initBackend } = await import('../dist/index.js');
  const { makeLayer, layerForward } = await import('./bert-layer.mjs');
  let tf;
  if (engine === 'wasm-stock') {
    // Gradients come from our package; the kernels stay tfjs-backend-wasm's own.
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
  } else if (engine === 'wasm-native' || engine === 'wasm') {
    let native;
    ({ tf, native } = await initBackend({ engine: 'wasm', native: engine === 'wasm-native' }));
    if (engine === 'wasm-native' && !native?.installed) throw new Error(`native kernels unavailable: ${native?.reason}`);
  } else {
    ({ tf } = await initBackend({ engine }));
  }
  const time = (fn, n) => {
    fn(); // warm-up (XNNPACK operator creation, kernel compilation)
    const samples = [];
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      fn();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
  };
  const matmuls = [
    { name: 'proj fwd x·W', a: [1024, 768], b: [768, 768], ta: false, tb: false },
    { name: 'ffn up fwd', a: [1024, 768], b: [768, 3072], ta: false, tb: false },
    { name: 'ffn down fwd', a: [1024, 3072], b: [3072, 768], ta: false, tb: false },
    { name: 'dX = dY·Wᵀ', a: [1024, 3072], b: [768, 3072], ta: false, tb: true },
    { name: 'dW = Xᵀ·dY', a: [1024, 768], b: [1024, 3072], ta: true, tb: false },
    { name: 'attn scores Q·Kᵀ', a: [96, 128, 64], b: [96, 128, 64], ta: false, tb: true },
    { name: 'attn context P·V', a: [96, 128, 128], b: [96, 128, 64], ta: false, tb: false },
  ];
  const matmulResults = matmuls.map((m) => {
    const a = tf.randomNormal(m.a);
    const b = tf.randomNormal(m.b);
    const rank = m.a.length;
    const rows = m.ta ? m.a[rank - 1] : m.a[rank - 2];
    const inner = m.ta ? m.a[rank - 2] : m.a[rank - 1];
    const cols = m.tb ? m.b[rank - 2] : m.b[rank - 1];
    const batch = rank === 3 ? m.a[0] : 1;
    const n = engine === 'cpu' ? 1 : 5;
    // Read the result outside tf.tidy: tidy walks a returned typed array element by element looking for
    // tensors, which for these sizes costs far more than the product itself.
    const ms = time(() => {
      const c = tf.matMul(a, b, m.ta, m.tb);
      c.dataSync();
      c.dispose();
    }, n);
    tf.dispose([a, b]);
    return { name: m.name, a: m.a, b: m.b, transposeA: m.ta, transposeB: m.tb, ms: +ms.toFixed(2), gflops: +((2 * batch * rows * inner * cols) / ms / 1e6).toFixed(2) };
  });
  const layer = makeLayer(tf);
  const x = tf.randomNormal([8, 128, 768]);
  const vars = Object.values(layer).filter((v) => v instanceof tf.Variable);
  const layerMs = time(() => {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(layerForward(tf, layer, x))), vars);
    value.dataSync();
    Object.values(grads)[0].dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  }, reps);
  const forwardMs = time(() => {
    const out = tf.tidy(() => layerForward(tf, layer, x));
    out.dataSync();
    out.dispose();
  }, reps);
  console.log(JSON.stringify({ engine, matmuls: matmulResults, layerForwardMs: +forwardMs.toFixed(1), layerMs: +layerMs.toFixed(1) }));
}
