import { UnknownImplementationError } from '@adalora/core';

/** How one HF `nyu-mll/glue` config maps onto the original GLUE TSV files. */
export interface GlueConfigSpec {
  /** HF config name (`cola`, `mnli_matched`, ...). */
  readonly name: string;
  /** Folder inside the GLUE data directory (`CoLA`, `SST-2`, ...). */
  readonly folder: string;
  /** HF feature name → TSV header column (`premise` ← `sentence1`). For MRPC the source-file columns. */
  readonly textColumns: Readonly<Record<string, string>>;
  /** TSV column holding the label (absent in test files, where the label is -1). */
  readonly labelColumn: string;
  /** HF `ClassLabel` names in id order, or `null` for STS-B's float32 score. */
  readonly labelNames: readonly string[] | null;
  /** HF split name → TSV file name(s), looked up in `<dir>/<folder>/` then `<dir>/`; first existing one wins. */
  readonly files: Readonly<Record<string, readonly string[]>>;
}

const pair = (a: string, b: string) => ({ [a]: a, [b]: b });

/**
 * Every GLUE config of the HF loader (`datasets` glue.py @ d7dfbc83) with its TSV layout, label column and
 * label order (HF `ClassLabel` order: WNLI's differs from RTE/QNLI's).
 */
export const glueConfigs = {
  cola: {
    name: 'cola',
    folder: 'CoLA',
    textColumns: { sentence: 'sentence' },
    labelColumn: 'is_acceptable',
    labelNames: ['unacceptable', 'acceptable'],
    files: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  sst2: {
    name: 'sst2',
    folder: 'SST-2',
    textColumns: { sentence: 'sentence' },
    labelColumn: 'label',
    labelNames: ['negative', 'positive'],
    files: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  mrpc: {
    name: 'mrpc',
    folder: 'MRPC',
    textColumns: { sentence1: '#1 String', sentence2: '#2 String' },
    labelColumn: 'Quality',
    labelNames: ['not_equivalent', 'equivalent'],
    files: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  qqp: {
    name: 'qqp',
    folder: 'QQP',
    textColumns: pair('question1', 'question2'),
    labelColumn: 'is_duplicate',
    labelNames: ['not_duplicate', 'duplicate'],
    files: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  stsb: {
    name: 'stsb',
    folder: 'STS-B',
    textColumns: pair('sentence1', 'sentence2'),
    labelColumn: 'score',
    labelNames: null,
    files: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  mnli: {
    name: 'mnli',
    folder: 'MNLI',
    textColumns: { premise: 'sentence1', hypothesis: 'sentence2' },
    labelColumn: 'gold_label',
    labelNames: ['entailment', 'neutral', 'contradiction'],
    files: {
      train: ['train.tsv'],
      validation_matched: ['dev_matched.tsv'],
      validation_mismatched: ['dev_mismatched.tsv'],
      test_matched: ['test_matched.tsv'],
      test_mismatched: ['test_mismatched.tsv'],
    },
  },
  mnli_matched: {
    name: 'mnli_matched',
    folder: 'MNLI',
    textColumns: { premise: 'sentence1', hypothesis: 'sentence2' },
    labelColumn: 'gold_label',
    labelNames: ['entailment', 'neutral', 'contradiction'],
    files: { validation: ['dev_matched.tsv'], test: ['test_matched.tsv'] },
  },
  mnli_mismatched: {
    name: 'mnli_mismatched',
    folder: 'MNLI',
    textColumns: { premise: 'sentence1', hypothesis: 'sentence2' },
    labelColumn: 'gold_label',
    labelNames: ['entailment', 'neutral', 'contradiction'],
    files: { validation: ['dev_mismatched.tsv'], test: ['test_mismatched.tsv'] },
  },
  qnli: {
    name: 'qnli',
    folder: 'QNLI',
    textColumns: pair('question', 'sentence'),
    labelColumn: 'label',
    labelNames: ['entailment', 'not_entailment'],
    files: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  rte: {
    name: 'rte',
    folder: 'RTE',
    textColumns: pair('sentence1', 'sentence2'),
    labelColumn: 'label',
    labelNames: ['entailment', 'not_entailment'],
    files: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  wnli: {
    name: 'wnli',
    folder: 'WNLI',
    textColumns: pair('sentence1', 'sentence2'),
    labelColumn: 'label',
    labelNames: ['not_entailment', 'entailment'],
    files: { train: ['train.tsv'], validation: ['dev.tsv'], test: ['test.tsv'] },
  },
  ax: {
    name: 'ax',
    folder: 'diagnostic',
    textColumns: { premise: 'sentence1', hypothesis: 'sentence2' },
    labelColumn: '',
    labelNames: ['entailment', 'neutral', 'contradiction'],
    files: { test: ['diagnostic.tsv', 'AX.tsv'] },
  },
} as const satisfies Record<string, GlueConfigSpec>;

/** A GLUE config name as HF spells it. */
export type GlueConfigName = keyof typeof glueConfigs;

/** The spec of a GLUE config; an unknown name fails listing the known ones. */
export function glueConfig(name: string): GlueConfigSpec {
  if (!Object.hasOwn(glueConfigs, name)) {
    throw new UnknownImplementationError({ kind: 'GLUE config', id: name, available: Object.keys(glueConfigs) });
  }
  return glueConfigs[name as GlueConfigName];
}

/** Checks a split name against a config; an unknown split fails listing the config's splits. */
export function checkGlueSplit(spec: GlueConfigSpec, split: string): void {
  if (!Object.hasOwn(spec.files, split)) {
    throw new UnknownImplementationError({ kind: `split of GLUE config '${spec.name}'`, id: split, available: Object.keys(spec.files) });
  }
}

/**
 * One GLUE example as HF's loader yields it: the config's text columns (strings), `label` (class id, float32
 * score for STS-B, −1 on test splits) and `idx` (row number in its file; MRPC: in the source file).
 */
export interface GlueExample {
  readonly idx: number;
  readonly label: number;
  readonly [column: string]: string | number;
}
