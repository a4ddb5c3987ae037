import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { HubError, hubDownload, type DownloadOptions } from '@adalora/hub';
import { readSafetensors, readTorchCheckpoint } from '@adalora/tensor';
import { parseModelConfig } from './config/model-config.js';
import { buildModel, type EncoderModel, type ModelSpec, type Task } from './model.js';
import type { StateDict } from './weights/weight-loader.js';
import { modelZoo, type ZooEntry } from './zoo.js';

/** The weight files looked for in a model folder, in order of preference. */
export const weightFiles = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'] as const;

/** Tokenizer files fetched with a hub model when present (each optional). */
export const tokenizerFiles = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'spm.model', 'vocab.txt', 'vocab.json', 'merges.txt'] as const;

/** Where a loaded model came from. */
export interface ModelOrigin {
  readonly kind: 'zoo-random' | 'local' | 'hub';
  /** The source as given (zoo name, folder, hub id). */
  readonly source: string;
  /** The folder the config and weights were read from (a hub snapshot for hub models), or null. */
  readonly directory: string | null;
  /** The folder holding the model's tokenizer files, or null if there is none. */
  readonly tokenizerDirectory: string | null;
  /** The hub repository, when the model came from the hub. */
  readonly hubId: string | null;
}

/** Options of `loadPretrained`. */
export interface LoadPretrainedOptions<T extends Task> {
  readonly task: T;
  /** Classifier width (sequence classification; 1 = regression). Default: the config's `num_labels` / `id2label`, else 2. */
  readonly numLabels?: number;
  /** Seed of freshly initialised head tensors (and of a random zoo model instead of the zoo's seed). */
  readonly seed?: number;
  /** Options for hub downloads (revision, cache folder, token, offline, progress...), passed to `@adalora/hub`. */
  readonly hub?: DownloadOptions;
  /** Also fetch the tokenizer files of a hub model (default true). */
  readonly tokenizer?: boolean;
}

/** A loaded model and where it came from. */
export type PretrainedModel<T extends Task> = EncoderModel<T> & { readonly origin: ModelOrigin };

const hubIdPattern = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/**
 * Loads a model for `task` from a zoo name (`deberta-v3-base`, `tiny-deberta-v3`, ...), a local folder
 * holding `config.json` and weights, or a hub id (`microsoft/deberta-v3-base`, downloaded into the
 * Hugging Face cache through `@adalora/hub`, so a Python cache is reused and `HF_HUB_OFFLINE` /
 * `HF_TOKEN` apply).
 *
 * Weights: `model.safetensors` (F32/F16/BF16), a sharded `model.safetensors.index.json`,
 * `pytorch_model.bin` (`torch.save` zip format, read without executing code) or its sharded index, in
 * that order. Missing backbone tensors fail with one error listing them; missing head tensors are
 * initialised and listed in `model.loadReport.initialized`; extra tensors (pre-training heads) are
 * ignored and listed in `model.loadReport.unexpected`.
 */
export async function loadPretrained<T extends Task>(source: string, options: LoadPretrainedOptions<T>): Promise<PretrainedModel<T>> {
  if (modelZoo.has(source)) {
    const entry = modelZoo.get(source) as ZooEntry;
    if (entry.hubId === null) {
      const model = randomModel(entry.config, { task: options.task, numLabels: options.numLabels, seed: options.seed ?? entry.seed ?? 0, source: `zoo model '${source}'` });
      model.gradientCheckpointing = entry.gradientCheckpointing;
      return withOrigin(model, { kind: 'zoo-random', source, directory: null, tokenizerDirectory: entry.tokenizerDirectory, hubId: null });
    }
    return loadFromHub(entry.hubId, options, source);
  }
  if (existsSync(source)) {
    if (!statSync(source).isDirectory()) {
      throw new UnsupportedInputError({ source, expected: `a model folder (config.json + ${weightFiles.join(' / ')}), a zoo name or a hub id`, found: 'a file' });
    }
    const model = await loadFromDirectory(source, options);
    return withOrigin(model, { kind: 'local', source, directory: source, tokenizerDirectory: source, hubId: null });
  }
  if (hubIdPattern.test(source) && !source.startsWith('.')) return loadFromHub(source, options, source);
  throw new UnsupportedInputError({
    source,
    expected: `an existing model folder, a hub id like 'microsoft/deberta-v3-base', or a zoo name (${modelZoo.ids().join(', ')})`,
    found: 'none of these',
  });
}

/** Options of `randomModel`. */
export interface RandomModelOptions<T extends Task> {
  readonly task: T;
  readonly numLabels?: number | undefined;
  /** Seed of the initialisation; the same seed gives the same model on every engine. Default 0. */
  readonly seed?: number;
  readonly source?: string;
}

/**
 * A randomly initialised model of a `config.json` (parsed) or a zoo name's configuration, initialised as
 * transformers' `_init_weights` (N(0, initializer_range) weights, zero biases, unit LayerNorms) from
 * `seed`. For tests, examples and benchmarks of real shapes without downloading weights.
 */
export function randomModel<T extends Task>(config: unknown, options: RandomModelOptions<T>): EncoderModel<T> {
  const raw = typeof config === 'string' ? (modelZoo.resolve(config) as ZooEntry).config : config;
  const spec: ModelSpec = parseModelConfig(raw, options.source ?? (typeof config === 'string' ? `zoo model '${config}'` : 'config'));
  return buildModel(spec, {
    task: options.task,
    seed: options.seed ?? 0,
    source: options.source ?? 'random initialisation',
    ...(options.numLabels === undefined ? {} : { numLabels: options.numLabels }),
  });
}

/** Reads `config.json` and the first weight file found in `directory` and builds the model. */
export async function loadFromDirectory<T extends Task>(directory: string, options: LoadPretrainedOptions<T>): Promise<EncoderModel<T>> {
  const configPath = join(directory, 'config.json');
  if (!existsSync(configPath)) throw new UnsupportedInputError({ source: directory, expected: 'a config.json in the model folder', found: 'none' });
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    throw new UnsupportedInputError({ source: configPath, expected: 'valid JSON', found: error instanceof Error ? error.message : String(error) });
  }
  const spec = parseModelConfig(raw, configPath);
  const weights = weightFiles.map((f) => join(directory, f)).find((p) => existsSync(p));
  if (weights === undefined) throw new UnsupportedInputError({ source: directory, expected: `one of the weight files ${weightFiles.join(', ')}`, found: 'none' });
  const stateDict = await readWeights(weights);
  return buildModel(spec, {
    task: options.task,
    stateDict,
    seed: options.seed ?? 0,
    source: weights,
    ...(options.numLabels === undefined ? {} : { numLabels: options.numLabels }),
  });
}

/** The tensors of a weight file (safetensors or torch `.bin`, single or sharded). */
async function readWeights(path: string): Promise<StateDict> {
  const isTorch = path.endsWith('.bin') || path.endsWith('.bin.index.json');
  const file = isTorch ? await readTorchCheckpoint(path) : await readSafetensors(path);
  return file.tensors;
}

function isAbsent(error: unknown): boolean {
  return HubError.isInstance(error) && (error.code === 'entry-not-found' || error.code === 'offline-cache-miss');
}

async function loadFromHub<T extends Task>(repoId: string, options: LoadPretrainedOptions<T>, source: string): Promise<PretrainedModel<T>> {
  const hubOptions = options.hub ?? {};
  const config = await hubDownload(repoId, 'config.json', hubOptions);
  const directory = dirname(config.path);
  const pinned = { ...hubOptions, revision: config.commit };
  let found: string | null = null;
  const tried: string[] = [];
  for (const file of weightFiles) {
    try {
      const got = await hubDownload(repoId, file, pinned);
      found = file;
      if (file.endsWith('.index.json')) {
        const index = JSON.parse(await readFile(got.path, 'utf8')) as { weight_map?: Record<string, string> };
        if (index.weight_map === undefined) throw new UnsupportedInputError({ source: got.path, expected: 'a "weight_map" object', found: 'none' });
        for (const shard of new Set(Object.values(index.weight_map))) await hubDownload(repoId, shard, pinned);
      }
      break;
    } catch (error) {
      if (!isAbsent(error)) throw error;
      tried.push(file);
    }
  }
  if (found === null) {
    throw new UnsupportedInputError({ source: `hub repository '${repoId}' (commit ${config.commit})`, expected: `one of the weight files ${weightFiles.join(', ')}`, found: `none (${tried.join(', ')} absent${hubOptions.offline === true ? ' or not cached, offline' : ''})` });
  }
  let tokenizerDirectory: string | null = null;
  if (options.tokenizer ?? true) {
    for (const file of tokenizerFiles) {
      try {
        await hubDownload(repoId, file, pinned);
        tokenizerDirectory = directory;
      } catch (error) {
        if (!isAbsent(error)) throw error;
      }
    }
  }
  const model = await loadFromDirectory(directory, options);
  return withOrigin(model, { kind: 'hub', source, directory, tokenizerDirectory, hubId: repoId });
}

function withOrigin<T extends Task>(model: EncoderModel<T>, origin: ModelOrigin): PretrainedModel<T> {
  return Object.assign(model, { origin });
}
