import { UnsupportedInputError } from '@adalora/core';
import { answerTokens, commonTokenCount, normalizeAnswer } from './squad-normalize.js';
import type { DataWarning, WarningSink } from './warnings.js';
import { defaultWarningSink } from './warnings.js';

/** One reference question: its id and gold answer texts (the HF `answers.text` list; `answer_start` is ignored). */
export interface SquadReference {
  readonly id: string;
  readonly answers: { readonly text: readonly string[] };
}

/** Predicted answer text by question id, as in the official `predictions.json`. */
export type SquadPredictions = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** v1.1 exact match of one prediction against one gold answer: `normalize(prediction) == normalize(gold)`. */
export function squadV1ExactMatch(prediction: string, gold: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(gold);
}

/**
 * v1.1 token F1 of one prediction against one gold answer: with `common` the multiset intersection of the
 * normalised tokens, 0 if it is empty, else `2PR/(P+R)` with `P = common/|pred|`, `R = common/|gold|`.
 * Quirk kept from the official script: two answers that both normalise to `""` get F1 0 (but EM 1).
 */
export function squadV1F1(prediction: string, gold: string): number {
  const predTokens = answerTokens(prediction);
  const goldTokens = answerTokens(gold);
  const same = commonTokenCount(predTokens, goldTokens);
  if (same === 0) return 0;
  const precision = same / predTokens.length;
  const recall = same / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Per-question v1.1 scores: the max of EM and of F1 over the gold answers. */
export function squadV1Scores(prediction: string, golds: readonly string[], id = '(question)'): { exactMatch: number; f1: number } {
  if (golds.length === 0) {
    // The official script raises `ValueError: max() arg is an empty sequence` here.
    throw new UnsupportedInputError({ source: `SQuAD v1.1 reference '${id}'`, expected: 'at least one gold answer', found: 'none' });
  }
  let exactMatch = 0;
  let f1 = 0;
  for (const gold of golds) {
    exactMatch = Math.max(exactMatch, squadV1ExactMatch(prediction, gold) ? 1 : 0);
    f1 = Math.max(f1, squadV1F1(prediction, gold));
  }
  return { exactMatch, f1 };
}

/** The official v1.1 output: percentages. */
export interface SquadV1Result {
  readonly exact_match: number;
  readonly f1: number;
}

/**
 * SQuAD v1.1 evaluation exactly as the official script (and `evaluate.load('squad')`): `exact_match` and `f1`
 * are `100 · Σ score / total` where **total counts every reference**; a reference without a prediction scores
 * 0 and stays in the denominator (reported through `onWarning`, one warning listing the ids). Predictions for
 * ids not among the references are ignored (also reported). Sums run left to right in reference order, so
 * the result is bit-identical to the Python script's.
 */
export function squadV1Metric(
  references: Iterable<SquadReference>,
  predictions: SquadPredictions,
  { onWarning = defaultWarningSink }: { onWarning?: WarningSink } = {},
): SquadV1Result {
  const predictionMap = toMap(predictions);
  let total = 0;
  let exactSum = 0;
  let f1Sum = 0;
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const reference of references) {
    total++;
    seen.add(reference.id);
    const prediction = predictionMap.get(reference.id);
    if (prediction === undefined) {
      missing.push(reference.id);
      continue;
    }
    const { exactMatch, f1 } = squadV1Scores(prediction, reference.answers.text, reference.id);
    exactSum += exactMatch;
    f1Sum += f1;
  }
  if (total === 0) throw new UnsupportedInputError({ source: 'SQuAD v1.1 references', expected: 'at least one question', found: 'none' });
  reportIds(onWarning, 'missing-prediction', missing, 'reference(s) without a prediction, scored 0 as the official v1.1 script does');
  reportIds(
    onWarning,
    'unknown-prediction',
    [...predictionMap.keys()].filter((id) => !seen.has(id)),
    'prediction(s) for ids not among the references, ignored',
  );
  return { exact_match: (100 * exactSum) / total, f1: (100 * f1Sum) / total };
}

/** Predictions as a Map, keeping insertion order (which matters for v2's tie order). */
export function toMap<V>(values: ReadonlyMap<string, V> | Readonly<Record<string, V>>): ReadonlyMap<string, V> {
  return values instanceof Map ? values : new Map(Object.entries(values as Record<string, V>));
}

function reportIds(onWarning: WarningSink, code: DataWarning['code'], ids: string[], what: string): void {
  if (ids.length === 0) return;
  const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? `, … (${ids.length - 10} more)` : '');
  onWarning({ code, source: 'predictions', message: `${ids.length} ${what}: ${shown}`, ids });
}
