/**
 * Every option of `adalora train`: its flag, its key in `--config file.json` (the flag in camelCase;
 * the kebab-case flag name is accepted too), its default, how it is parsed, and what it means. The
 * CLI, the config-file reader, presets and the resolved `config.json` of a run all use this one table.
 */
export interface TrainOptions {
  task: string;
  model: string;
  scorer: string;
  scorerModule: string;
  scorerOptions: string;
  method: 'adalora' | 'lora';
  initR: number;
  targetR: number;
  tinit: number;
  tfinal: number;
  deltaT: number;
  beta1: number;
  beta2: number;
  orthReg: number;
  alpha: number;
  dropout: number;
  targetModules: string[];
  finalPhase: 'peft' | 'loralib';
  lr: number;
  weightDecay: number;
  warmupSteps: number;
  warmupRatio: number;
  maxGradNorm: number;
  gradAccum: number;
  batchSize: number;
  evalBatchSize: number;
  epochs: number;
  maxSteps: number;
  maxLength: number;
  seed: number;
  engine: 'auto' | 'node-gpu' | 'node' | 'wasm' | 'cpu';
  evalEvery: number;
  logEvery: number;
  checkpointEvery: number;
  trainLimit: number;
  evalLimit: number;
  dataDir: string;
  gradientCheckpointing: 'auto' | 'true' | 'false';
}

type Kind = 'string' | 'int' | 'number' | 'list';

export interface OptionSpec<K extends keyof TrainOptions = keyof TrainOptions> {
  key: K;
  flag: string;
  kind: Kind;
  description: string;
  choices?: readonly string[];
  /** Smallest allowed value of a number; integers are checked to be whole. */
  min?: number;
  max?: number;
}

/** Defaults: PEFT's AdaLoRA defaults where they exist, the seed paper's r 16 → 8 otherwise. */
export const trainDefaults: TrainOptions = {
  task: 'synth-sst2',
  model: 'tiny-deberta-v3',
  scorer: 'sensitivity',
  scorerModule: '',
  scorerOptions: '',
  method: 'adalora',
  initR: 16,
  targetR: 8,
  tinit: -1,
  tfinal: -1,
  deltaT: 1,
  beta1: 0.85,
  beta2: 0.85,
  orthReg: 0.1,
  alpha: 32,
  dropout: 0,
  targetModules: ['query_proj', 'key_proj', 'value_proj', 'attention.output.dense', 'intermediate.dense', 'output.dense'],
  finalPhase: 'peft',
  lr: 5e-4,
  weightDecay: 0.01,
  warmupSteps: -1,
  warmupRatio: 0.06,
  maxGradNorm: 1,
  gradAccum: 1,
  batchSize: 32,
  evalBatchSize: 64,
  epochs: 3,
  maxSteps: -1,
  maxLength: 128,
  seed: 42,
  engine: 'auto',
  evalEvery: -1,
  logEvery: 10,
  checkpointEvery: -1,
  trainLimit: -1,
  evalLimit: -1,
  dataDir: '',
  gradientCheckpointing: 'auto',
};

export const trainOptionSpecs: readonly OptionSpec[] = [
  { key: 'task', flag: 'task', kind: 'string', description: 'GLUE task, squad/squad_v2, or a synthetic task (synth-sst2, ...)' },
  { key: 'model', flag: 'model', kind: 'string', description: 'hub id, local folder, or zoo name (tiny-deberta-v3, deberta-v3-base, ...)' },
  { key: 'scorer', flag: 'scorer', kind: 'string', description: 'importance score function id (sensitivity, movement, fisher, gsnr, magnitude, ...)' },
  { key: 'scorerModule', flag: 'scorer-module', kind: 'string', description: 'a JavaScript module whose exported factories are added to the score registry (contributed scorers)' },
  { key: 'scorerOptions', flag: 'scorer-options', kind: 'string', description: 'JSON options passed to the score function factory (merged over --beta1/--beta2)' },
  { key: 'method', flag: 'method', kind: 'string', choices: ['adalora', 'lora'], description: 'adalora, or lora for the plain LoRA baseline (rank --target-r)' },
  { key: 'initR', flag: 'init-r', kind: 'int', min: 1, description: 'initial rank of every adapted matrix' },
  { key: 'targetR', flag: 'target-r', kind: 'int', min: 0, description: 'target average rank (budget = target-r × matrices)' },
  { key: 'tinit', flag: 'tinit', kind: 'int', min: -1, description: 'warm-up steps without masking (-1: 10% of the run)' },
  { key: 'tfinal', flag: 'tfinal', kind: 'int', min: -1, description: 'final steps with a fixed rank pattern (-1: 30% of the run)' },
  { key: 'deltaT', flag: 'delta-t', kind: 'int', min: 1, description: 'masking interval in the decay phase' },
  { key: 'beta1', flag: 'beta1', kind: 'number', min: 0, max: 1, description: 'EMA coefficient of the score (β1)' },
  { key: 'beta2', flag: 'beta2', kind: 'number', min: 0, max: 1, description: 'EMA coefficient of the uncertainty (β2)' },
  { key: 'orthReg', flag: 'orth-reg', kind: 'number', min: 0, description: 'orthogonal regularisation weight γ' },
  { key: 'alpha', flag: 'alpha', kind: 'number', min: 0, description: 'adapter scaling numerator (scaling = alpha / (init-r + 1e-5))' },
  { key: 'dropout', flag: 'dropout', kind: 'number', min: 0, max: 1, description: 'dropout on the adapter input' },
  { key: 'targetModules', flag: 'target-modules', kind: 'list', description: 'comma-separated module names, suffixes or /regex/' },
  { key: 'finalPhase', flag: 'final-phase', kind: 'string', choices: ['peft', 'loralib'], description: "final-phase semantics: PEFT's (default) or the authors' loralib" },
  { key: 'lr', flag: 'lr', kind: 'number', min: 0, description: 'peak learning rate (AdamW)' },
  { key: 'weightDecay', flag: 'weight-decay', kind: 'number', min: 0, description: 'decoupled weight decay (not on biases and LayerNorm)' },
  { key: 'warmupSteps', flag: 'warmup-steps', kind: 'int', min: -1, description: 'linear warm-up steps (-1: use --warmup-ratio)' },
  { key: 'warmupRatio', flag: 'warmup-ratio', kind: 'number', min: 0, max: 1, description: 'linear warm-up as a fraction of the run' },
  { key: 'maxGradNorm', flag: 'max-grad-norm', kind: 'number', min: 0, description: 'global gradient-norm clipping (0: off)' },
  { key: 'gradAccum', flag: 'grad-accum', kind: 'int', min: 1, description: 'micro-batches per optimizer step' },
  { key: 'batchSize', flag: 'batch-size', kind: 'int', min: 1, description: 'examples per micro-batch' },
  { key: 'evalBatchSize', flag: 'eval-batch-size', kind: 'int', min: 1, description: 'examples per evaluation batch' },
  { key: 'epochs', flag: 'epochs', kind: 'number', min: 0, description: 'passes over the training data' },
  { key: 'maxSteps', flag: 'max-steps', kind: 'int', min: -1, description: 'optimizer steps (overrides --epochs; -1: from epochs)' },
  { key: 'maxLength', flag: 'max-length', kind: 'int', min: 8, description: 'maximum tokens per example' },
  { key: 'seed', flag: 'seed', kind: 'int', min: 0, description: 'seed of initialisation, data order and dropout' },
  { key: 'engine', flag: 'engine', kind: 'string', choices: ['auto', 'node-gpu', 'node', 'wasm', 'cpu'], description: 'TensorFlow.js engine' },
  { key: 'evalEvery', flag: 'eval-every', kind: 'int', min: -1, description: 'evaluate every N optimizer steps (-1: at the end of every epoch)' },
  { key: 'logEvery', flag: 'log-every', kind: 'int', min: 1, description: 'write a metrics.jsonl line every N optimizer steps' },
  { key: 'checkpointEvery', flag: 'checkpoint-every', kind: 'int', min: -1, description: 'write a resumable checkpoint every N optimizer steps (-1: at every evaluation)' },
  { key: 'trainLimit', flag: 'train-limit', kind: 'int', min: -1, description: 'use only the first N training examples (-1: all)' },
  { key: 'evalLimit', flag: 'eval-limit', kind: 'int', min: -1, description: 'evaluate on the first N examples (-1: all)' },
  { key: 'dataDir', flag: 'data-dir', kind: 'string', description: 'folder with the task files (GLUE TSV folder, SQuAD JSON); default: the hub cache' },
  { key: 'gradientCheckpointing', flag: 'gradient-checkpointing', kind: 'string', choices: ['auto', 'true', 'false'], description: "recompute each layer in the backward pass (saves memory); auto: the model's default (on, off for the tiny zoo models)" },
];
