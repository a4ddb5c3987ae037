#!/usr/bin/env node
// Benchmark: one AdaLoRA training step (base frozen, adapters r = 12 on the six matrices of every layer) of a
// BERT-base- and a DeBERTa-v3-base-shaped encoder at batch 8 x seq 128, on our default CPU engine
// (ours-step.mjs) and on PyTorch with the same math (torch_step.py). Runs alternate ours / PyTorch in child
// processes of this one, round after round, so load from other work on the machine hits both alike; times
// are medians over all timed steps. The last line of output is one JSON object:
// {"results": [{"model", "engine", "ours_ms", "pytorch_ms", "ratio", "ours_peak_mb", "pytorch_peak_mb"}]}.
// Usage: node bench/run.mjs [--layers 12] [--rounds 3] [--steps 2] [--models bert,deberta]
//        [--ours default|wasm|default,wasm] [--checkpoint auto|on|off|N] [--blas-threads N] [--python /usr/bin/python3]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const layers = flag('layers', '12');
const rounds = Number(flag('rounds', '3'));
const steps = flag('steps', '2');
const modelNames = flag('models', 'bert,deberta').split(',');
// default: wasm + native kernels + fused LayerNorm/GELU (what initBackend gives with this package installed);
// wasm: the pure-wasm path (kernel fixes of @adalora/tensor, no native kernels), for reference.
const oursVariants = flag('ours', 'default').split(',');
// Per-layer gradient checkpointing (@adalora/tensor's checkpoint) on our side. tfjs keeps every forward
// intermediate and every gradient until the backward pass ends, and the wasm heap stops at 4 GiB: at batch
// 8 x 128 one layer holds ~270 MB (BERT) / ~415 MB (DeBERTa, with c2p/p2c), so 12 layers do not fit (BERT
// reaches ~4.0 GB and aborts on some runs). Each checkpointed layer costs one more forward pass of that layer
// (~45% of its forward+backward, since frozen weights need no dW). auto: checkpoint the first layers, as few as
// keep the peak near 3.2 GB (at most 8 BERT / 4 DeBERTa layers un-checkpointed); a number: that many; on: all.
const checkpointFlag = flag('checkpoint', 'auto');
const uncheckpointed = { bert: 8, deberta: 4 };
const checkpointFor = (model) => {
  if (checkpointFlag !== 'auto') return checkpointFlag;
  return String(Math.max(0, Number(layers) - uncheckpointed[model]));
};
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

// OpenBLAS reads these when it loads. This machine's environment sets OPENBLAS_CORETYPE=Haswell and
// OPENBLAS_L2_SIZE, which make it use AVX2 kernels (~78 instead of ~199 GFLOP/s here). Both engines use the
// same OpenBLAS, so both children run without them (notes/tfjs-runtime.md: unset for the PyTorch command).
const childEnv = { ...process.env };
delete childEnv.OPENBLAS_CORETYPE;
delete childEnv.OPENBLAS_L2_SIZE;
// --blas-threads N sets OPENBLAS_NUM_THREADS for both sides (default: OpenBLAS's own choice, one per core).
const blasThreads = flag('blas-threads', undefined);
if (blasThreads !== undefined) childEnv.OPENBLAS_NUM_THREADS = blasThreads;

function findPython() {
  const named = flag('python', undefined) ?? process.env.ADALORA_BENCH_PYTHON;
  const candidates = named !== undefined && named !== '' ? [named] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', env: childEnv });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return null;
}

function runChild(command, childArgs) {
  try {
    const out = execFileSync(command, childArgs, { encoding: 'utf8', env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (error) {
    const detail = String(error.stderr ?? error.message).trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    return { error: detail.slice(0, 400) };
  }
}

const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const torch = findPython();
if (torch === null) {
  console.log(`PyTorch not found (no "import torch" in ${flag('python', undefined) ?? process.env.ADALORA_BENCH_PYTHON ?? '/usr/bin/python3 or python3'}): measuring ours only, pytorch_ms and ratio are null. Install it with: apt-get install python3-torch libopenblas0-pthread`);
}
const workDir = mkdtempSync(join(tmpdir(), 'tensor-native-bench-'));
const configFile = join(workDir, 'shapes.json');
writeFileSync(configFile, execFileSync(process.execPath, [here('./shapes.mjs'), '--print-config'], { encoding: 'utf8' }));

console.log(`AdaLoRA step benchmark: batch 8 x seq 128, r = 12, ${layers} layers, ${rounds} rounds x ${steps} timed steps, ours and PyTorch alternating; ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}${torch ? `, PyTorch ${torch.version} (${torch.python})` : ''}, OpenBLAS threads: ${blasThreads ?? 'default'}`);
const samples = {};
for (let round = 0; round < rounds; round++) {
  for (const model of modelNames) {
    for (const variant of oursVariants) {
      const extra = variant === 'wasm' ? ['--native', 'off', '--fused', 'off'] : [];
      const ours = runChild(process.execPath, [here('./ours-step.mjs'), '--model', model, '--layers', layers, '--steps', steps, '--checkpoint', checkpointFor(model), ...extra]);
      (samples[`${model}/${variant}`] ??= []).push(ours);
      console.log(`round ${round + 1} ${model} ours(${variant}): ${ours.error ?? `${ours.engine} steps ${ours.steps_ms.join(', ')} ms, bookkeeping ${ours.bookkeeping_ms.join(', ')} ms, peak ${ours.peak_mb} MB`}`);
    }
    if (torch !== null) {
      const py = runChild(torch.python, [here('./torch_step.py'), '--config', configFile, '--model', model, '--layers', layers, '--steps', steps]);
      (samples[`${model}/pytorch`] ??= []).push(py);
      console.log(`round ${round + 1} ${model} pytorch: ${py.error ?? `steps ${py.steps_ms.join(', ')} ms, bookkeeping ${py.bookkeeping_ms.join(', ')} ms, peak ${py.peak_mb} MB, BLAS ${py.blas_gflops} GFLOP/s via ${py.blas.filter((l) => l.includes('openblas')).length > 0 ? 'OpenBLAS' : `NOT OpenBLAS (${py.blas.join(', ') || 'none mapped'})`}`}`);
    }
  }
}
rmSync(workDir, { recursive: true, force: true });

const collect = (runs, key) => (runs ?? []).filter((r) => r.error === undefined).flatMap((r) => r[key]);
const results = [];
for (const model of modelNames) {
  const torchRuns = samples[`${model}/pytorch`];
  const pytorchMs = median(collect(torchRuns, 'steps_ms'));
  const pytorchPeak = torchRuns ? Math.max(0, ...torchRuns.filter((r) => r.error === undefined).map((r) => r.peak_mb)) || null : null;
  for (const variant of oursVariants) {
    const runs = samples[`${model}/${variant}`];
    const ok = runs.filter((r) => r.error === undefined);
    const oursMs = median(collect(runs, 'steps_ms'));
    const bookkeeping = median(collect(runs, 'bookkeeping_ms'));
    results.push({
      model: `${model}-base`,
      engine: ok[0] ? `${ok[0].engine}${ok[0].checkpoint > 0 ? `+checkpoint(${ok[0].checkpoint === ok[0].layers ? 'all' : ok[0].checkpoint} layers)` : ''}` : `failed: ${runs[0]?.error}`,
      ours_ms: oursMs === null ? null : +oursMs.toFixed(1),
      pytorch_ms: pytorchMs === null ? null : +pytorchMs.toFixed(1),
      ratio: oursMs !== null && pytorchMs !== null ? +(oursMs / pytorchMs).toFixed(2) : null,
      ours_peak_mb: ok.length > 0 ? Math.max(...ok.map((r) => r.peak_mb)) : null,
      pytorch_peak_mb: pytorchPeak,
      bookkeeping: bookkeeping === null || oursMs === null ? null : `${bookkeeping.toFixed(1)} ms = ${((100 * bookkeeping) / oursMs).toFixed(1)}% of our step`,
    });
  }
}
console.log('');
console.log('| model | engine | ours ms | PyTorch ms | ours/PyTorch | ours peak MB | PyTorch peak MB | our bookkeeping |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.model} (${layers} layers) | ${r.engine} | ${r.ours_ms ?? '–'} | ${r.pytorch_ms ?? '–'} | ${r.ratio ?? '–'} | ${r.ours_peak_mb ?? '–'} | ${r.pytorch_peak_mb ?? '–'} | ${r.bookkeeping ?? '–'} |`);
console.log(JSON.stringify({ results: results.map(({ bookkeeping, ...rest }) => rest) }));
