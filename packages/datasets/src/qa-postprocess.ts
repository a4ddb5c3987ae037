import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import { codePointIndex } from './code-points.js';
import type { QaFeature } from './qa-features.js';
import type { SquadExample } from './squad-examples.js';

/** Options of `postprocessQa`; defaults are `run_qa.py`'s. */
export interface QaPostprocessOptions {
  /** SQuAD v2.0: allow the null (no-answer) prediction. Default false. */
  readonly version2?: boolean;
  /** Candidate starts and ends per feature, and answers kept per example. Default 20. */
  readonly nBest?: number;
  /** Longest answer in tokens (`end − start + 1`). Default 30. */
  readonly maxAnswerLength?: number;
  /** v2: predict "" when `null score − best span score > threshold`. Default 0.0. */
  readonly nullScoreDiffThreshold?: number;
}

/** One n-best entry (as in `nbest_predictions.json`). */
export interface QaCandidate {
  readonly text: string;
  readonly startLogit: number;
  readonly endLogit: number;
  /** Softmax of the kept candidates' scores (`start_logit + end_logit`). */
  readonly probability: number;
}

/** Post-processing output: answer text per id, the n-best lists and (v2) the null-score differences. */
export interface QaPredictions {
  /** Answer by example id, in example order (`predictions.json`). */
  readonly predictions: Map<string, string>;
  readonly nbest: Map<string, QaCandidate[]>;
  /** v2 only: `null_score − best.start_logit − best.end_logit` per id (`null_odds.json`), usable as `naProbs`. */
  readonly nullOdds: Map<string, number>;
}

interface Prelim {
  offsets: readonly [number, number];
  score: number;
  startLogit: number;
  endLogit: number;
}

/**
 * Turns per-feature start/end logits into answers as `utils_qa.postprocess_qa_predictions` does. Per example,
 * over its features: the null score `start[0] + end[0]` (minimum over the features is kept); candidates are
 * all pairs of the `nBest` highest start and end logits whose tokens are context tokens, with
 * `start ≤ end` and `end − start + 1 ≤ maxAnswerLength`, scored `start + end`; v2 adds the null candidate;
 * the `nBest` best are kept (v2: the null one is added back if it fell out), their text is the context slice
 * of their character offsets; an empty list, or a single empty answer, gets the literal answer "empty" in
 * front; probabilities are the softmax of the scores. v1 answers the top text; v2 answers "" when
 * `null − best non-empty span > nullScoreDiffThreshold`, else that span.
 * Ties among equal logits are broken towards the higher token index (numpy's reversed argsort for short rows).
 */
export function postprocessQa(
  examples: readonly SquadExample[],
  features: readonly QaFeature[],
  logits: { readonly start: ReadonlyArray<ArrayLike<number>>; readonly end: ReadonlyArray<ArrayLike<number>> },
  { version2 = false, nBest = 20, maxAnswerLength = 30, nullScoreDiffThreshold = 0 }: QaPostprocessOptions = {},
): QaPredictions {
  if (logits.start.length !== features.length || logits.end.length !== features.length) {
    throw new UnsupportedInputError({ source: 'QA logits', expected: `one start and one end row per feature (${features.length})`, found: `${logits.start.length} start, ${logits.end.length} end` });
  }
  if (!Number.isInteger(nBest) || nBest < 1) throw new InvalidConfigError({ field: 'nBest', value: nBest, reason: 'must be a positive integer' });
  const byExample = new Map<number, number[]>();
  features.forEach((f, i) => {
    const list = byExample.get(f.exampleIndex) ?? [];
    list.push(i);
    byExample.set(f.exampleIndex, list);
  });
  const predictions = new Map<string, string>();
  const nbest = new Map<string, QaCandidate[]>();
  const nullOdds = new Map<string, number>();
  examples.forEach((example, exampleIndex) => {
    let minNull: Prelim | null = null;
    const prelim: Prelim[] = [];
    for (const f of byExample.get(exampleIndex) ?? []) {
      const start = logits.start[f] as ArrayLike<number>;
      const end = logits.end[f] as ArrayLike<number>;
      const offsets = (features[f] as QaFeature).contextOffsets;
      const nullScore = (start[0] as number) + (end[0] as number);
      if (minNull === null || minNull.score > nullScore) minNull = { offsets: [0, 0], score: nullScore, startLogit: start[0] as number, endLogit: end[0] as number };
      for (const s of topIndices(start, nBest)) {
        for (const e of topIndices(end, nBest)) {
          if (s >= offsets.length || e >= offsets.length) continue;
          const so = offsets[s];
          const eo = offsets[e];
          if (so === null || so === undefined || eo === null || eo === undefined) continue;
          if (e < s || e - s + 1 > maxAnswerLength) continue;
          prelim.push({ offsets: [so[0], eo[1]], score: (start[s] as number) + (end[e] as number), startLogit: start[s] as number, endLogit: end[e] as number });
        }
      }
    }
    if (minNull === null) {
      throw new UnsupportedInputError({ source: `SQuAD example '${example.id}'`, expected: 'at least one feature', found: 'none' });
    }
    if (version2) prelim.push(minNull);
    // Stable sort, descending: equal scores keep their order, like Python's sorted(reverse=True).
    let kept = prelim
      .map((p, i) => ({ p, i }))
      .sort((a, b) => b.p.score - a.p.score || a.i - b.i)
      .slice(0, nBest)
      .map(({ p }) => p);
    if (version2 && !kept.some((p) => p.offsets[0] === 0 && p.offsets[1] === 0)) kept = [...kept, minNull];
    const context = codePointIndex(example.context);
    let withText = kept.map((p) => ({ ...p, text: context.slice(p.offsets[0], p.offsets[1]) }));
    if (withText.length === 0 || (withText.length === 1 && withText[0]?.text === '')) {
      withText = [{ offsets: [0, 0], score: 0, startLogit: 0, endLogit: 0, text: 'empty' }, ...withText];
    }
    const maxScore = Math.max(...withText.map((p) => p.score));
    const exp = withText.map((p) => Math.exp(p.score - maxScore));
    const total = exp.reduce((a, b) => a + b, 0);
    const candidates = withText.map((p, i) => ({ text: p.text, startLogit: p.startLogit, endLogit: p.endLogit, probability: (exp[i] as number) / total }));
    nbest.set(example.id, candidates);
    if (!version2) {
      predictions.set(example.id, (candidates[0] as QaCandidate).text);
      return;
    }
    const best = candidates.find((c) => c.text !== '');
    if (best === undefined) {
      // The reference loops past the end of the list here (IndexError); every candidate is empty, so "".
      predictions.set(example.id, '');
      nullOdds.set(example.id, Number.POSITIVE_INFINITY);
      return;
    }
    const diff = minNull.score - best.startLogit - best.endLogit;
    nullOdds.set(example.id, diff);
    predictions.set(example.id, diff > nullScoreDiffThreshold ? '' : best.text);
  });
  return { predictions, nbest, nullOdds };
}

/** Indices of the `n` largest values, largest first; ties: higher index first (numpy `argsort(x)[-1:-n-1:-1]` with a stable sort). */
function topIndices(values: ArrayLike<number>, n: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => (values[b] as number) - (values[a] as number) || b - a);
  return idx.slice(0, n);
}
