import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { AdaptableModel } from '@adalora/core';
import { InvalidConfigError } from '@adalora/core';
import type { TensorEntry } from '@adalora/tensor';
import type { BertConfig } from './config/bert-config.js';
import type { DebertaV2Config } from './config/deberta-config.js';
import { BertBackbone } from './bert/bert-backbone.js';
import { DebertaV2Backbone } from './deberta/deberta-backbone.js';
import { prepareInputs, type ModelInputs } from './inputs.js';
import { activationByName, type Activation } from './nn/activations.js';
import type { Backbone } from './nn/backbone.js';
import { seededDropout } from './nn/dropout.js';
import type { Linear } from './nn/linear.js';
import { deriveSeed, randomSeed } from './nn/seed.js';
import { normalizeCheckpointKeys } from './weights/checkpoint-keys.js';
import { WeightLoader, type LoadReport, type StateDict } from './weights/weight-loader.js';

/** What the model computes on top of the encoder. */
export type Task = 'base' | 'sequence-classification' | 'question-answering';
/** The tasks, for validation and registries. */
export const tasks: readonly Task[] = ['base', 'sequence-classification', 'question-answering'];

/** A resolved model configuration: the architecture family and its config. */
export type ModelSpec = { readonly family: 'deberta-v2'; readonly config: DebertaV2Config } | { readonly family: 'bert' | 'roberta'; readonly config: BertConfig };
/** The architecture families. */
export type Family = ModelSpec['family'];

/** Options of `forward`. */
export interface ForwardOptions {
  /** Training mode: dropout on (and gradient checkpointing, if enabled). Default false. */
  readonly training?: boolean;
  /** Seed of this call's dropout masks (training); a random one when omitted. */
  readonly seed?: number;
  /** Also return the embedding output and every layer's output. */
  readonly outputHiddenStates?: boolean;
  /** Also return every layer's attention probabilities (not available with gradient checkpointing in training). */
  readonly outputAttentions?: boolean;
}

/** Outputs every task has. */
export interface EncoderOutput {
  /** `[B, L, H]`. */
  readonly lastHiddenState: Tensor;
  /** Embedding output then each layer's output (when asked). */
  readonly hiddenStates?: Tensor[];
  /** `[B, nh, L, L]` per layer (when asked). */
  readonly attentions?: Tensor[];
}
/** `task: 'base'`: BERT also returns its tanh pooler output. */
export interface BaseOutput extends EncoderOutput {
  readonly pooledOutput?: Tensor;
}
/** `task: 'sequence-classification'`: `logits` `[B, numLabels]` (`numLabels` 1: regression scores). */
export interface SequenceClassificationOutput extends EncoderOutput {
  readonly logits: Tensor;
  /** The pooled `[CLS]` representation the classifier reads `[B, P]` (before the classifier dropout). */
  readonly pooledOutput: Tensor;
}
/** `task: 'question-answering'`: span logits `[B, L]`. */
export interface QuestionAnsweringOutput extends EncoderOutput {
  readonly startLogits: Tensor;
  readonly endLogits: Tensor;
}
/** The output type of a task. */
export type OutputFor<T extends Task> = T extends 'sequence-classification'
  ? SequenceClassificationOutput
  : T extends 'question-answering'
    ? QuestionAnsweringOutput
    : BaseOutput;

/** The sequence-classification / pooler head: logits = out(dropout(act(dense(dropout(h[:, 0]))))). */
interface PoolerHead {
  readonly dense: Linear;
  readonly activation: Activation;
  /** Dropout before `dense` (DeBERTa `pooler_dropout`, RoBERTa `classifier_dropout`, BERT 0). */
  readonly preDropout: number;
  readonly out: Linear | null;
  readonly outDropout: number;
}

const headSite = 2_000_001;

/**
 * A transformer encoder with an optional task head, computing what the matching transformers class
 * computes (`DebertaV2Model`, `DebertaV2ForSequenceClassification`, `BertForQuestionAnswering`, ...).
 *
 * The backbone is frozen (plain tensors); the head's parameters are trainable variables
 * (`trainableVariables()`); every linear layer, backbone and head, is exposed by its Hugging Face
 * module name through `linears()` for adapters. In training, each encoder layer is gradient-checkpointed
 * unless `gradientCheckpointing` is set to false.
 */
export class EncoderModel<T extends Task = Task> implements AdaptableModel<Tensor> {
  /** Recompute each layer in the backward pass (training only). On by default: a 12-layer base model at batch 8 × 128 needs it to fit the 4 GiB wasm heap. */
  gradientCheckpointing = true;
  private readonly linearMap: Map<string, Linear>;
  private disposed = false;

  constructor(
    readonly spec: ModelSpec,
    readonly task: T,
    /** Output width of the classifier (sequence classification), else 0. */
    readonly numLabels: number,
    private readonly backbone: Backbone,
    private readonly pooler: PoolerHead | null,
    private readonly qaOutputs: Linear | null,
    /** What loading found: fresh head tensors, ignored checkpoint tensors, notes. */
    readonly loadReport: LoadReport,
  ) {
    const all = [...backbone.linears()];
    if (pooler !== null) all.push(pooler.dense, ...(pooler.out === null ? [] : [pooler.out]));
    if (qaOutputs !== null) all.push(qaOutputs);
    this.linearMap = new Map(all.map((l) => [l.name, l]));
  }

  /** The architecture family. */
  get family(): Family {
    return this.spec.family;
  }

  /**
   * Runs the model. Returns `{ lastHiddenState, logits, pooledOutput }` (sequence classification),
   * `{ lastHiddenState, startLogits, endLogits }` (question answering) or `{ lastHiddenState }` (base);
   * the caller owns the returned tensors. Use inside `tf.tidy` / `optimizer.minimize` as usual.
   */
  forward(inputs: ModelInputs, options: ForwardOptions = {}): OutputFor<T> {
    if (this.disposed) throw new InvalidConfigError({ field: 'model', value: 'disposed', reason: 'forward() after dispose()' });
    const training = options.training ?? false;
    const seed = options.seed ?? (training ? randomSeed() : 0);
    const owned: Tensor[] = [];
    try {
      const prepared = prepareInputs(inputs, this.backbone.vocabSize, this.backbone.typeVocabSize, owned);
      return tf.tidy((): tf.TensorContainer => {
        const out = this.backbone.forward(prepared, {
          training,
          seed,
          checkpointing: this.gradientCheckpointing,
          outputHiddenStates: options.outputHiddenStates ?? false,
          outputAttentions: options.outputAttentions ?? false,
        });
        const base: EncoderOutput = out;
        const h = out.lastHiddenState;
        const ctx = { training, dropoutSeed: deriveSeed(seed, headSite, 0) };
        if (this.qaOutputs !== null) {
          const [batch, length] = h.shape as [number, number, number];
          const logits = this.qaOutputs.apply(h, ctx);
          const [start, end] = tf.split(logits, 2, 2) as [Tensor, Tensor];
          return { ...base, startLogits: tf.reshape(start, [batch, length]), endLogits: tf.reshape(end, [batch, length]) } as QuestionAnsweringOutput as unknown as tf.TensorContainer;
        }
        if (this.pooler !== null) {
          const p = this.pooler;
          const [batch, , hidden] = h.shape as [number, number, number];
          const cls = tf.reshape(tf.slice(h, [0, 0, 0], [batch, 1, hidden]), [batch, hidden]);
          const pre = seededDropout(cls, p.preDropout, training, deriveSeed(seed, headSite, 1));
          const pooled = p.activation(p.dense.apply(pre, ctx));
          if (p.out === null) return { ...base, pooledOutput: pooled } as BaseOutput as unknown as tf.TensorContainer;
          const dropped = seededDropout(pooled, p.outDropout, training, deriveSeed(seed, headSite, 2));
          const logits = p.out.apply(dropped, { training, dropoutSeed: deriveSeed(seed, headSite, 3) });
          return { ...base, logits, pooledOutput: pooled } as SequenceClassificationOutput as unknown as tf.TensorContainer;
        }
        return base as unknown as tf.TensorContainer;
      }) as unknown as OutputFor<T>;
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  /** Every linear layer by Hugging Face module name (the state-dict key without `.weight`), backbone then head. */
  linears(): ReadonlyMap<string, Linear> {
    return this.linearMap;
  }

  /** The head's trainable variables (pooler, classifier, QA outputs), `[in, out]` kernels then biases. */
  trainableVariables(): Variable[] {
    return [...this.namedTrainableVariables().values()];
  }

  /** The head's trainable variables by Hugging Face tensor name (`classifier.weight` holds the `[in, out]` kernel, i.e. the transpose). */
  namedTrainableVariables(): Map<string, Variable> {
    const out = new Map<string, Variable>();
    for (const l of this.linearMap.values()) {
      const [kernel, bias] = l.variables();
      if (kernel !== undefined) out.set(`${l.name}.weight`, kernel);
      if (bias !== undefined) out.set(`${l.name}.bias`, bias);
    }
    return out;
  }

  /**
   * The head's parameters in Hugging Face's layout and names (`classifier.weight` `[out, in]`, ...),
   * as float32 arrays: what `save_pretrained` (or PEFT's `modules_to_save`) stores for the head, ready
   * for `writeSafetensors`. `namedTrainableVariables()` holds the same values with kernels `[in, out]`.
   */
  headStateDict(): Map<string, TensorEntry> {
    const out = new Map<string, TensorEntry>();
    for (const l of this.linearMap.values()) {
      const [kernel, bias] = l.variables();
      if (kernel === undefined) continue;
      const weight = tf.tidy(() => tf.transpose(kernel));
      out.set(`${l.name}.weight`, { dtype: 'F32', shape: weight.shape, data: weight.dataSync() as Float32Array });
      weight.dispose();
      if (bias !== undefined) out.set(`${l.name}.bias`, { dtype: 'F32', shape: bias.shape, data: bias.dataSync() as Float32Array });
    }
    return out;
  }

  /** Frees every tensor and variable of the model. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.backbone.dispose();
    this.pooler?.dense.dispose();
    this.pooler?.out?.dispose();
    this.qaOutputs?.dispose();
  }
}

/** Options of `buildModel`. */
export interface BuildOptions<T extends Task> {
  readonly task: T;
  /** Classifier width; default from the config (`num_labels` / `id2label`, else 2). */
  readonly numLabels?: number;
  /** The checkpoint's tensors, or null/omitted for a randomly initialised model. */
  readonly stateDict?: StateDict | null;
  /** Seed of random initialisation (whole model or fresh head). Default 0. */
  readonly seed?: number;
  /** Where the checkpoint came from, for messages. */
  readonly source?: string;
}

const basePrefix: Record<Family, string> = { 'deberta-v2': 'deberta', bert: 'bert', roberta: 'roberta' };

/**
 * Builds a model of `spec` for `task` from checkpoint tensors (missing backbone tensors: one error
 * listing them; missing head tensors: initialised fresh and reported; extra tensors: ignored and
 * reported) or, without a state dict, randomly initialised from `seed` (N(0, initializer_range) weights,
 * zero biases, unit LayerNorms, as transformers' `_init_weights`).
 */
export function buildModel<T extends Task>(spec: ModelSpec, options: BuildOptions<T>): EncoderModel<T> {
  const { task } = options;
  if (!tasks.includes(task)) throw new InvalidConfigError({ field: 'task', value: task, reason: `expected one of ${tasks.join(', ')}` });
  const numLabels = task === 'sequence-classification' ? (options.numLabels ?? spec.config.numLabels) : 0;
  if (task === 'sequence-classification' && (!Number.isInteger(numLabels) || numLabels < 1)) {
    throw new InvalidConfigError({ field: 'numLabels', value: numLabels, reason: 'expected an integer ≥ 1 (1 = regression)' });
  }
  const source = options.source ?? 'random initialisation';
  const prefix = basePrefix[spec.family];
  const wantPrefix = task !== 'base';
  let stateDict: StateDict | null = options.stateDict ?? null;
  let notes: string[] = [];
  if (stateDict !== null) ({ stateDict, notes } = normalizeCheckpointKeys(stateDict, prefix, wantPrefix));
  const loader = new WeightLoader(stateDict, options.seed ?? 0, spec.config.initializerRange, source, notes);
  const p = wantPrefix ? `${prefix}.` : '';
  try {
    const backbone: Backbone = spec.family === 'deberta-v2' ? new DebertaV2Backbone(spec.config, loader, p) : new BertBackbone(spec.config, loader, p);
    let pooler: PoolerHead | null = null;
    let qa: Linear | null = null;
    const H = spec.config.hiddenSize;
    const head = { role: 'head' as const, trainable: true };
    if (task === 'question-answering') {
      qa = loader.linear('qa_outputs', H, 2, head);
    } else if (spec.family === 'deberta-v2' && task === 'sequence-classification') {
      const c = spec.config;
      pooler = {
        dense: loader.linear('pooler.dense', c.poolerHiddenSize, c.poolerHiddenSize, head),
        activation: activationByName(c.poolerHiddenAct, 'pooler_hidden_act'),
        preDropout: c.poolerDropout,
        out: loader.linear('classifier', c.poolerHiddenSize, numLabels, head),
        outDropout: c.clsDropout,
      };
    } else if (spec.family === 'bert') {
      const c = spec.config;
      const seqcls = task === 'sequence-classification';
      pooler = {
        dense: loader.linear(`${p}pooler.dense`, H, H, { role: 'head', trainable: seqcls }),
        activation: (x) => tf.tanh(x),
        preDropout: 0,
        out: seqcls ? loader.linear('classifier', H, numLabels, head) : null,
        outDropout: c.classifierDropout,
      };
    } else if (spec.family === 'roberta' && task === 'sequence-classification') {
      const c = spec.config;
      pooler = {
        dense: loader.linear('classifier.dense', H, H, head),
        activation: (x) => tf.tanh(x),
        preDropout: c.classifierDropout,
        out: loader.linear('classifier.out_proj', H, numLabels, head),
        outDropout: c.classifierDropout,
      };
    }
    const report = loader.finish();
    return new EncoderModel(spec, task, numLabels, backbone, pooler, qa, report);
  } catch (error) {
    loader.abort();
    throw error;
  }
}
