import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedInputError } from '@adalora/core';
import { initBackend, readSafetensors, writeSafetensors } from '@adalora/tensor';
import type { TensorEntry, TensorFlow } from '@adalora/tensor';
import layer from './__fixtures__/layer_forward.json' with { type: 'json' };
import { createAdaLora } from './controller.js';
import type { AdaLoraController } from './controller.js';
import { loadAdaLora } from './load-adalora.js';
import { expectClose, flat } from './testing/close.js';
import { goldenConfig, replayTrajectory, trajectory } from './testing/replay.js';
import type { Params } from './testing/replay.js';
import { ToyModel, goldenToySpecs } from './testing/toy-model.js';

let tf: TensorFlow;
let root: string;
beforeAll(async () => {
  ({ tf } = await initBackend({ engine: 'cpu' }));
  root = await mkdtemp(join(tmpdir(), 'adalora-peft-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});
function track<T extends { dispose(): void }>(x: T): T {
  cleanups.push(() => x.dispose());
  return x;
}
let dirCount = 0;
const freshDir = () => join(root, `run-${dirCount++}`);

/** ΔW of every adapter, as plain arrays. */
function deltas(adalora: AdaLoraController): Record<string, number[]> {
  return Object.fromEntries(
    [...adalora.adapters()].map(([name, adapter]) => {
      const d = adapter.deltaWeight();
      try {
        return [name, Array.from(d.dataSync())];
      } finally {
        d.dispose();
      }
    }),
  );
}

/** The PEFT trajectory run to its end (final ranks [0, 3, 6]), saved to a fresh directory. */
async function savedTrajectory() {
  const model = track(new ToyModel(goldenToySpecs));
  const adalora = replayTrajectory(model, 'peft');
  const dir = freshDir();
  await adalora.save(dir, { baseModelNameOrPath: 'toy', taskType: 'SEQ_CLS' });
  const delta = deltas(adalora);
  adalora.dispose();
  return { model, dir, delta };
}

describe('save(): PEFT files after the golden PEFT trajectory (spec e)', () => {
  it('adapter_config.json holds PEFT’s AdaLoRA fields and the final rank pattern under `<module>.lora_E` keys', async () => {
    const { dir } = await savedTrajectory();
    const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    const c = trajectory.config;
    expect(config).toMatchObject({
      peft_type: 'ADALORA',
      task_type: 'SEQ_CLS',
      base_model_name_or_path: 'toy',
      init_r: c.init_r,
      target_r: c.target_r,
      tinit: c.tinit,
      tfinal: c.tfinal,
      deltaT: c.deltaT,
      orth_reg_weight: c.orth_reg_weight,
      total_step: c.total_step,
      lora_alpha: c.lora_alpha,
      lora_dropout: 0,
      fan_in_fan_out: false,
      target_modules: ['layers.0.proj', 'layers.1.proj', 'layers.2.proj'],
    });
    const want = Object.fromEntries(Object.entries(trajectory.peft.final.rank_pattern).map(([k, v]) => [k.replace(/\.default$/, ''), v]));
    expect(config.rank_pattern).toEqual(want);
    // The sensitivity factory does not report its β1/β2, so they are written as unknown (null).
    expect(config.beta1).toBeNull();
    expect(Object.keys(config)).toEqual([...Object.keys(config)].sort());
  });

  it('adapter_model.safetensors has PEFT’s keys, A/E rows and B columns truncated to the kept triplets, with the final values', async () => {
    const { dir } = await savedTrajectory();
    const { tensors, metadata } = await readSafetensors(join(dir, 'adapter_model.safetensors'));
    expect(metadata).toMatchObject({ format: 'pt', 'adalora_ts.scorer': 'sensitivity', 'adalora_ts.final_phase': 'peft' });
    expect([...tensors.keys()].sort()).toEqual(
      ['0', '1', '2'].flatMap((i) => ['A', 'B', 'E'].map((f) => `base_model.model.layers.${i}.proj.lora_${f}`)),
    );
    const shape = (k: string) => tensors.get(`base_model.model.${k}`)!.shape;
    expect([shape('layers.0.proj.lora_A'), shape('layers.0.proj.lora_E'), shape('layers.0.proj.lora_B')]).toEqual([[0, 8], [0, 1], [6, 0]]);
    expect([shape('layers.1.proj.lora_A'), shape('layers.1.proj.lora_E'), shape('layers.1.proj.lora_B')]).toEqual([[3, 6], [3, 1], [12, 3]]);
    expect([shape('layers.2.proj.lora_A'), shape('layers.2.proj.lora_E'), shape('layers.2.proj.lora_B')]).toEqual([[6, 12], [6, 1], [4, 6]]);
    const last = trajectory.peft.steps.at(-1)!.params_after_allocate as Params;
    const keep = trajectory.peft.final.rank_pattern['layers.1.proj.lora_E.default'];
    const kept = keep.flatMap((k, i) => (k ? [i] : []));
    const A1 = last['layers.1.proj.lora_A.default']!;
    const B1 = last['layers.1.proj.lora_B.default']!;
    const E2 = last['layers.2.proj.lora_E.default']!;
    const scale = (rows: number[][]) => Math.max(...flat(rows).map(Math.abs));
    expectClose(tensors.get('base_model.model.layers.1.proj.lora_A')!.data as Float32Array, kept.map((i) => A1[i]!), { rtol: 1e-5, floor: scale(A1) });
    expectClose(tensors.get('base_model.model.layers.1.proj.lora_B')!.data as Float32Array, B1.map((row) => kept.map((i) => row[i]!)), { rtol: 1e-5, floor: scale(B1) });
    expectClose(tensors.get('base_model.model.layers.2.proj.lora_E')!.data as Float32Array, E2, { rtol: 1e-5, floor: scale(E2) });
  });

  it('load() into a fresh controller resizes to the pattern and reproduces the masked full-rank ΔW; saving again writes the same files', async () => {
    const { model, dir, delta } = await savedTrajectory();
    const adalora = track(createAdaLora(model, goldenConfig('peft')));
    await adalora.load(dir);
    expect([...adalora.adapters().values()].map((a) => a.rank)).toEqual([0, 3, 6]);
    const loaded = deltas(adalora);
    for (const name of adalora.modules()) expectClose(loaded[name]!, delta[name]!, { rtol: 1e-6, floor: 1e-3, label: name });
    expect(Object.keys(adalora.rankPattern()!)).toEqual(adalora.modules());
    expect(() => adalora.updateAndAllocate(0, {})).toThrow(/resized to a saved rank pattern by load\(\)/);
    // The forward pass uses the resized adapters.
    const x = track(tf.randomNormal([3, 8], 0, 1, 'float32', 5));
    expect(model.forward(x).shape).toEqual([3, 4]);
    const again = freshDir();
    await adalora.save(again);
    const bytes = async (d: string) => readFile(join(d, 'adapter_model.safetensors'));
    expect(Buffer.compare(await bytes(again), await bytes(dir))).toBe(0);
    const configOf = async (d: string) => {
      const c = JSON.parse(await readFile(join(d, 'adapter_config.json'), 'utf8'));
      delete c.base_model_name_or_path;
      delete c.task_type;
      return c;
    };
    expect(await configOf(again)).toEqual(await configOf(dir));
  });

  it('loadAdaLora() builds the controller from the files alone (ranks, alpha, schedule) with the same ΔW', async () => {
    const { dir, delta } = await savedTrajectory();
    const model = track(new ToyModel(goldenToySpecs));
    const adalora = track(await loadAdaLora(model, dir));
    expect(adalora.config.initR).toBe(6);
    expect(adalora.config.alpha).toBe(16);
    expect(adalora.config.allocator).toMatchObject({ totalStep: 20, tinit: 3, tfinal: 5, deltaT: 2, targetR: 3, finalPhase: 'peft' });
    const loaded = deltas(adalora);
    for (const name of adalora.modules()) expectClose(loaded[name]!, delta[name]!, { rtol: 1e-6, floor: 1e-3, label: name });
  });
});

describe('save()/load() before the first mask', () => {
  it('writes rank_pattern null and full-rank tensors; loading keeps the variables, and training continues', async () => {
    const model = track(new ToyModel(goldenToySpecs));
    const first = createAdaLora(model, { ...goldenConfig('peft'), adapterName: 'first', seed: 8 });
    for (const v of first.trainableVariables()) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 12)));
    const dir = freshDir();
    await first.save(dir);
    const delta = deltas(first);
    first.dispose();
    expect(JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8')).rank_pattern).toBeNull();
    const second = track(createAdaLora(model, goldenConfig('peft')));
    const variables = second.trainableVariables();
    await second.load(dir);
    expect(second.trainableVariables()).toEqual(variables); // same variable objects, values assigned
    expect(second.rankPattern()).toBeNull();
    const loaded = deltas(second);
    for (const name of second.modules()) expect(loaded[name]).toEqual(delta[name]);
    const grads = Object.fromEntries(variables.map((v) => [v.name, tf.onesLike(v)]));
    const report = second.updateAndAllocate(0, grads);
    tf.dispose(Object.values(grads));
    expect(report.scoresUpdated).toBe(true);
  });
});

describe('load(): PEFT’s own resize on save (layer_forward.json resize_on_save)', () => {
  it('a PEFT-written truncated adapter (keep [T,F,T,F]) loads with rank 2 and ΔW = the masked full-rank ΔW', async () => {
    const dir = freshDir();
    const r = layer.resize_on_save;
    await writePeftDir(dir, {
      config: { peft_type: 'ADALORA', init_r: 4, target_r: 2, lora_alpha: 16, target_modules: ['layer'], total_step: 10, rank_pattern: r.rank_pattern },
      tensors: { 'base_model.model.layer.lora_A': r.A_saved, 'base_model.model.layer.lora_E': r.E_saved, 'base_model.model.layer.lora_B': r.B_saved },
    });
    const model = track(new ToyModel([{ name: 'layer', dIn: 8, dOut: 6, weight: layer.W, bias: layer.bias }]));
    const adalora = track(await loadAdaLora(model, dir));
    const adapter = adalora.adapters().get('layer')!;
    expect(adapter.rank).toBe(2);
    expect(adapter.scaling).toBe(layer.scaling_factor);
    expectClose(deltas(adalora).layer!, r.delta_W_masked_full, { rtol: 1e-5, label: 'delta_W_masked_full' });
    // Merging the resized adapter gives W + masked ΔW.
    adalora.merge();
    const merged = model.layers.get('layer')!.getWeight().dataSync();
    const want = flat(layer.W).map((w, i) => w + flat(r.delta_W_masked_full)[i]!);
    expectClose(merged, want, { rtol: 1e-5 });
  });
});

/** Writes an adapter directory by hand, as PEFT would. */
async function writePeftDir(dir: string, files: { config: Record<string, unknown>; tensors: Record<string, number[][]> }) {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'adapter_config.json'), JSON.stringify(files.config));
  const entries: Record<string, TensorEntry> = {};
  for (const [key, rows] of Object.entries(files.tensors)) {
    entries[key] = { dtype: 'F32', shape: [rows.length, rows[0]?.length ?? 0], data: Float32Array.from(flat(rows)) };
  }
  await writeSafetensors(join(dir, 'adapter_model.safetensors'), entries, { format: 'pt' });
}

describe('load(): files that do not fit are errors naming the file, key and shapes; the adapters stay untouched', () => {
  const oneLayer = () => {
    const model = track(new ToyModel([{ name: 'layer', dIn: 8, dOut: 6, weight: layer.W, bias: layer.bias }]));
    const adalora = track(createAdaLora(model, { ...goldenConfig('peft'), initR: 4, targetR: 2, targetModules: ['layer'], budget: { totalStep: 10 } }));
    return adalora;
  };
  const valid = () => ({
    config: { peft_type: 'ADALORA', init_r: 4, target_r: 2, lora_alpha: 16, target_modules: ['layer'], total_step: 10, rank_pattern: { 'layer.lora_E': [true, false, true, false] } as Record<string, boolean[]> },
    tensors: {
      'base_model.model.layer.lora_A': layer.resize_on_save.A_saved,
      'base_model.model.layer.lora_E': layer.resize_on_save.E_saved,
      'base_model.model.layer.lora_B': layer.resize_on_save.B_saved,
    } as Record<string, number[][]>,
  });
  const cases: Array<[string, (f: ReturnType<typeof valid>) => void, RegExp]> = [
    ['a rank pattern with the wrong length', (f) => (f.config.rank_pattern = { 'layer.lora_E': [true, false, true] }), /rank_pattern\['layer\.lora_E'\]: expected 4 flags \(init_r, one per triplet\), found 3/],
    ['a rank pattern for a layer the model does not adapt', (f) => (f.config.rank_pattern = { 'other.lora_E': [true, true, true, true] }), /rank_pattern\['other\.lora_E'\]: expected a key of an adapted layer \('layer\.lora_E'\)/],
    ['a missing tensor', (f) => delete f.tensors['base_model.model.layer.lora_E'], /adapter_model\.safetensors: expected a tensor 'base_model\.model\.layer\.lora_E' for the adapted layer 'layer', found none/],
    [
      'shapes from another model',
      (f) => (f.tensors['base_model.model.layer.lora_A'] = [[1, 2, 3], [4, 5, 6]]),
      /tensor 'base_model\.model\.layer\.lora_A': expected shape \[2, 8\] \(layer 'layer' is 8 → 6, 2 kept triplets in rank_pattern\), found \[2, 3\]/,
    ],
    ['full-rank tensors with a truncating pattern', (f) => (f.tensors['base_model.model.layer.lora_A'] = layer.A), /expected shape \[2, 8\].*found \[4, 8\]/],
    ['an unexpected tensor', (f) => (f.tensors['base_model.model.classifier.lora_A'] = [[1]]), /expected only the adapter tensors of this model's adapted layers \(3\), found 1 more: 'base_model\.model\.classifier\.lora_A'/],
    ['another peft_type', (f) => (f.config.peft_type = 'LORA'), /adapter_config\.json: peft_type: expected 'ADALORA' \(this controller's method is 'adalora'\), found 'LORA'/],
    ['another init_r', (f) => (f.config.init_r = 8), /adapter_config\.json: init_r: expected 4 \(this controller's initR/],
    ['another lora_alpha', (f) => (f.config.lora_alpha = 32), /lora_alpha: expected 16/],
    ['a non-boolean flag', (f) => (f.config.rank_pattern = { 'layer.lora_E': [1, 0, 1, 0] as never }), /rank_pattern\['layer\.lora_E'\]: expected a list of booleans/],
  ];
  for (const [what, corrupt, message] of cases) {
    it(what, async () => {
      const adalora = oneLayer();
      const before = adalora.trainableVariables().map((v) => Array.from(v.dataSync()));
      const files = valid();
      corrupt(files);
      const dir = freshDir();
      await writePeftDir(dir, files);
      const error = await adalora.load(dir).catch((e: unknown) => e);
      expect(UnsupportedInputError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect(adalora.trainableVariables().map((v) => Array.from(v.dataSync()))).toEqual(before);
      expect([...adalora.adapters().values()][0]!.rank).toBe(4);
    });
  }

  it('a directory without adapter_config.json, or with invalid JSON', async () => {
    const adalora = oneLayer();
    const empty = freshDir();
    await expect(adalora.load(empty)).rejects.toThrow(/adapter_config\.json: expected a PEFT adapter_config\.json, found no such file/);
    const broken = freshDir();
    await writePeftDir(broken, valid());
    await writeFile(join(broken, 'adapter_config.json'), '{"peft_type": "ADALORA",');
    await expect(adalora.load(broken)).rejects.toThrow(/adapter_config\.json: expected a JSON object \(PEFT adapter_config\.json\), found invalid JSON/);
  });
});

describe('plain LoRA files', () => {
  it('save/load round trip with PEFT LoRA keys (`.lora_A.weight`) and config (peft_type LORA, r)', async () => {
    const model = track(new ToyModel(goldenToySpecs));
    const lora = track(createAdaLora(model, { method: 'lora', targetModules: ['layers.0.proj', 'layers.2.proj'], initR: 2, alpha: 8, seed: 3 }));
    expect(lora.trainableVariables().map((v) => v.name)).toEqual([
      'layers.0.proj.lora_A.default.weight',
      'layers.0.proj.lora_B.default.weight',
      'layers.2.proj.lora_A.default.weight',
      'layers.2.proj.lora_B.default.weight',
    ]);
    // B = 0 at init: ΔW = 0. Give B values so the round trip is not trivially zero.
    expect(deltas(lora)['layers.0.proj']!.every((v) => v === 0)).toBe(true);
    for (const v of lora.trainableVariables()) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 17)));
    const result = lora.updateAndAllocate(0, {});
    expect(result).toMatchObject({ phase: 'none', budget: null, keep: null, scoresUpdated: false });
    const dir = freshDir();
    await lora.save(dir);
    const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', r: 2, lora_alpha: 8, target_modules: ['layers.0.proj', 'layers.2.proj'] });
    expect(config.init_r).toBeUndefined();
    const { tensors } = await readSafetensors(join(dir, 'adapter_model.safetensors'));
    expect([...tensors.keys()].sort()).toEqual([
      'base_model.model.layers.0.proj.lora_A.weight',
      'base_model.model.layers.0.proj.lora_B.weight',
      'base_model.model.layers.2.proj.lora_A.weight',
      'base_model.model.layers.2.proj.lora_B.weight',
    ]);
    const before = deltas(lora);
    lora.dispose();
    const other = track(new ToyModel(goldenToySpecs));
    const loaded = track(await loadAdaLora(other, dir));
    expect(loaded.config.method).toBe('lora');
    const after = deltas(loaded);
    expect(after).toEqual(before);
    // ΔW = B·A·alpha/r: check one entry by hand.
    const [A, B] = loaded.trainableVariables();
    const a = A!.arraySync() as number[][];
    const b = B!.arraySync() as number[][];
    const expected00 = (b[0]![0]! * a[0]![0]! + b[0]![1]! * a[1]![0]!) * (8 / 2);
    expectClose([after['layers.0.proj']![0]!], [expected00], { rtol: 1e-6 });
  });
});
