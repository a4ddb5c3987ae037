import * as tf from '@tensorflow/tfjs-core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { readSafetensors, writeSafetensors } from '@adalora/tensor';
import type { TensorEntry } from '@adalora/tensor';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Adapter } from './adapter.js';
import type { ControllerState } from './controller.js';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  formatPeftConfig,
  parsePeftAdapterConfig,
  peftTensorKey,
  rankPatternKey,
} from './peft-files.js';
import type { SvdAdapter } from './svd-adapter.js';

/** Options of `AdaLoraController.save`. */
export interface SaveOptions {
  /** PEFT's `base_model_name_or_path` (the model the adapter was trained on), e.g. `'microsoft/deberta-v3-base'`. */
  baseModelNameOrPath?: string;
  /** PEFT's `task_type`, e.g. `'SEQ_CLS'`. */
  taskType?: string;
}

/**
 * Writes the controller's adapters in PEFT's on-disk format (see `AdaLoraController.save`). Extra facts
 * PEFT has no field for (the score function id, the final-phase semantics, the orthogonal-regulariser
 * form) go into the safetensors metadata, which PEFT ignores.
 */
export async function saveAdapterFiles(state: ControllerState, dir: string, options: SaveOptions): Promise<void> {
  const { config } = state;
  const kind = config.method === 'adalora' ? 'svd' : 'lora';
  const pattern = config.method === 'adalora' ? state.pattern : null;
  const tensors = new Map<string, TensorEntry>();
  for (const [module, adapter] of state.adapters) {
    const values = adapterValuesToSave(adapter, pattern?.[module]);
    try {
      for (const [factor, tensor] of Object.entries(values) as Array<['A' | 'E' | 'B', Tensor]>) {
        tensors.set(peftTensorKey(module, factor, kind), { dtype: 'F32', shape: tensor.shape, data: Float32Array.from(await tensor.data()) });
      }
    } finally {
      tf.dispose(Object.values(values));
    }
  }
  const common = {
    peft_type: config.method === 'adalora' ? 'ADALORA' : 'LORA',
    task_type: options.taskType ?? null,
    base_model_name_or_path: options.baseModelNameOrPath ?? null,
    inference_mode: true,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    target_modules: [...state.modules],
    fan_in_fan_out: [...state.linears.values()].every((l) => l.weightLayout === 'in-out'),
    bias: 'none',
    init_lora_weights: true,
    modules_to_save: null,
  };
  let peftConfig: Record<string, unknown>;
  const metadata: Record<string, string> = { format: 'pt', 'adalora_ts.method': config.method, 'adalora_ts.orth_reg_form': config.orthRegForm };
  if (config.method === 'adalora') {
    const allocator = config.allocator as NonNullable<typeof config.allocator>;
    const betas = scorerBetas(config.scorer);
    peftConfig = {
      ...common,
      init_r: config.initR,
      target_r: allocator.targetR,
      tinit: allocator.tinit,
      tfinal: allocator.tfinal,
      deltaT: allocator.deltaT,
      beta1: betas.beta1,
      beta2: betas.beta2,
      orth_reg_weight: config.orthRegWeight,
      total_step: allocator.totalStep,
      rank_pattern: pattern === null ? null : Object.fromEntries(state.modules.map((m) => [rankPatternKey(m), pattern[m] as boolean[]])),
    };
    metadata['adalora_ts.scorer'] = config.scorer?.id ?? '';
    metadata['adalora_ts.final_phase'] = allocator.finalPhase;
  } else {
    peftConfig = { ...common, r: config.initR };
  }
  await mkdir(dir, { recursive: true });
  await writeSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), tensors, metadata);
  await writeFile(join(dir, ADAPTER_CONFIG_FILE), formatPeftConfig(peftConfig));
}

/**
 * β1/β2 for `adapter_config.json`: PEFT's config describes the sensitivity score, so they are written
 * when the scorer reports them as numeric `options.beta1`/`options.beta2`, and `null` otherwise (PEFT
 * needs them only to resume training, not to load the adapter).
 */
function scorerBetas(scorer: unknown): { beta1: number | null; beta2: number | null } {
  const options = (scorer as { options?: { beta1?: unknown; beta2?: unknown } } | null)?.options;
  const read = (v: unknown) => (typeof v === 'number' ? v : null);
  return { beta1: read(options?.beta1), beta2: read(options?.beta2) };
}

/** A/E/B (or A/B) to write, truncated to the kept triplets as PEFT's `resize_state_dict_by_rank_pattern` does. */
function adapterValuesToSave(adapter: Adapter, keep: readonly boolean[] | undefined): Record<string, Tensor> {
  if (adapter.kind === 'lora') return { A: adapter.lora_A.clone(), B: adapter.lora_B.clone() };
  const svd = adapter as SvdAdapter;
  const kept = keep?.filter(Boolean).length;
  // No pattern yet, or this adapter already has exactly the kept rank (it was loaded truncated): as is.
  if (keep === undefined || kept === svd.rank) return { A: svd.lora_A.clone(), E: svd.lora_E.clone(), B: svd.lora_B.clone() };
  const values = svd.sliceTriplets(keep);
  return { A: values.A, E: values.E, B: values.B };
}

/**
 * Reads `dir`'s PEFT files into the controller (see `AdaLoraController.load`). Phase 1 reads and checks
 * everything (config type and numbers, rank-pattern keys and lengths, every expected tensor present with
 * the shape the model and the pattern imply, no unexpected tensors); phase 2 changes the adapters.
 */
export async function loadAdapterFiles(
  state: ControllerState,
  dir: string,
  rebuild: (module: string, values: { rank: number; A: Tensor; B: Tensor; E?: Tensor }) => Adapter,
): Promise<void> {
  const { config } = state;
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_FILE);
  const text = await readText(configPath, 'a PEFT adapter_config.json');
  const file = parsePeftAdapterConfig(text, configPath);
  const expectedType = config.method === 'adalora' ? 'ADALORA' : 'LORA';
  if (file.peftType !== expectedType) {
    throw new UnsupportedInputError({ source: `${configPath}: peft_type`, expected: `'${expectedType}' (this controller's method is '${config.method}')`, found: `'${file.peftType}'` });
  }
  const rankField = config.method === 'adalora' ? 'init_r' : 'r';
  if (file.rank !== config.initR) {
    throw new UnsupportedInputError({ source: `${configPath}: ${rankField}`, expected: `${config.initR} (this controller's initR; loadAdaLora adopts the file's instead)`, found: String(file.rank) });
  }
  if (file.loraAlpha !== config.alpha) {
    throw new UnsupportedInputError({ source: `${configPath}: lora_alpha`, expected: `${config.alpha} (this controller's alpha; it fixes the scaling)`, found: String(file.loraAlpha) });
  }

  // Kept triplets per module, from the rank pattern (AdaLoRA only).
  const keepOf = new Map<string, boolean[]>();
  if (file.rankPattern !== null) {
    const known = new Map(state.modules.map((m) => [rankPatternKey(m), m]));
    for (const [key, flags] of Object.entries(file.rankPattern)) {
      const module = known.get(key) ?? known.get(key.replace(new RegExp(`\\.${config.adapterName}$`), ''));
      if (module === undefined) {
        throw new UnsupportedInputError({
          source: `${configPath}: rank_pattern['${key}']`,
          expected: `a key of an adapted layer (${[...known.keys()].slice(0, 4).map((k) => `'${k}'`).join(', ')}${known.size > 4 ? ', …' : ''})`,
          found: `'${key}', which this model has no adapter for`,
        });
      }
      if (flags.length !== config.initR) {
        throw new UnsupportedInputError({ source: `${configPath}: rank_pattern['${key}']`, expected: `${config.initR} flags (init_r, one per triplet)`, found: `${flags.length}` });
      }
      keepOf.set(module, flags);
    }
  }

  const { tensors } = await readSafetensors(weightsPath);
  const kind = config.method === 'adalora' ? 'svd' : 'lora';
  const factors = (config.method === 'adalora' ? ['A', 'E', 'B'] : ['A', 'B']) as Array<'A' | 'E' | 'B'>;
  const expectedKeys = new Set<string>();
  const plans: Array<{ module: string; rank: number; values: Record<string, { shape: number[]; data: Float32Array }> }> = [];
  for (const module of state.modules) {
    const linear = state.linears.get(module);
    const adapter = state.adapters.get(module) as Adapter;
    const keep = keepOf.get(module);
    const rank = keep === undefined ? config.initR : keep.filter(Boolean).length;
    const shapes: Record<string, number[]> = {
      A: [rank, adapter.inFeatures],
      E: [rank, 1],
      B: [adapter.outFeatures, rank],
    };
    const values: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const factor of factors) {
      const key = peftTensorKey(module, factor, kind);
      expectedKeys.add(key);
      const entry = tensors.get(key);
      if (entry === undefined) {
        throw new UnsupportedInputError({ source: `${weightsPath}`, expected: `a tensor '${key}' for the adapted layer '${module}'`, found: 'none' });
      }
      const want = shapes[factor] as number[];
      if (entry.shape.length !== want.length || entry.shape.some((d, i) => d !== want[i])) {
        const why = keep === undefined ? `init_r = ${config.initR}` : `${rank} kept triplets in rank_pattern`;
        throw new UnsupportedInputError({
          source: `${weightsPath}: tensor '${key}'`,
          expected: `shape [${want.join(', ')}] (layer '${module}' is ${linear?.inFeatures} → ${linear?.outFeatures}, ${why})`,
          found: `[${entry.shape.join(', ')}]`,
        });
      }
      if (!['F32', 'F16', 'BF16', 'F64'].includes(entry.dtype)) {
        throw new UnsupportedInputError({ source: `${weightsPath}: tensor '${key}'`, expected: 'a floating-point tensor (F32, F16, BF16 or F64)', found: entry.dtype });
      }
      values[factor] = { shape: want, data: entry.data instanceof Float32Array ? entry.data : Float32Array.from(entry.data as Float64Array) };
    }
    plans.push({ module, rank, values });
  }
  const unexpected = [...tensors.keys()].filter((k) => !expectedKeys.has(k));
  if (unexpected.length > 0) {
    throw new UnsupportedInputError({
      source: weightsPath,
      expected: `only the adapter tensors of this model's adapted layers (${expectedKeys.size})`,
      found: `${unexpected.length} more: ${unexpected.slice(0, 4).map((k) => `'${k}'`).join(', ')}${unexpected.length > 4 ? ', …' : ''}`,
    });
  }

  // Phase 2: everything checked; change the adapters.
  let resized = false;
  for (const { module, rank, values } of plans) {
    const adapter = state.adapters.get(module) as Adapter;
    const tensorsOf = Object.fromEntries(Object.entries(values).map(([f, v]) => [f, tf.tensor(v.data, v.shape, 'float32')])) as Record<string, Tensor>;
    try {
      if (rank === adapter.rank) {
        adapter.lora_A.assign(tensorsOf.A as Tensor);
        adapter.lora_B.assign(tensorsOf.B as Tensor);
        if (adapter.kind === 'svd') (adapter as SvdAdapter).lora_E.assign(tensorsOf.E as Tensor);
      } else {
        resized = true;
        adapter.dispose();
        const fresh = rebuild(module, { rank, A: tensorsOf.A as Tensor, B: tensorsOf.B as Tensor, ...(tensorsOf.E === undefined ? {} : { E: tensorsOf.E }) });
        state.adapters.set(module, fresh);
        state.linears.get(module)?.setBranch(fresh);
      }
    } finally {
      tf.dispose(Object.values(tensorsOf));
    }
  }
  if (config.method === 'adalora') {
    state.pattern = keepOf.size === 0 ? null : Object.fromEntries(state.modules.map((m) => [m, keepOf.get(m) ?? new Array<boolean>(config.initR).fill(true)]));
    state.resized = resized;
    state.resetScores(!resized);
  }
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new UnsupportedInputError({ source: path, expected: what, found: code === 'ENOENT' ? 'no such file' : String((cause as Error).message) });
  }
}
