import { UnsupportedInputError } from '@adalora/core';

/**
 * Checks that predictions and references are non-empty, equally long and (for class metrics) integers,
 * the shape `evaluate`'s GLUE metric casts them to (int64). Throws an error naming the offending index.
 */
export function checkPairedLabels(
  predictions: ArrayLike<number>,
  references: ArrayLike<number>,
  { integers, metric }: { integers: boolean; metric: string },
): void {
  if (predictions.length !== references.length) {
    throw new UnsupportedInputError({
      source: `${metric} predictions`,
      expected: `as many predictions as references (${references.length})`,
      found: String(predictions.length),
    });
  }
  if (predictions.length === 0) {
    throw new UnsupportedInputError({ source: `${metric} predictions`, expected: 'at least one prediction', found: 'none' });
  }
  for (const [name, values] of [
    ['predictions', predictions],
    ['references', references],
  ] as const) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (integers ? !Number.isInteger(v) : !Number.isFinite(v)) {
        throw new UnsupportedInputError({
          source: `${metric} ${name}[${i}]`,
          expected: integers ? 'an integer class id' : 'a finite number',
          found: String(v),
        });
      }
    }
  }
}

/**
 * Accuracy: `mean(prediction == reference)`, as `evaluate`'s GLUE metric computes it (a fraction in [0, 1]).
 * Used for SST-2, MNLI, QNLI, RTE, WNLI and (with F1) MRPC and QQP.
 */
export function accuracy(predictions: ArrayLike<number>, references: ArrayLike<number>): number {
  checkPairedLabels(predictions, references, { integers: true, metric: 'accuracy' });
  let same = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === references[i]) same++;
  return same / predictions.length;
}

/**
 * Binary F1 of the positive class (label 1), sklearn's `f1_score` defaults (`average='binary'`, `pos_label=1`):
 * `F1 = 2·TP / (2·TP + FP + FN)`, and 0.0 when the denominator is 0 (no positive labels and no positive
 * predictions; sklearn warns `UndefinedMetricWarning` and returns 0.0). Labels must be 0 or 1, as sklearn
 * requires for the binary average. Used for MRPC and QQP.
 */
export function binaryF1(predictions: ArrayLike<number>, references: ArrayLike<number>): number {
  checkPairedLabels(predictions, references, { integers: true, metric: 'f1' });
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i] as number;
    const r = references[i] as number;
    for (const [name, v] of [
      ['predictions', p],
      ['references', r],
    ] as const) {
      if (v !== 0 && v !== 1) {
        throw new UnsupportedInputError({ source: `f1 ${name}[${i}]`, expected: 'a binary label 0 or 1', found: String(v) });
      }
    }
    if (p === 1 && r === 1) tp++;
    else if (p === 1) fp++;
    else if (r === 1) fn++;
  }
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

/**
 * Matthews correlation coefficient, sklearn's multiclass formula (float64) over the confusion matrix `C`
 * built on the union of labels: with `t` the true counts, `p` the predicted counts, `c = trace(C)`,
 * `n = sum(C)`: `MCC = (c·n − t·p) / sqrt((n² − t·t)(n² − p·p))`, and 0.0 when the denominator is 0
 * (constant predictions or labels), never NaN. Used for CoLA.
 */
export function matthewsCorrelation(predictions: ArrayLike<number>, references: ArrayLike<number>): number {
  checkPairedLabels(predictions, references, { integers: true, metric: 'matthews_correlation' });
  const trueCounts = new Map<number, number>();
  const predCounts = new Map<number, number>();
  let correct = 0;
  const n = predictions.length;
  for (let i = 0; i < n; i++) {
    const p = predictions[i] as number;
    const r = references[i] as number;
    trueCounts.set(r, (trueCounts.get(r) ?? 0) + 1);
    predCounts.set(p, (predCounts.get(p) ?? 0) + 1);
    if (p === r) correct++;
  }
  const labels = [...new Set([...trueCounts.keys(), ...predCounts.keys()])].sort((a, b) => a - b);
  let tp = 0;
  let tt = 0;
  let pp = 0;
  for (const label of labels) {
    const t = trueCounts.get(label) ?? 0;
    const p = predCounts.get(label) ?? 0;
    tp += t * p;
    tt += t * t;
    pp += p * p;
  }
  const covYtYp = correct * n - tp;
  const covYpYp = n * n - pp;
  const covYtYt = n * n - tt;
  if (covYtYt * covYpYp === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}
