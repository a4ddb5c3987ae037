import { UnknownImplementationError } from '@adalora/core';
import { accuracy, binaryF1, matthewsCorrelation } from './classification-metrics.js';
import { pearson, spearman } from './correlation.js';

/** The configs `evaluate.load('glue', config)` accepts, and the keys each returns. */
export const glueMetricKeys = {
  cola: ['matthews_correlation'],
  sst2: ['accuracy'],
  mrpc: ['accuracy', 'f1'],
  qqp: ['accuracy', 'f1'],
  stsb: ['pearson', 'spearmanr'],
  mnli: ['accuracy'],
  mnli_matched: ['accuracy'],
  mnli_mismatched: ['accuracy'],
  qnli: ['accuracy'],
  rte: ['accuracy'],
  wnli: ['accuracy'],
  hans: ['accuracy'],
} as const satisfies Record<string, readonly GlueMetricKey[]>;

/** A config name of the GLUE metric (`cola`, `stsb`, `mnli_mismatched`, ...). */
export type GlueMetricConfig = keyof typeof glueMetricKeys;
/** A key of a GLUE metric result. */
export type GlueMetricKey = 'accuracy' | 'f1' | 'matthews_correlation' | 'pearson' | 'spearmanr';
/** What the GLUE metric returns: fractions in [0, 1] (not ×100); Pearson/Spearman may be NaN for constant input. */
export type GlueMetricResult = Partial<Record<GlueMetricKey, number>>;

/** True when `config` is a GLUE metric config name. */
export function isGlueMetricConfig(config: string): config is GlueMetricConfig {
  return Object.hasOwn(glueMetricKeys, config);
}

/**
 * The GLUE metric exactly as `evaluate.load('glue', config).compute(predictions, references)` computes it
 * (same keys, same values): accuracy; accuracy + binary F1 for MRPC/QQP; Matthews correlation for CoLA;
 * Pearson and Spearman for STS-B. As evaluate does, STS-B inputs are first rounded to float32 (the metric's
 * declared feature type) and the correlations are then computed in float64 (NumPy 1.x behaviour);
 * class predictions must be integer class ids (take the argmax of logits first).
 */
export function glueMetric(config: string, predictions: ArrayLike<number>, references: ArrayLike<number>): GlueMetricResult {
  if (!isGlueMetricConfig(config)) {
    throw new UnknownImplementationError({ kind: 'GLUE metric config', id: config, available: Object.keys(glueMetricKeys) });
  }
  switch (config) {
    case 'cola':
      return { matthews_correlation: matthewsCorrelation(predictions, references) };
    case 'stsb': {
      const p = Float32Array.from(predictions as ArrayLike<number>);
      const r = Float32Array.from(references as ArrayLike<number>);
      return { pearson: pearson(p, r), spearmanr: spearman(p, r) };
    }
    case 'mrpc':
    case 'qqp':
      return { accuracy: accuracy(predictions, references), f1: binaryF1(predictions, references) };
    default:
      return { accuracy: accuracy(predictions, references) };
  }
}

/**
 * `combined_score` as `run_glue.py` adds it when a task returns more than one number (MRPC, QQP, STS-B):
 * the plain mean of all returned values. Undefined (not added) for single-metric tasks.
 */
export function combinedScore(result: GlueMetricResult): number | undefined {
  const values = Object.values(result).filter((v): v is number => typeof v === 'number');
  if (values.length < 2) return undefined;
  return values.reduce((a, b) => a + b, 0) / values.length;
}
