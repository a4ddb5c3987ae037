import { UnsupportedInputError } from '@adalora/core';
import { answerTokens, commonTokenCount, normalizeAnswer } from './squad-normalize.js';
import type { SquadPredictions, SquadReference } from './squad-v1-metric.js';
import { toMap } from './squad-v1-metric.js';
import type { WarningSink } from './warnings.js';
import { defaultWarningSink } from './warnings.js';

/** v2.0 exact match: `int(normalize(gold) == normalize(prediction))`. */
export function squadV2Exact(gold: string, prediction: string): number {
  return normalizeAnswer(gold) === normalizeAnswer(prediction) ? 1 : 0;
}

/**
 * v2.0 token F1: tokens are `[]` for an empty string, else the normalised split; if either list is empty
 * the score is `int(gold_tokens == pred_tokens)` (so two empty answers score 1, unlike v1.1); otherwise
 * the v1.1 formula `2PR/(P+R)` over the multiset intersection.
 */
export function squadV2F1(gold: string, prediction: string): number {
  const goldTokens = gold ? answerTokens(gold) : [];
  const predTokens = prediction ? answerTokens(prediction) : [];
  if (goldTokens.length === 0 || predTokens.length === 0) {
    return goldTokens.length === predTokens.length && goldTokens.every((t, i) => t === predTokens[i]) ? 1 : 0;
  }
  const same = commonTokenCount(goldTokens, predTokens);
  if (same === 0) return 0;
  const precision = same / predTokens.length;
  const recall = same / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * The gold answers v2.0 scores against: those that do not normalise to `""`, or `[""]` if none is left
 * (an unanswerable question's only correct answer is the empty string).
 */
export function squadV2GoldAnswers(golds: readonly string[]): string[] {
  const kept = golds.filter((t) => normalizeAnswer(t) !== '');
  return kept.length > 0 ? kept : [''];
}

/** Per-question raw v2.0 scores (before the no-answer threshold): max over `squadV2GoldAnswers`. */
export function squadV2RawScores(prediction: string, golds: readonly string[]): { exact: number; f1: number } {
  let exact = 0;
  let f1 = 0;
  for (const gold of squadV2GoldAnswers(golds)) {
    exact = Math.max(exact, squadV2Exact(gold, prediction));
    f1 = Math.max(f1, squadV2F1(gold, prediction));
  }
  return { exact, f1 };
}

/** The official v2.0 output (percentages); HasAns/NoAns blocks only when that group is non-empty, best_* only with na_probs. */
export interface SquadV2Result {
  exact: number;
  f1: number;
  total: number;
  HasAns_exact?: number;
  HasAns_f1?: number;
  HasAns_total?: number;
  NoAns_exact?: number;
  NoAns_f1?: number;
  NoAns_total?: number;
  best_exact?: number;
  best_exact_thresh?: number;
  best_f1?: number;
  best_f1_thresh?: number;
}

/** Options of `squadV2Metric`. */
export interface SquadV2Options {
  /**
   * Probability that each question has no answer (`na_prob.json`, or post-processing's `null_odds`). When
   * given, the result also has the official best-threshold search (`best_exact`, `best_f1` and their
   * thresholds). Its iteration order is the tie order of that search, as in the Python script.
   * Missing ids count as 0.0.
   */
  naProbs?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** `--na-prob-thresh`: a question is predicted unanswerable when `na_prob > threshold` (strict). Default 1.0. */
  noAnswerThreshold?: number;
  onWarning?: WarningSink;
}

/**
 * SQuAD v2.0 evaluation exactly as the official v2.0 script (`evaluate.load('squad_v2')`):
 * raw EM/F1 per question (see `squadV2RawScores`); then, where `na_prob > noAnswerThreshold`, the score
 * becomes `float(not has_ans)` whatever the text; `exact`/`f1` = 100 × mean over the questions,
 * `HasAns_*`/`NoAns_*` over the questions whose raw gold list is non-empty / empty; and with `naProbs`, the
 * best-threshold search on the raw scores (baseline = number of NoAns questions; walk questions by
 * ascending na_prob, stable; +score for HasAns, −1 for a NoAns question whose raw prediction string is
 * non-empty; keep the first strict maximum).
 *
 * A reference without a prediction makes the official script crash (`KeyError`); here it is an error that
 * lists the ids. Predictions for unknown ids are ignored and reported through `onWarning`. The evaluate
 * wrapper rounds `no_answer_probability` to float32 first; the standalone script (and this function) do not.
 */
export function squadV2Metric(
  references: Iterable<SquadReference>,
  predictions: SquadPredictions,
  { naProbs, noAnswerThreshold = 1.0, onWarning = defaultWarningSink }: SquadV2Options = {},
): SquadV2Result {
  const predictionMap = toMap(predictions);
  const hasAns = new Map<string, boolean>();
  const exactRaw = new Map<string, number>();
  const f1Raw = new Map<string, number>();
  const missing: string[] = [];
  for (const reference of references) {
    hasAns.set(reference.id, reference.answers.text.length > 0);
    const prediction = predictionMap.get(reference.id);
    if (prediction === undefined) {
      missing.push(reference.id);
      continue;
    }
    const { exact, f1 } = squadV2RawScores(prediction, reference.answers.text);
    exactRaw.set(reference.id, exact);
    f1Raw.set(reference.id, f1);
  }
  if (missing.length > 0) {
    throw new UnsupportedInputError({
      source: 'SQuAD v2.0 predictions',
      expected: 'a prediction for every reference question (the official v2.0 script fails with KeyError otherwise)',
      found: `${missing.length} missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
    });
  }
  if (hasAns.size === 0) throw new UnsupportedInputError({ source: 'SQuAD v2.0 references', expected: 'at least one question', found: 'none' });
  const unknown = [...predictionMap.keys()].filter((id) => !hasAns.has(id));
  if (unknown.length > 0) {
    onWarning({
      code: 'unknown-prediction',
      source: 'predictions',
      message: `${unknown.length} prediction(s) for ids not among the references, ignored: ${unknown.slice(0, 10).join(', ')}`,
      ids: unknown,
    });
  }

  const naProbMap = naProbs === undefined ? undefined : toMap(naProbs);
  const naProb = (id: string): number => naProbMap?.get(id) ?? 0;
  const applyThreshold = (scores: Map<string, number>): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [id, score] of scores) out.set(id, naProb(id) > noAnswerThreshold ? (hasAns.get(id) ? 0 : 1) : score);
    return out;
  };
  const exactThresh = applyThreshold(exactRaw);
  const f1Thresh = applyThreshold(f1Raw);

  const ids = [...exactRaw.keys()];
  const result: SquadV2Result = { exact: percent(exactThresh, ids), f1: percent(f1Thresh, ids), total: ids.length };
  const hasAnsIds = [...hasAns].filter(([, v]) => v).map(([k]) => k);
  const noAnsIds = [...hasAns].filter(([, v]) => !v).map(([k]) => k);
  if (hasAnsIds.length > 0) {
    result.HasAns_exact = percent(exactThresh, hasAnsIds);
    result.HasAns_f1 = percent(f1Thresh, hasAnsIds);
    result.HasAns_total = hasAnsIds.length;
  }
  if (noAnsIds.length > 0) {
    result.NoAns_exact = percent(exactThresh, noAnsIds);
    result.NoAns_f1 = percent(f1Thresh, noAnsIds);
    result.NoAns_total = noAnsIds.length;
  }
  if (naProbMap !== undefined) {
    // The script's na_probs dict holds exactly the predictions' ids (missing entries are 0.0 here).
    const naOrder = new Map<string, number>(naProbMap);
    for (const id of predictionMap.keys()) if (!naOrder.has(id)) naOrder.set(id, 0);
    const exactBest = findBestThreshold(predictionMap, exactRaw, naOrder, hasAns);
    const f1Best = findBestThreshold(predictionMap, f1Raw, naOrder, hasAns);
    result.best_exact = exactBest.score;
    result.best_exact_thresh = exactBest.threshold;
    result.best_f1 = f1Best.score;
    result.best_f1_thresh = f1Best.threshold;
  }
  return result;
}

/**
 * The official `find_best_thresh`: start from the "answer nothing" score (the NoAns count), walk questions
 * by ascending na_prob (stable, so ties keep `naProbs` order), add the raw score for HasAns questions and −1
 * for NoAns questions whose **raw** prediction string is non-empty, and remember the na_prob after which
 * the running score was strictly highest. Returns `100 · best / |scores|` and that threshold (0.0 if
 * nothing beats the baseline).
 */
export function findBestThreshold(
  predictions: ReadonlyMap<string, string>,
  scores: ReadonlyMap<string, number>,
  naProbs: ReadonlyMap<string, number>,
  hasAns: ReadonlyMap<string, boolean>,
): { score: number; threshold: number } {
  let current = 0;
  for (const v of hasAns.values()) if (!v) current++;
  let best = current;
  let threshold = 0;
  const order = [...naProbs.entries()].map(([id, p], i) => ({ id, p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  for (const { id, p } of order) {
    const score = scores.get(id);
    if (score === undefined) continue;
    current += hasAns.get(id) ? score : predictions.get(id) ? -1 : 0;
    if (current > best) {
      best = current;
      threshold = p;
    }
  }
  return { score: (100 * best) / scores.size, threshold };
}

function percent(scores: ReadonlyMap<string, number>, ids: readonly string[]): number {
  let sum = 0;
  for (const id of ids) sum += scores.get(id) as number;
  return (100 * sum) / ids.length;
}
