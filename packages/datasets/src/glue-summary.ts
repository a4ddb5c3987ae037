import { UnsupportedInputError } from '@adalora/core';
import type { GlueMetricKey, GlueMetricResult } from './glue-metric.js';

/** The per-task result slots a GLUE summary reads; MNLI's two validation splits are separate slots. */
export type GlueSummaryTask =
  | 'cola'
  | 'sst2'
  | 'mrpc'
  | 'qqp'
  | 'stsb'
  | 'mnli_matched'
  | 'mnli_mismatched'
  | 'qnli'
  | 'rte'
  | 'wnli';

/** One column of a summary: the mean of the listed (task, metric) values. */
export interface GlueSummaryColumn {
  readonly name: string;
  readonly parts: ReadonlyArray<{ readonly task: GlueSummaryTask; readonly key: GlueMetricKey }>;
}

/**
 * An averaging convention: which number stands for each task, and the overall score = the unweighted
 * mean of the columns. Papers differ here, so every summary carries the convention it used.
 */
export interface GlueConvention {
  readonly id: string;
  /** One sentence saying what is averaged, printed next to the score. */
  readonly statement: string;
  readonly columns: readonly GlueSummaryColumn[];
}

const col = (name: string, ...parts: Array<[GlueSummaryTask, GlueMetricKey]>): GlueSummaryColumn => ({
  name,
  parts: parts.map(([task, key]) => ({ task, key })),
});

/**
 * The AdaLoRA paper's convention as this project states it (Table 1 style, DeBERTaV3 on GLUE dev, WNLI left
 * out): MNLI = mean of matched and mismatched accuracy, SST-2/QNLI/RTE accuracy, MRPC and QQP accuracy,
 * CoLA Matthews correlation, STS-B Pearson; overall = mean of these 8 columns. Not re-checked against the
 * paper's caption: use `gluePaperConventions` to report the others next to it.
 */
export const adaloraConvention: GlueConvention = {
  id: 'adalora',
  statement:
    'AdaLoRA (Zhang et al., 2023) style: mean of 8 dev-set scores (no WNLI): MNLI = mean(matched acc, mismatched acc), SST-2 acc, CoLA MCC, QQP acc, QNLI acc, RTE acc, MRPC acc, STS-B Pearson.',
  columns: [
    col('MNLI', ['mnli_matched', 'accuracy'], ['mnli_mismatched', 'accuracy']),
    col('SST-2', ['sst2', 'accuracy']),
    col('CoLA', ['cola', 'matthews_correlation']),
    col('QQP', ['qqp', 'accuracy']),
    col('QNLI', ['qnli', 'accuracy']),
    col('RTE', ['rte', 'accuracy']),
    col('MRPC', ['mrpc', 'accuracy']),
    col('STS-B', ['stsb', 'pearson']),
  ],
};

/**
 * The GLUE leaderboard's score: per task the task metric, or the unweighted mean of its two metrics
 * (MRPC F1/acc, QQP F1/acc, STS-B Pearson/Spearman, MNLI matched/mismatched acc); overall = mean of the
 * 9 tasks including WNLI (AX is reported apart).
 */
export const glueLeaderboardConvention: GlueConvention = {
  id: 'glue-leaderboard',
  statement:
    'GLUE leaderboard: mean of 9 task scores (with WNLI); MRPC, QQP = mean(F1, acc), STS-B = mean(Pearson, Spearman), MNLI = mean(matched, mismatched acc).',
  columns: [
    col('CoLA', ['cola', 'matthews_correlation']),
    col('SST-2', ['sst2', 'accuracy']),
    col('MRPC', ['mrpc', 'f1'], ['mrpc', 'accuracy']),
    col('STS-B', ['stsb', 'pearson'], ['stsb', 'spearmanr']),
    col('QQP', ['qqp', 'f1'], ['qqp', 'accuracy']),
    col('MNLI', ['mnli_matched', 'accuracy'], ['mnli_mismatched', 'accuracy']),
    col('QNLI', ['qnli', 'accuracy']),
    col('RTE', ['rte', 'accuracy']),
    col('WNLI', ['wnli', 'accuracy']),
  ],
};

/** BERT paper Table 1 "Average": 9 numbers, WNLI out: MNLI-m, MNLI-mm, QQP F1, QNLI, SST-2, CoLA MCC, STS-B Spearman, MRPC F1, RTE. */
export const bertPaperConvention: GlueConvention = {
  id: 'bert-paper',
  statement:
    'BERT paper Table 1: mean of 9 numbers (no WNLI): MNLI-m acc, MNLI-mm acc, QQP F1, QNLI acc, SST-2 acc, CoLA MCC, STS-B Spearman, MRPC F1, RTE acc.',
  columns: [
    col('MNLI-m', ['mnli_matched', 'accuracy']),
    col('MNLI-mm', ['mnli_mismatched', 'accuracy']),
    col('QQP', ['qqp', 'f1']),
    col('QNLI', ['qnli', 'accuracy']),
    col('SST-2', ['sst2', 'accuracy']),
    col('CoLA', ['cola', 'matthews_correlation']),
    col('STS-B', ['stsb', 'spearmanr']),
    col('MRPC', ['mrpc', 'f1']),
    col('RTE', ['rte', 'accuracy']),
  ],
};

/**
 * LoRA paper (Hu et al.) Table 2 caption: MNLI overall accuracy (here the mean of matched and mismatched),
 * CoLA MCC, STS-B Pearson, accuracy elsewhere (MRPC and QQP accuracy); mean over 8 tasks, no WNLI.
 */
export const loraPaperConvention: GlueConvention = {
  id: 'lora-paper',
  statement:
    'LoRA paper Table 2: mean of 8 scores (no WNLI): MNLI = mean(matched, mismatched acc), SST-2, MRPC, QQP, QNLI, RTE acc, CoLA MCC, STS-B Pearson.',
  columns: [
    col('MNLI', ['mnli_matched', 'accuracy'], ['mnli_mismatched', 'accuracy']),
    col('SST-2', ['sst2', 'accuracy']),
    col('MRPC', ['mrpc', 'accuracy']),
    col('CoLA', ['cola', 'matthews_correlation']),
    col('QNLI', ['qnli', 'accuracy']),
    col('QQP', ['qqp', 'accuracy']),
    col('RTE', ['rte', 'accuracy']),
    col('STS-B', ['stsb', 'pearson']),
  ],
};

/** The built-in conventions by id; `adalora` is the project default. */
export const glueConventions = {
  adalora: adaloraConvention,
  'glue-leaderboard': glueLeaderboardConvention,
  'bert-paper': bertPaperConvention,
  'lora-paper': loraPaperConvention,
} as const;

/** A summary: each column's value, the overall mean, and the convention statement that says how it was made. */
export interface GlueSummary {
  readonly convention: string;
  readonly statement: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly value: number }>;
  /** Unweighted mean of the columns (same scale as the inputs: fractions stay fractions). */
  readonly average: number;
  /** Columns left out because a task result was missing (only with `allowMissing`). */
  readonly missing: readonly string[];
}

/**
 * Averages per-task GLUE results (the outputs of `glueMetric`, MNLI under `mnli_matched` and
 * `mnli_mismatched`) under a stated convention. A missing task or metric is an error naming it, unless
 * `allowMissing` is set: then that column is left out of the average and listed in `missing`.
 */
export function glueSummary(
  results: Partial<Record<GlueSummaryTask, GlueMetricResult>>,
  convention: GlueConvention = adaloraConvention,
  { allowMissing = false }: { allowMissing?: boolean } = {},
): GlueSummary {
  const columns: Array<{ name: string; value: number }> = [];
  const missing: string[] = [];
  for (const column of convention.columns) {
    const values: number[] = [];
    for (const { task, key } of column.parts) {
      const value = results[task]?.[key];
      if (typeof value !== 'number') {
        if (allowMissing) break;
        throw new UnsupportedInputError({
          source: `GLUE summary (${convention.id}) column ${column.name}`,
          expected: `results.${task}.${key}`,
          found: results[task] === undefined ? `no '${task}' result` : `keys ${Object.keys(results[task] ?? {}).join(', ')}`,
        });
      }
      values.push(value);
    }
    if (values.length < column.parts.length) {
      missing.push(column.name);
      continue;
    }
    columns.push({ name: column.name, value: values.reduce((a, b) => a + b, 0) / values.length });
  }
  const average = columns.length === 0 ? Number.NaN : columns.reduce((a, c) => a + c.value, 0) / columns.length;
  return { convention: convention.id, statement: convention.statement, columns, average, missing };
}
