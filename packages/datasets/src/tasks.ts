import { createRegistry } from '@adalora/core';
import { glueConfigs } from './glue-configs.js';
import type { GlueConfigName } from './glue-configs.js';
import type { GlueMetricConfig } from './glue-metric.js';
import { SQUAD_HUB } from './squad-parquet.js';

/** What a task asks of the model head. */
export type TaskKind = 'single-classification' | 'pair-classification' | 'regression' | 'qa';

/** Which official metric scores a task. */
export type TaskMetric = { readonly kind: 'glue'; readonly config: GlueMetricConfig } | { readonly kind: 'squad' } | { readonly kind: 'squad_v2' };

/** An official SQuAD file: where it lives, its size and SHA-256 (from HF's `dataset_infos.json`). */
export interface OfficialFile {
  readonly file: string;
  readonly url: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Where a task's data comes from. */
export type TaskSource =
  | { readonly type: 'glue'; readonly config: GlueConfigName; readonly hubRepo: 'nyu-mll/glue' }
  | {
      readonly type: 'squad';
      readonly version: keyof typeof SQUAD_HUB;
      readonly files: Readonly<Record<'train' | 'validation', OfficialFile>>;
      readonly hub: (typeof SQUAD_HUB)[keyof typeof SQUAD_HUB];
    }
  | { readonly type: 'synthetic' };

/** Everything the trainer needs to know about a `--task` name. */
export interface TaskSpec {
  readonly id: string;
  readonly description: string;
  readonly kind: TaskKind;
  /** Output units of the head: classes; 1 for regression; 2 for QA (start and end logits per token). */
  readonly numLabels: number;
  /** Class names in label-id order (HF order), or `null` for regression and QA. */
  readonly labelNames: readonly string[] | null;
  /** Input text columns: `[a]` or `[a, b]` (`task_to_keys`); QA: `['question', 'context']`. */
  readonly textColumns: readonly string[];
  /** Every split name. */
  readonly splits: readonly string[];
  readonly trainSplit: string;
  /** Splits that are evaluated (labelled dev splits); MNLI has two. */
  readonly evalSplits: readonly string[];
  readonly metric: TaskMetric;
  /** The metric key used to pick the best checkpoint (e.g. `matthews_correlation`, `f1`). */
  readonly primaryMetric: string;
  /** Default `max_seq_length` (AdaLoRA's per-task value for GLUE; 384 for SQuAD). */
  readonly maxSeqLength: number;
  /** QA only: tokens of overlap between windows (`doc_stride`). */
  readonly docStride?: number;
  readonly source: TaskSource;
}

const glueTask = (
  id: GlueConfigName,
  description: string,
  maxSeqLength: number,
  primaryMetric: string,
  evalSplits: readonly string[] = ['validation'],
): TaskSpec => {
  const spec = glueConfigs[id];
  const textColumns = Object.keys(spec.textColumns);
  const labelNames = spec.labelNames;
  return {
    id,
    description,
    kind: labelNames === null ? 'regression' : textColumns.length === 1 ? 'single-classification' : 'pair-classification',
    numLabels: labelNames === null ? 1 : labelNames.length,
    labelNames,
    textColumns,
    splits: Object.keys(spec.files),
    trainSplit: 'train',
    evalSplits,
    metric: { kind: 'glue', config: id as GlueMetricConfig },
    primaryMetric,
    maxSeqLength,
    source: { type: 'glue', config: id, hubRepo: 'nyu-mll/glue' },
  };
};

const SQUAD_BASE = 'https://rajpurkar.github.io/SQuAD-explorer/dataset';
const official = (file: string, bytes: number, sha256: string): OfficialFile => ({ file, url: `${SQUAD_BASE}/${file}`, bytes, sha256 });

/** SQuAD v1.1 and v2.0 official files with HF's recorded sizes and checksums. */
export const SQUAD_FILES = {
  squad: {
    train: official('train-v1.1.json', 30288272, '3527663986b8295af4f7fcdff1ba1ff3f72d07d61a20f487cb238a6ef92fd955'),
    validation: official('dev-v1.1.json', 4854279, '95aa6a52d5d6a735563366753ca50492a658031da74f301ac5238b03966972c9'),
  },
  squad_v2: {
    train: official('train-v2.0.json', 42123633, '68dcfbb971bd3e96d5b46c7177b16c1a4e7d4bdef19fb204502738552dede002'),
    validation: official('dev-v2.0.json', 4370528, '80a5225e94905956a6446d296ca1093975c4d3b3260f1d6c8f68bc2ab77182d8'),
  },
} as const;

const qaTask = (id: 'squad' | 'squad_v2', description: string): TaskSpec => ({
  id,
  description,
  kind: 'qa',
  numLabels: 2,
  labelNames: null,
  textColumns: ['question', 'context'],
  splits: ['train', 'validation'],
  trainSplit: 'train',
  evalSplits: ['validation'],
  metric: { kind: id },
  primaryMetric: 'f1',
  maxSeqLength: 384,
  docStride: 128,
  source: { type: 'squad', version: id, files: SQUAD_FILES[id], hub: SQUAD_HUB[id] },
});

const synthSplits = { splits: ['train', 'validation', 'test'], trainSplit: 'train', evalSplits: ['validation'] } as const;

/**
 * Every task the trainer accepts with `--task`, resolved through `tasks.resolve(name)` (an unknown name
 * fails listing the known ones). GLUE tasks follow HF's `nyu-mll/glue` configs and label order; `mnli`
 * evaluates `validation_matched` and `validation_mismatched`; `ax` (diagnostic, test only) is not a training
 * task and is loaded with the GLUE loaders directly.
 */
export const tasks = createRegistry('task', {
  cola: glueTask('cola', 'CoLA: single-sentence acceptability, Matthews correlation', 64, 'matthews_correlation'),
  sst2: glueTask('sst2', 'SST-2: single-sentence sentiment, accuracy', 128, 'accuracy'),
  mrpc: glueTask('mrpc', 'MRPC: paraphrase pairs, accuracy and F1', 320, 'accuracy'),
  qqp: glueTask('qqp', 'QQP: duplicate question pairs, accuracy and F1', 320, 'accuracy'),
  stsb: glueTask('stsb', 'STS-B: sentence similarity regression 0-5, Pearson and Spearman', 128, 'pearson'),
  mnli: glueTask('mnli', 'MNLI: 3-way entailment, accuracy on matched and mismatched dev', 256, 'accuracy', ['validation_matched', 'validation_mismatched']),
  qnli: glueTask('qnli', 'QNLI: question/sentence entailment, accuracy', 512, 'accuracy'),
  rte: glueTask('rte', 'RTE: 2-way entailment, accuracy', 320, 'accuracy'),
  wnli: glueTask('wnli', 'WNLI: Winograd entailment, accuracy', 128, 'accuracy'),
  squad: qaTask('squad', 'SQuAD v1.1: extractive QA, exact match and F1'),
  squad_v2: qaTask('squad_v2', 'SQuAD v2.0: extractive QA with unanswerable questions, exact/F1 with HasAns/NoAns'),
  'synth-sst2': {
    id: 'synth-sst2',
    description: 'Synthetic SST-2: invented words, sentiment from invented positive/negative words (seeded)',
    kind: 'single-classification',
    numLabels: 2,
    labelNames: ['negative', 'positive'],
    textColumns: ['sentence'],
    ...synthSplits,
    metric: { kind: 'glue', config: 'sst2' },
    primaryMetric: 'accuracy',
    maxSeqLength: 32,
    source: { type: 'synthetic' },
  },
  'synth-mrpc': {
    id: 'synth-mrpc',
    description: 'Synthetic MRPC: pairs, paraphrase = same content words (seeded)',
    kind: 'pair-classification',
    numLabels: 2,
    labelNames: ['not_equivalent', 'equivalent'],
    textColumns: ['sentence1', 'sentence2'],
    ...synthSplits,
    metric: { kind: 'glue', config: 'mrpc' },
    primaryMetric: 'accuracy',
    maxSeqLength: 32,
    source: { type: 'synthetic' },
  },
  'synth-stsb': {
    id: 'synth-stsb',
    description: 'Synthetic STS-B: pairs, score 0-5 = shared content words (seeded)',
    kind: 'regression',
    numLabels: 1,
    labelNames: null,
    textColumns: ['sentence1', 'sentence2'],
    ...synthSplits,
    metric: { kind: 'glue', config: 'stsb' },
    primaryMetric: 'pearson',
    maxSeqLength: 32,
    source: { type: 'synthetic' },
  },
  'synth-squad': {
    id: 'synth-squad',
    description: 'Synthetic SQuAD v2.0: who/where questions over invented facts, 1 in 4 unanswerable (seeded)',
    kind: 'qa',
    numLabels: 2,
    labelNames: null,
    textColumns: ['question', 'context'],
    ...synthSplits,
    metric: { kind: 'squad_v2' },
    primaryMetric: 'f1',
    maxSeqLength: 64,
    docStride: 16,
    source: { type: 'synthetic' },
  },
} satisfies Record<string, TaskSpec>);

/** A task name the registry knows. */
export type TaskId = ReturnType<typeof tasks.ids>[number];
