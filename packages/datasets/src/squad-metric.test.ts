import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UnsupportedInputError } from '@adalora/core';
import { normalizeAnswer, pythonSplit } from './squad-normalize.js';
import { squadV1Metric, squadV1Scores } from './squad-v1-metric.js';
import type { SquadReference } from './squad-v1-metric.js';
import { squadV2GoldAnswers, squadV2Metric, squadV2RawScores } from './squad-v2-metric.js';
import type { DataWarning } from './warnings.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/golden/${name}`, import.meta.url), 'utf8'));
const v1 = load('squad_v1_cases.json') as {
  cases: Array<{
    id: string;
    prediction: string;
    gold_answers: string[];
    normalized_prediction: string;
    per_gold: Array<{ gold: string; normalized_gold: string; em: boolean; f1: number }>;
    exact_match: number;
    f1: number;
    metric_output: { exact_match: number; f1: number };
  }>;
  aggregates: Array<{ name: string; prediction_ids: string[]; reference_ids: string[]; result: { exact_match: number; f1: number } }>;
};
interface V2Case {
  id: string;
  prediction: string;
  gold_answers: string[];
  no_answer_probability: number;
  has_ans: boolean;
  gold_answers_used: string[];
  normalized_prediction: string;
  exact_raw: number;
  f1_raw: number;
}
const v2 = load('squad_v2_cases.json') as {
  cases: V2Case[];
  aggregates: Array<{
    name: string;
    no_answer_threshold: number;
    order: string[];
    cases?: Array<{ id: string; prediction: string; gold_answers: string[]; no_answer_probability: number }>;
    result: Record<string, number>;
    'result_threshold_0.5'?: Record<string, number>;
  }>;
};

const silent = () => {};

describe('SQuAD v1.1 against the official script (squad_v1_cases.json)', () => {
  for (const c of v1.cases) {
    it(`${c.id}`, () => {
      expect(normalizeAnswer(c.prediction)).toBe(c.normalized_prediction);
      for (const g of c.per_gold) expect(normalizeAnswer(g.gold)).toBe(g.normalized_gold);
      const scores = squadV1Scores(c.prediction, c.gold_answers);
      expect(scores.exactMatch).toBe(c.exact_match);
      expect(scores.f1).toBe(c.f1);
      const out = squadV1Metric([{ id: c.id, answers: { text: c.gold_answers } }], { [c.id]: c.prediction }, { onWarning: silent });
      expect(out).toEqual(c.metric_output);
    });
  }
  for (const a of v1.aggregates) {
    it(`aggregate ${a.name} (bit-identical)`, () => {
      const byId = new Map(v1.cases.map((c) => [c.id, c]));
      const references: SquadReference[] = a.reference_ids.map((id) => ({ id, answers: { text: byId.get(id)?.gold_answers ?? ['Nowhere Quay'] } }));
      const predictions = new Map(a.prediction_ids.map((id) => [id, byId.get(id)?.prediction ?? '']));
      const warnings: DataWarning[] = [];
      expect(squadV1Metric(references, predictions, { onWarning: (w) => warnings.push(w) })).toEqual(a.result);
      const missing = a.reference_ids.filter((id) => !a.prediction_ids.includes(id));
      expect(warnings.map((w) => w.ids)).toEqual(missing.length ? [missing] : []);
    });
  }
  it('an empty gold list is an error naming the question (the official script raises ValueError)', () => {
    expect(() => squadV1Metric([{ id: 'q-9', answers: { text: [] } }], { 'q-9': 'x' })).toThrow(/'q-9'.*at least one gold answer/);
  });
  it('predictions for unknown ids are ignored and reported', () => {
    const warnings: DataWarning[] = [];
    const out = squadV1Metric([{ id: 'a', answers: { text: ['Quay'] } }], { a: 'quay', zz: 'x' }, { onWarning: (w) => warnings.push(w) });
    expect(out).toEqual({ exact_match: 100, f1: 100 });
    expect(warnings).toMatchObject([{ code: 'unknown-prediction', ids: ['zz'] }]);
  });
});

describe('SQuAD v2.0 against the official script (squad_v2_cases.json)', () => {
  for (const c of v2.cases) {
    it(`${c.id} raw scores`, () => {
      expect(normalizeAnswer(c.prediction)).toBe(c.normalized_prediction);
      expect(squadV2GoldAnswers(c.gold_answers)).toEqual(c.gold_answers_used);
      expect(squadV2RawScores(c.prediction, c.gold_answers)).toEqual({ exact: c.exact_raw, f1: c.f1_raw });
    });
  }
  const byId = new Map(v2.cases.map((c) => [c.id, c]));
  for (const a of v2.aggregates) {
    it(`aggregate ${a.name}`, () => {
      const cases = a.cases ?? a.order.map((id) => byId.get(id) as V2Case);
      const ordered = a.order.map((id) => cases.find((c) => c.id === id) as (typeof cases)[number]);
      const references = ordered.map((c) => ({ id: c.id, answers: { text: c.gold_answers } }));
      const predictions = new Map(ordered.map((c) => [c.id, c.prediction]));
      const naProbs = new Map(ordered.map((c) => [c.id, c.no_answer_probability]));
      const out = squadV2Metric(references, predictions, { naProbs, noAnswerThreshold: a.no_answer_threshold, onWarning: silent });
      expect(out).toEqual(a.result);
      if (a['result_threshold_0.5']) {
        expect(squadV2Metric(references, predictions, { naProbs, noAnswerThreshold: 0.5 })).toEqual(a['result_threshold_0.5']);
      }
    });
  }
  it('without na_probs there is no best-threshold search (standalone script without --na-prob-file)', () => {
    const out = squadV2Metric([{ id: 'a', answers: { text: ['Quay'] } }, { id: 'b', answers: { text: [] } }], { a: 'Quay', b: '' });
    expect(out).toEqual({ exact: 100, f1: 100, total: 2, HasAns_exact: 100, HasAns_f1: 100, HasAns_total: 1, NoAns_exact: 100, NoAns_f1: 100, NoAns_total: 1 });
  });
  it('a reference without a prediction is an error listing it (the official script raises KeyError)', () => {
    const call = () => squadV2Metric([{ id: 'm-1', answers: { text: ['x'] } }, { id: 'm-2', answers: { text: [] } }], { 'm-1': 'x' });
    expect(call).toThrow(UnsupportedInputError);
    expect(call).toThrow(/1 missing: m-2/);
  });
});

describe('normalisation traps a naive port gets wrong', () => {
  it('Python whitespace: U+0085 and U+001F split, U+FEFF and U+200B do not', () => {
    expect(pythonSplit('a\u0085b\u001fc')).toEqual(['a', 'b', 'c']);
    expect(pythonSplit('a\uFEFFb\u200Bc')).toEqual(['a\uFEFFb\u200Bc']);
  });
  it('articles use Unicode word boundaries', () => {
    expect(normalizeAnswer('Ça va')).toBe('ça va');
    expect(normalizeAnswer('a\u0301 b')).toBe('\u0301 b');
    expect(normalizeAnswer('the-quay')).toBe('thequay');
  });
});
