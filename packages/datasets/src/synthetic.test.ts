import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@adalora/core';
import type { GlueExample } from './glue-configs.js';
import { glueMetric } from './glue-metric.js';
import { createAnswerChecker } from './squad-examples.js';
import { squadRowsFromJson } from './squad-json.js';
import { squadV2Metric } from './squad-v2-metric.js';
import { seededRandom, synthGlueRows, synthSquadJson } from './synthetic.js';
import type { DataWarning } from './warnings.js';

/** Bag-of-words features: one per (column, word). A model that sees only word counts. */
function features(row: GlueExample, columns: string[]): string[] {
  return columns.flatMap((c) => String(row[c]).split(' ').map((w) => `${c}:${w}`));
}

/** Plain logistic regression (classification) or least squares (regression) by SGD over bag-of-words. */
function trainLinear(rows: GlueExample[], columns: string[], regression: boolean): (row: GlueExample) => number {
  const weights = new Map<string, number>();
  let bias = 0;
  const score = (row: GlueExample) => features(row, columns).reduce((s, f) => s + (weights.get(f) ?? 0), bias);
  const predict = (row: GlueExample) => (regression ? score(row) : 1 / (1 + Math.exp(-score(row))));
  for (let epoch = 0; epoch < 30; epoch++) {
    for (const row of rows) {
      const step = 0.05 * (row.label - predict(row));
      bias += step;
      for (const f of features(row, columns)) weights.set(f, (weights.get(f) ?? 0) + step);
    }
  }
  return (row) => (regression ? score(row) : predict(row) > 0.5 ? 1 : 0);
}

describe('synthetic GLUE-format tasks', () => {
  it('are deterministic from the seed, differ across seeds and splits, and have the GLUE row shape', () => {
    expect(synthGlueRows('synth-sst2', 'train', { seed: 7, size: 50 })).toEqual(synthGlueRows('synth-sst2', 'train', { seed: 7, size: 50 }));
    expect(synthGlueRows('synth-sst2', 'train', { seed: 7, size: 50 })).not.toEqual(synthGlueRows('synth-sst2', 'train', { seed: 8, size: 50 }));
    expect(synthGlueRows('synth-sst2', 'train', { size: 50 })).not.toEqual(synthGlueRows('synth-sst2', 'validation', { size: 50 }));
    const [row] = synthGlueRows('synth-mrpc', 'validation', { size: 1 });
    expect(Object.keys(row ?? {}).sort()).toEqual(['idx', 'label', 'sentence1', 'sentence2']);
    expect(synthGlueRows('synth-stsb', 'train').length).toBe(2000);
  });
  it('the PRNG is mulberry32 (first outputs for seed 1 are fixed forever)', () => {
    const random = seededRandom(1);
    // mulberry32 with state 1: first three 32-bit outputs, computed with an independent Python port of the
    // reference C code (z = (a += 0x6D2B79F5); z = (z ^ z>>15) * (z|1); z ^= z + (z ^ z>>7) * (z|61); z ^ z>>14).
    expect([random(), random(), random()].map((x) => x * 2 ** 32)).toEqual([2693262067, 11749833, 2265367787]);
  });
  it('synth-sst2 labels are balanced and learnable by a bag-of-words linear model (validation accuracy ≥ 0.95)', () => {
    const train = synthGlueRows('synth-sst2', 'train');
    const validation = synthGlueRows('synth-sst2', 'validation');
    const share = train.filter((r) => r.label === 1).length / train.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    const model = trainLinear(train, ['sentence'], false);
    expect(glueMetric('sst2', validation.map(model), validation.map((r) => r.label)).accuracy).toBeGreaterThanOrEqual(0.95);
  });
  it('synth-mrpc is learnable the same way (validation accuracy ≥ 0.95)', () => {
    const train = synthGlueRows('synth-mrpc', 'train');
    const validation = synthGlueRows('synth-mrpc', 'validation');
    const model = trainLinear(train, ['sentence1', 'sentence2'], false);
    expect(glueMetric('mrpc', validation.map(model), validation.map((r) => r.label)).accuracy).toBeGreaterThanOrEqual(0.95);
  });
  it('synth-stsb scores cover 0–5 and a linear model reaches Pearson ≥ 0.9', () => {
    const train = synthGlueRows('synth-stsb', 'train');
    const validation = synthGlueRows('synth-stsb', 'validation');
    expect(new Set(train.map((r) => r.label))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    const model = trainLinear(train, ['sentence1', 'sentence2'], true);
    const result = glueMetric('stsb', validation.map(model), validation.map((r) => r.label));
    expect(result.pearson).toBeGreaterThanOrEqual(0.9);
  });
  it('bad options are errors naming the field', () => {
    expect(() => synthGlueRows('synth-sst2', 'dev')).toThrow(InvalidConfigError);
    expect(() => synthGlueRows('synth-sst2', 'train', { size: 0 })).toThrow(/'size'/);
  });
});

describe('synth-squad', () => {
  const doc = synthSquadJson('validation');
  const warnings: DataWarning[] = [];
  const rows = squadRowsFromJson(doc, 'synth', { onWarning: (w) => warnings.push(w) });
  it('has the SQuAD v2.0 JSON shape, the requested size, and answers that point at their text', () => {
    expect(doc.version).toBe('v2.0');
    expect(rows).toHaveLength(200);
    expect(warnings).toEqual([]);
    const checker = createAnswerChecker('plausible', (w) => warnings.push(w));
    for (const article of doc.data)
      for (const p of article.paragraphs)
        for (const qa of p.qas) {
          expect(qa.is_impossible).toBe(qa.answers.length === 0);
          if (qa.is_impossible) checker.check({ id: qa.id, title: '', context: p.context, question: qa.question, answers: { text: (qa.plausible_answers ?? []).map((a) => a.text), answer_start: (qa.plausible_answers ?? []).map((a) => a.answer_start) } });
        }
    checker.finish();
    expect(warnings).toEqual([]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(synthSquadJson('validation')).toEqual(doc);
  });
  it('about a quarter of the questions are unanswerable', () => {
    const share = rows.filter((r) => r.answers.text.length === 0).length / rows.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.35);
  });
  it('a simple reader that matches the question against the context solves it (the labels are learnable)', () => {
    const predictions = new Map<string, string>();
    for (const row of rows) {
      const who = /^Who (\w+) the (\w+)\?$/.exec(row.question);
      const where = /^Where was the (\w+) (\w+)\?$/.exec(row.question);
      const object = who?.[2] ?? where?.[1];
      const sentence = row.context.split('. ').find((s) => s.includes(` the ${object} `));
      const words = sentence?.replace(/\.$/, '').split(' ');
      predictions.set(row.id, words === undefined ? '' : who ? (words[0] ?? '') : (words[words.length - 1] ?? ''));
    }
    const result = squadV2Metric(rows, predictions);
    expect(result.exact).toBe(100);
  });
});
