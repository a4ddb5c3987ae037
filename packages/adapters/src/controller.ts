import * as tf from '@tensorflow/tfjs-core';
import { AdaLoraError, UnsupportedInputError } from '@adalora/core';
import type { AdaptableLinear, AdaptableModel } from '@adalora/core';
import { createRankAllocator } from '@adalora/budget';
import type { Phase, RankAllocator } from '@adalora/budget';
import { tripletScores } from '@adalora/scores';
import type { ParamRole, ScoreFunction } from '@adalora/scores';
import type { NamedTensorMap, Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { Adapter } from './adapter.js';
import { resolveAdaLoraConfig } from './config.js';
import type { AdaLoraConfig, ResolvedAdaLoraConfig } from './config.js';
import { createLoraAdapter } from './lora-adapter.js';
import { orthogonalRegularization } from './orth-reg.js';
import { loadAdapterFiles, saveAdapterFiles } from './controller-files.js';
import type { SaveOptions } from './controller-files.js';
import { createSvdAdapter } from './svd-adapter.js';
import type { SvdAdapter } from './svd-adapter.js';
import { resolveTargetModules } from './target-modules.js';
import { flattenState, unflattenState } from './controller-state.js';
import type { StateSkeleton } from './controller-state.js';

/** What one `updateAndAllocate` call did, for logging. */
export interface StepAllocation {
  /** The step index that was passed. */
  readonly step: number;
  /** Schedule phase (`'none'` for plain LoRA, which allocates nothing). */
  readonly phase: Phase | 'none';
  /** `b(t)`, the number of triplets allowed to stay non-zero (null for LoRA). */
  readonly budget: number | null;
  /** The masking threshold τ when one was computed at this step, else null. */
  readonly threshold: number | null;
  /** Keep flags per module when E was (re-)masked at this step, else null. */
  readonly keep: Record<string, boolean[]> | null;
  /** Where `keep` came from: fresh scores (`'threshold'`), PEFT's stored pattern (`'rank-pattern'`), or null. */
  readonly maskSource: 'threshold' | 'rank-pattern' | null;
  /** Whether the score states took this step's (value, grad). */
  readonly scoresUpdated: boolean;
  /** Variables whose gradient held NaN/±Infinity at this step (their step's score update was skipped). */
  readonly nonFiniteGradients: readonly string[];
}

/**
 * The AdaLoRA (or LoRA) adapters attached to one model, and the per-step machinery around them. See
 * `createAdaLora`.
 */
export interface AdaLoraController {
  /** The validated configuration. */
  readonly config: ResolvedAdaLoraConfig;
  /** True between `merge()` and `unmerge()`. */
  readonly merged: boolean;
  /** The adapted layers' names, in model order. */
  modules(): string[];
  /** The adapter of every adapted layer. */
  adapters(): ReadonlyMap<string, Adapter>;
  /**
   * Every adapter variable, module by module (A, E, B for AdaLoRA; A, B for LoRA). The names are
   * unique, stable and PEFT's parameter names: `<module>.lora_A.<adapterName>` (also `lora_E`,
   * `lora_B`) for AdaLoRA, `<module>.lora_A.<adapterName>.weight` for LoRA. `tf.variableGrads` keys its
   * gradients by them, which is what `updateAndAllocate` expects.
   */
  trainableVariables(): Variable[];
  /**
   * `γ · (1/2n) · Σ_{A,B} ‖G − I‖_F` (or the paper's form, per `orthRegForm`) over every adapter: add
   * it to the task loss inside the function you differentiate. Returns a new scalar (0 when γ = 0).
   */
  orthRegularization(): Scalar;
  /**
   * Call once per optimizer step, after the optimizer has updated the variables, with the step's
   * gradients (`tf.variableGrads(...).grads`, keyed by variable name; other keys are ignored) and the
   * 0-based index of the step (completed optimizer steps before it). For AdaLoRA, following PEFT:
   * while `step < totalStep − tfinal` every score state takes (post-step value, gradient); then the
   * allocator decides the budget and, on masking steps, which triplets to keep; `E_i` of every dropped
   * triplet is set to 0 in place (A, B and optimizer state are untouched). Creates no lasting tensors.
   * Plain LoRA: returns a report with phase `'none'`, nothing else happens.
   */
  updateAndAllocate(step: number, grads: NamedTensorMap): StepAllocation;
  /** The keep flags of the last mask per module (PEFT's `rank_pattern`), or null before the first mask. A copy. */
  rankPattern(): Record<string, boolean[]> | null;
  /**
   * Adds every adapter's ΔW into its layer's base weight (transposed for `'in-out'` weights) and
   * detaches the branches, so the model runs at base speed with the same outputs (to float32
   * rounding). `safe: true` first checks the merged weights are finite and throws otherwise, leaving the
   * model untouched. Merging twice warns and does nothing.
   */
  merge(options?: { safe?: boolean }): void;
  /** Subtracts ΔW again and re-attaches the branches. */
  unmerge(): void;
  /**
   * Writes `adapter_config.json` and `adapter_model.safetensors` in PEFT's format into `dir` (created if
   * missing): PEFT's key names, and for AdaLoRA the rank pattern in the config with A/E/B truncated to
   * the kept triplets (spec e).
   */
  save(dir: string, options?: SaveOptions): Promise<void>;
  /**
   * Reads a PEFT adapter directory into this controller's adapters. With a rank pattern, each adapter is
   * resized to its kept triplets (new variables: re-create your optimizer) and the scaling stays
   * `alpha / (initR + 1e-5)`, so ΔW equals the masked full-rank ΔW. Everything is validated before
   * anything changes; a file that does not fit the model is an error naming the file, key and shapes.
   */
  load(dir: string): Promise<void>;
  /**
   * Detaches the branches (unless merged: then the merged weights stay, which is PEFT's
   * `merge_and_unload`) and frees every variable and score state. The controller is unusable after.
   */
  dispose(): void;
  /**
   * The controller's training state for a resumable checkpoint: every score state (split into a JSON
   * skeleton and tensors, see `flattenState`) and the stored rank pattern. Variables are not included:
   * save `trainableVariables()` next to it. Tensors stay owned by the controller.
   */
  exportState(): { tensors: Record<string, Tensor>; json: unknown };
  /** Restores `exportState()`'s output into this controller (same config and modules); takes ownership of the tensors. */
  importState(state: { tensors: Record<string, Tensor>; json: unknown }): void;
}

/** Internal mutable state shared with the file code. */
export interface ControllerState {
  readonly config: ResolvedAdaLoraConfig;
  readonly modules: readonly string[];
  readonly linears: ReadonlyMap<string, AdaptableLinear<Tensor>>;
  readonly adapters: Map<string, Adapter>;
  pattern: Record<string, boolean[]> | null;
  /** True once `load` resized an adapter below initR: the allocator cannot continue from there. */
  resized: boolean;
  merged: boolean;
  /** Replaces the score states by fresh ones for the current variables (AdaLoRA), or drops them (`fresh: false`). */
  resetScores(fresh: boolean): void;
}

/**
 * Attaches adapters to the `targetModules` of `model` and returns the controller that trains them.
 *
 * AdaLoRA (default): an SVD-form adapter (`createSvdAdapter`) per layer with `initR` triplets, PEFT's
 * initialisation from `seed`, a score state per A/E/B from `scorer`, and a rank allocator
 * (`@adalora/budget`) over all adapted layers. LoRA (`method: 'lora'`): `createLoraAdapter` per layer.
 *
 * One training step, as the spec's training-loop contract has it:
 *
 * ```ts
 * const { value, grads } = tf.variableGrads(() => taskLoss().add(adalora.orthRegularization()), adalora.trainableVariables());
 * optimizer.applyGradients(grads);
 * adalora.updateAndAllocate(step, grads);
 * tf.dispose([value, ...Object.values(grads)]);
 * ```
 *
 * Invalid configuration throws `InvalidConfigError` naming the field; a target that matches no layer
 * throws listing near matches. Non-finite gradients: see `AdaLoraConfig.nonFiniteGradients`.
 */
export function createAdaLora(model: AdaptableModel<Tensor>, config: AdaLoraConfig): AdaLoraController {
  const resolved = resolveAdaLoraConfig(config);
  const linears = model.linears();
  const modules = resolveTargetModules([...linears.keys()], resolved.targetModules);
  const selected = new Map(modules.map((name) => [name, linears.get(name) as AdaptableLinear<Tensor>]));
  if (resolved.fanInFanOut !== undefined) {
    for (const [name, linear] of selected) {
      const layerFan = linear.weightLayout === 'in-out';
      if (layerFan !== resolved.fanInFanOut) {
        resolved.onWarning(
          `fanInFanOut is ${resolved.fanInFanOut} but '${name}' stores its weight ${linear.weightLayout}; using fanInFanOut = ${layerFan} for it (as PEFT does).`,
        );
      }
    }
  }

  const adapters = new Map<string, Adapter>();
  try {
    for (const [name, linear] of selected) adapters.set(name, makeAdapter(resolved, name, linear));
  } catch (error) {
    for (const adapter of adapters.values()) adapter.dispose();
    throw error;
  }

  const scorer = resolved.scorer;
  const allocator: RankAllocator | null = resolved.allocator === null ? null : createRankAllocator({ ...resolved.allocator, modules });
  let scoreStates: Map<string, unknown> | null = null;
  const initScores = () => {
    if (scorer === null) return;
    const states = new Map<string, unknown>();
    for (const adapter of adapters.values()) {
      for (const [variable, role] of rolesOf(adapter)) states.set(variable.name, scorer.init(variable, role));
    }
    scoreStates = states;
  };
  const disposeScores = () => {
    if (scorer !== null && scoreStates !== null) for (const s of scoreStates.values()) scorer.dispose(s);
    scoreStates = null;
  };
  initScores();

  const state: ControllerState = {
    config: resolved,
    modules,
    linears: selected,
    adapters,
    pattern: null,
    resized: false,
    merged: false,
    resetScores(fresh) {
      disposeScores();
      if (fresh) initScores();
    },
  };
  for (const [name, adapter] of adapters) selected.get(name)?.setBranch(adapter);
  let disposed = false;

  const alive = (what: string) => {
    if (disposed) throw new AdaLoraError(`${what}: this AdaLoRA controller was disposed`);
  };

  const updateScores = (step: number, grads: NamedTensorMap): string[] => {
    const score = scorer as ScoreFunction<unknown>;
    const states = scoreStates;
    if (states === null) {
      throw new AdaLoraError(
        `updateAndAllocate(${step}): the score states were dropped at step ${(resolved.allocator?.totalStep ?? 0) - (resolved.allocator?.tfinal ?? 0)} (PEFT final phase); earlier steps cannot be replayed`,
      );
    }
    const pairs: Array<[Variable, Tensor]> = [];
    for (const adapter of adapters.values()) {
      for (const [variable] of rolesOf(adapter)) pairs.push([variable, gradFor(grads, variable, step)]);
    }
    const bad = nonFiniteOf(pairs.map(([v, g]) => [v.name, g]));
    if (bad.length > 0) {
      if (resolved.nonFiniteGradients === 'error') {
        throw new UnsupportedInputError({ source: `updateAndAllocate(${step}): grads`, expected: 'finite gradients', found: `NaN or ±Infinity in ${bad.map((n) => `'${n}'`).join(', ')}` });
      }
      resolved.onWarning(
        `updateAndAllocate(${step}): NaN or ±Infinity in the gradient of ${bad.map((n) => `'${n}'`).join(', ')}; the importance scores were not updated at this step (the budget schedule still applies).`,
      );
      return bad;
    }
    for (const [variable, grad] of pairs) states.set(variable.name, score.update(states.get(variable.name), variable, grad));
    return bad;
  };

  const computeTripletScores = (): Record<string, Float32Array> => {
    const score = scorer as ScoreFunction<unknown>;
    const states = scoreStates as Map<string, unknown>;
    const result: Record<string, Float32Array> = {};
    for (const [name, adapter] of adapters) {
      const [[a], [e], [b]] = rolesOf(adapter) as [[Variable, ParamRole], [Variable, ParamRole], [Variable, ParamRole]];
      const sA = score.score(states.get(a.name));
      const sE = score.score(states.get(e.name));
      const sB = score.score(states.get(b.name));
      try {
        result[name] = tripletScores(sA, sE, sB);
      } finally {
        tf.dispose([sA, sE, sB]);
      }
    }
    return result;
  };

  const applyMask = (keep: Record<string, boolean[]>) => {
    for (const [name, adapter] of adapters) {
      const flags = keep[name] as boolean[];
      if (flags.every(Boolean)) continue;
      const E = (adapter as SvdAdapter).lora_E;
      tf.tidy(() => {
        const mask = tf.tensor2d(flags.map((f) => (f ? 1 : 0)), [flags.length, 1], 'bool');
        E.assign(tf.where(mask, E, tf.zerosLike(E)));
      });
    }
  };

  return {
    config: resolved,
    get merged() {
      return state.merged;
    },
    modules: () => [...modules],
    adapters: () => new Map(adapters),
    trainableVariables() {
      alive('trainableVariables()');
      return [...adapters.values()].flatMap((a) => a.trainableVariables());
    },
    orthRegularization() {
      alive('orthRegularization()');
      return orthogonalRegularization([...adapters.values()], { weight: resolved.orthRegWeight, form: resolved.orthRegForm });
    },
    updateAndAllocate(step, grads) {
      alive('updateAndAllocate()');
      if (typeof grads !== 'object' || grads === null) {
        throw new UnsupportedInputError({ source: `updateAndAllocate(${step}): grads`, expected: 'an object of gradients keyed by variable name (tf.variableGrads(...).grads)', found: String(grads) });
      }
      if (allocator === null) {
        if (!Number.isInteger(step) || step < 0) {
          throw new UnsupportedInputError({ source: 'updateAndAllocate(step)', expected: 'a 0-based integer step', found: String(step) });
        }
        return { step, phase: 'none', budget: null, threshold: null, keep: null, maskSource: null, scoresUpdated: false, nonFiniteGradients: [] };
      }
      if (state.merged) throw new AdaLoraError(`updateAndAllocate(${step}): the adapters are merged into the weights; call unmerge() before training`);
      if (state.resized) {
        throw new AdaLoraError(
          `updateAndAllocate(${step}): the adapters were resized to a saved rank pattern by load(); rank allocation cannot continue from truncated adapters (train a controller that has not loaded a truncated pattern)`,
        );
      }
      const plan = allocator.plan(step);
      let nonFinite: string[] = [];
      let scoresUpdated = false;
      if (plan.updateScores) {
        nonFinite = updateScores(step, grads);
        scoresUpdated = nonFinite.length === 0;
      }
      const scores = plan.needsScores ? computeTripletScores() : undefined;
      const allocation = allocator.step(step, scores);
      if (allocation.keep !== null) {
        applyMask(allocation.keep);
        if (allocation.maskSource === 'threshold') state.pattern = copyPattern(allocation.keep);
      }
      if (plan.resetScores) disposeScores();
      return { step, ...allocation, scoresUpdated, nonFiniteGradients: nonFinite };
    },
    rankPattern: () => (state.pattern === null ? null : copyPattern(state.pattern)),
    exportState() {
      alive('exportState()');
      const tensors: Record<string, Tensor> = {};
      const scores = scoreStates === null ? null : Object.fromEntries([...scoreStates].map(([name, s]) => [name, flattenState(s, `score/${name}`, tensors)]));
      return { tensors, json: { version: 1, scores, pattern: state.pattern, allocatorPattern: allocator?.rankPattern() ?? null } };
    },
    importState({ tensors, json }) {
      alive('importState()');
      const saved = json as { version?: number; scores: Record<string, StateSkeleton> | null; pattern: Record<string, boolean[]> | null; allocatorPattern: Record<string, boolean[]> | null };
      if (saved?.version !== 1) throw new UnsupportedInputError({ source: 'importState', expected: 'a state from exportState() (version 1)', found: JSON.stringify(saved?.version) });
      const scores = saved.scores;
      if (scores !== null && scorer !== null) {
        const expected = [...adapters.values()].flatMap((adapter) => rolesOf(adapter).map(([variable]) => variable.name));
        const missing = expected.filter((name) => !(name in scores));
        if (missing.length > 0) throw new UnsupportedInputError({ source: 'importState', expected: 'a score state for every adapter variable', found: `none for ${missing.join(', ')}` });
        disposeScores();
        scoreStates = new Map(expected.map((name) => [name, unflattenState(scores[name] as StateSkeleton, tensors)]));
      } else {
        disposeScores();
      }
      state.pattern = saved.pattern === null ? null : copyPattern(saved.pattern);
      allocator?.restoreRankPattern(saved.allocatorPattern);
    },
    merge(options = {}) {
      alive('merge()');
      if (state.merged) {
        resolved.onWarning('merge(): the adapters are already merged; nothing to do');
        return;
      }
      const merged = new Map<string, Tensor>();
      for (const [name, adapter] of adapters) {
        const linear = selected.get(name) as AdaptableLinear<Tensor>;
        merged.set(name, tf.tidy(() => tf.add(linear.getWeight(), adapter.deltaWeight(linear.weightLayout))));
      }
      if (options.safe === true) {
        const bad = nonFiniteOf([...merged.entries()]);
        if (bad.length > 0) {
          tf.dispose([...merged.values()]);
          throw new AdaLoraError(`merge({ safe: true }): merging would put NaN or ±Infinity into ${bad.map((n) => `'${n}'`).join(', ')}; the model was left unmerged`);
        }
      }
      for (const [name, weight] of merged) {
        const linear = selected.get(name) as AdaptableLinear<Tensor>;
        linear.setWeight(weight);
        linear.setBranch(null);
      }
      state.merged = true;
    },
    unmerge() {
      alive('unmerge()');
      if (!state.merged) {
        resolved.onWarning('unmerge(): the adapters are not merged; nothing to do');
        return;
      }
      for (const [name, adapter] of adapters) {
        const linear = selected.get(name) as AdaptableLinear<Tensor>;
        linear.setWeight(tf.tidy(() => tf.sub(linear.getWeight(), adapter.deltaWeight(linear.weightLayout))));
        linear.setBranch(adapter);
      }
      state.merged = false;
    },
    async save(dir, options = {}) {
      alive('save()');
      await saveAdapterFiles(state, dir, options);
    },
    async load(dir) {
      alive('load()');
      if (state.merged) throw new AdaLoraError(`load(${dir}): the adapters are merged into the weights; call unmerge() first`);
      await loadAdapterFiles(state, dir, (name, adapter) => makeAdapterFrom(resolved, name, selected.get(name) as AdaptableLinear<Tensor>, adapter));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const [name, adapter] of adapters) {
        if (!state.merged) selected.get(name)?.setBranch(null);
        adapter.dispose();
      }
      disposeScores();
    },
  };
}

/** The names of the tensors holding NaN or ±Infinity, with one synchronous read for all of them. */
function nonFiniteOf(named: Array<[string, Tensor]>): string[] {
  const flags = tf.tidy(() => tf.stack(named.map(([, t]) => tf.all(tf.isFinite(t)))));
  try {
    const finite = flags.dataSync();
    return named.filter((_, i) => finite[i] !== 1).map(([name]) => name);
  } finally {
    flags.dispose();
  }
}

/** The adapter's variables with the role each plays for a score function. */
function rolesOf(adapter: Adapter): Array<[Variable, ParamRole]> {
  if (adapter.kind === 'svd') {
    const svd = adapter as SvdAdapter;
    return [
      [svd.lora_A, 'A'],
      [svd.lora_E, 'E'],
      [svd.lora_B, 'B'],
    ];
  }
  return [
    [adapter.lora_A, 'A'],
    [adapter.lora_B, 'B'],
  ];
}

function gradFor(grads: NamedTensorMap, variable: Variable, step: number): Tensor {
  const grad = grads[variable.name];
  if (grad === undefined || grad === null) {
    throw new UnsupportedInputError({
      source: `updateAndAllocate(${step}): grads`,
      expected: `a gradient for every adapter variable, keyed by variable name as tf.variableGrads returns them`,
      found: `none for '${variable.name}' (keys given: ${Object.keys(grads).slice(0, 6).map((k) => `'${k}'`).join(', ') || 'none'}${Object.keys(grads).length > 6 ? ', …' : ''})`,
    });
  }
  const same = grad.shape.length === variable.shape.length && grad.shape.every((d, i) => d === variable.shape[i]);
  if (!same) {
    throw new UnsupportedInputError({
      source: `updateAndAllocate(${step}): grads['${variable.name}']`,
      expected: `shape [${variable.shape.join(', ')}] (the variable's)`,
      found: `[${grad.shape.join(', ')}]`,
    });
  }
  return grad;
}

function makeAdapter(config: ResolvedAdaLoraConfig, module: string, linear: AdaptableLinear<Tensor>): Adapter {
  const common = {
    module,
    inFeatures: linear.inFeatures,
    outFeatures: linear.outFeatures,
    rank: config.initR,
    alpha: config.alpha,
    dropout: config.dropout,
    adapterName: config.adapterName,
    seed: config.seed,
  };
  return config.method === 'adalora' ? createSvdAdapter(common) : createLoraAdapter(common);
}

/** An adapter of `rank` built from explicit values (file loading); the scaling keeps `initR`. */
function makeAdapterFrom(
  config: ResolvedAdaLoraConfig,
  module: string,
  linear: AdaptableLinear<Tensor>,
  values: { rank: number; A: Tensor; B: Tensor; E?: Tensor },
): Adapter {
  const common = {
    module,
    inFeatures: linear.inFeatures,
    outFeatures: linear.outFeatures,
    rank: values.rank,
    alpha: config.alpha,
    dropout: config.dropout,
    adapterName: config.adapterName,
  };
  if (config.method === 'adalora') {
    return createSvdAdapter({ ...common, initRank: config.initR, initial: { A: values.A, E: values.E as Tensor, B: values.B } });
  }
  return createLoraAdapter({ ...common, initial: { A: values.A, B: values.B } });
}

function copyPattern(pattern: Readonly<Record<string, readonly boolean[]>>): Record<string, boolean[]> {
  return Object.fromEntries(Object.entries(pattern).map(([name, flags]) => [name, [...flags]]));
}
