import { describe, expect, it } from 'vitest';
import { collateQa, featurizeQa } from './qa-features.js';
import { postprocessQa } from './qa-postprocess.js';
import type { SquadExample } from './squad-examples.js';
import { squadV2Metric } from './squad-v2-metric.js';
import { id, toyTokenizer } from './testing/toy-tokenizer.js';

const tokenizer = toyTokenizer('bert');
// Context tokens a..j at code points 0,2,...,18; question "q r" is 2 tokens.
const context = 'a b c d e f g h i j';
const example = (qid: string, text: string | null, question = 'q r'): SquadExample => ({
  id: qid,
  title: 'T',
  context,
  question,
  answers: text === null ? { text: [], answer_start: [] } : { text: [text], answer_start: [context.indexOf(text)] },
});
// maxLength 10, stride 2 → room 10 − 2 − 3 = 5, windows over context tokens [0,5) [3,8) [6,10).
const options = { tokenizer, maxLength: 10, docStride: 2 };

describe('featurizeQa windows and labels (hand-derived, run_qa.py rules)', () => {
  it('three windows with the question repeated, [CLS] q [SEP] window [SEP] + padding', () => {
    const features = featurizeQa([example('x', 'e f')], options);
    expect(features).toHaveLength(3);
    expect(features[1]?.encoding.ids).toEqual([1, id('q'), id('r'), 2, ...'defgh'.split('').map(id), 2]);
    expect(features[2]?.encoding.ids).toEqual([1, id('q'), id('r'), 2, ...'ghij'.split('').map(id), 2, 0]);
    expect(features[2]?.encoding.attentionMask).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect(features[2]?.encoding.typeIds).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 0]);
    expect(features[1]?.contextOffsets).toEqual([null, null, null, null, [6, 7], [8, 9], [10, 11], [12, 13], [14, 15], null]);
    expect(features.map((f) => f.exampleIndex)).toEqual([0, 0, 0]);
  });
  it('an answer not entirely inside a window is labelled CLS there and spans its tokens where it fits', () => {
    // "e f": window 0 ends at e (straddles) → CLS; window 1 has d e f g h at positions 4..8 → (5, 6); window 2 starts at g → CLS.
    expect(featurizeQa([example('x', 'e f')], options).map((f) => [f.startPosition, f.endPosition])).toEqual([
      [0, 0],
      [5, 6],
      [0, 0],
    ]);
  });
  it('impossible questions are labelled CLS in every window', () => {
    expect(featurizeQa([example('x', null)], options).map((f) => [f.startPosition, f.endPosition])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });
  it("last context token: the reference's start scan runs onto [SEP]/padding; the fix stops at the last context token", () => {
    // "h" is the last context token of window 1 (position 8; [SEP] at 9).
    const fixed = featurizeQa([example('x', 'h')], options).map((f) => [f.startPosition, f.endPosition]);
    const reference = featurizeQa([example('x', 'h')], { ...options, lastContextTokenFix: false }).map((f) => [f.startPosition, f.endPosition]);
    expect(fixed).toEqual([
      [0, 0],
      [8, 8],
      [5, 5],
    ]);
    expect(reference).toEqual([
      [0, 0],
      [9, 8], // start on [SEP] (len − 1), start > end: run_qa.py's label
      [5, 5],
    ]);
    // "j" is the last context token of window 2, which is padded: the reference start lands on padding (max_len − 1).
    expect(featurizeQa([example('y', 'j')], { ...options, lastContextTokenFix: false })[2]).toMatchObject({ startPosition: 9, endPosition: 7 });
    expect(featurizeQa([example('y', 'j')], options)[2]).toMatchObject({ startPosition: 7, endPosition: 7 });
  });
  it('an answer inside a word maps to the containing token; answer_start counts code points (emoji before it)', () => {
    const ctx = 'x 😀 in 1790s by cd';
    // code points: x0 ' '1 😀2 ' '3 i4 n5 ' '6 '1790'7-10 s11 ' '12 b13 y14 ' '15 c16 d17
    const ex: SquadExample = { id: 'e', title: '', context: ctx, question: 'when', answers: { text: ['1790', 'cd'], answer_start: [7, 16] } };
    const [f] = featurizeQa([ex], { tokenizer, maxLength: 16, docStride: 2 });
    // [CLS] when [SEP] x 😀 in 1790 s by cd [SEP]: "1790" is position 6
    expect([f?.startPosition, f?.endPosition]).toEqual([6, 6]);
    const cd: SquadExample = { ...ex, answers: { text: ['cd'], answer_start: [16] } };
    const [g] = featurizeQa([cd], { tokenizer, maxLength: 16, docStride: 2 });
    expect([g?.startPosition, g?.endPosition]).toEqual([9, 9]);
  });
  it('strips leading whitespace of the question (Python lstrip) before tokenizing', () => {
    const [a] = featurizeQa([example('x', 'c', '\u3000 \tq r')], options);
    const [b] = featurizeQa([example('x', 'c')], options);
    expect(a?.encoding.ids).toEqual(b?.encoding.ids);
  });
  it('collateQa stacks features with labels; padding longest trims to the longest mask', () => {
    const features = featurizeQa([example('x', 'e f')], options);
    const batch = collateQa(features, 0);
    expect([batch.batchSize, batch.seqLength]).toEqual([3, 10]);
    expect([...batch.startPositions]).toEqual([0, 5, 0]);
    expect(collateQa([features[2] as (typeof features)[number]], 0, 'longest').seqLength).toBe(9);
  });
});

function logitsFor(length: number, values: Record<number, number>): number[] {
  return Array.from({ length }, (_, i) => values[i] ?? 0);
}

describe('postprocessQa (utils_qa.postprocess_qa_predictions rules, hand-derived logits)', () => {
  // One window: [CLS] q [SEP] a b c d e [SEP] pad pad pad; context tokens at positions 3..7.
  const ctx = 'a b c d e';
  const ex: SquadExample = { id: 'p', title: '', context: ctx, question: 'q', answers: { text: ['c d'], answer_start: [4] } };
  const features = featurizeQa([ex], { tokenizer, maxLength: 12, docStride: 2 });
  const start = logitsFor(12, { 0: 6, 4: 3, 5: 5 });
  const end = logitsFor(12, { 0: 5, 5: 1, 6: 4 });

  it('v1 answers the best context span: c(5)+d(4) = 9 → "c d"', () => {
    const out = postprocessQa([ex], features, { start: [start], end: [end] });
    expect(out.predictions.get('p')).toBe('c d');
    const nbest = out.nbest.get('p') ?? [];
    expect(nbest.slice(0, 3).map((c) => [c.text, c.startLogit + c.endLogit])).toEqual([
      ['c d', 9],
      ['b c d', 7],
      ['c', 6],
    ]);
    // Softmax of the kept scores: p(c d)/p(b c d) = e^2.
    expect((nbest[0]?.probability ?? 0) / (nbest[1]?.probability ?? 1)).toBeCloseTo(Math.exp(2), 12);
    expect(nbest.reduce((s, c) => s + c.probability, 0)).toBeCloseTo(1, 12);
    expect(out.nullOdds.size).toBe(0);
  });
  it('maxAnswerLength 1 keeps single tokens only: "c"', () => {
    expect(postprocessQa([ex], features, { start: [start], end: [end] }, { maxAnswerLength: 1 }).predictions.get('p')).toBe('c');
  });
  it('v2: null score 6+5 = 11 beats the best span 9 by 2: answer "" unless the threshold is above 2', () => {
    const v2 = postprocessQa([ex], features, { start: [start], end: [end] }, { version2: true });
    expect(v2.predictions.get('p')).toBe('');
    expect(v2.nullOdds.get('p')).toBe(2);
    expect(v2.nbest.get('p')?.[0]?.text).toBe('');
    expect(postprocessQa([ex], features, { start: [start], end: [end] }, { version2: true, nullScoreDiffThreshold: 2.5 }).predictions.get('p')).toBe('c d');
    // null_odds feed the official best-threshold search as na_probs.
    const metric = squadV2Metric([{ id: 'p', answers: { text: ['c d'] } }], v2.predictions, { naProbs: v2.nullOdds });
    expect(metric).toMatchObject({ exact: 0, best_exact: 0, best_exact_thresh: 0 });
  });
  it('v2 keeps the minimum null score over the windows', () => {
    const unanswerable = example('m', null);
    const windows = featurizeQa([unanswerable], options);
    expect(windows).toHaveLength(3);
    // Null scores: window 0 6+5 = 11, window 1 1+2 = 3, window 2 6+5 = 11 → min 3.
    // Best span: window 0 (a..e at positions 4..8), start "b" (5) + end "c" (6) = 4 + 4 = 8 → diff 3 − 8 = −5.
    const s = windows.map((_, k) => logitsFor(10, { 0: k === 1 ? 1 : 6, 5: k === 0 ? 4 : 0 }));
    const e = windows.map((_, k) => logitsFor(10, { 0: k === 1 ? 2 : 5, 6: k === 0 ? 4 : 0 }));
    const out = postprocessQa([unanswerable], windows, { start: s, end: e }, { version2: true });
    expect(out.predictions.get('m')).toBe('b c');
    expect(out.nullOdds.get('m')).toBe(-5);
  });
  it('no valid candidate gives the literal answer "empty" (reference quirk)', () => {
    // nBest 1: the top start and end are both CLS (not context) → no candidate.
    const out = postprocessQa([ex], features, { start: [start], end: [end] }, { nBest: 1 });
    expect(out.predictions.get('p')).toBe('empty');
    expect(out.nbest.get('p')).toEqual([{ text: 'empty', startLogit: 0, endLogit: 0, probability: 1 }]);
  });
  it('extracts text by code points (emoji before the answer)', () => {
    const emoji: SquadExample = { id: 'u', title: '', context: '😀 ab cd', question: 'q', answers: { text: ['cd'], answer_start: [5] } };
    const f = featurizeQa([emoji], { tokenizer, maxLength: 10, docStride: 2 });
    // [CLS] q [SEP] 😀 ab cd [SEP]: "cd" at position 5
    const out = postprocessQa([emoji], f, { start: [logitsFor(10, { 5: 3 })], end: [logitsFor(10, { 5: 3 })] });
    expect(out.predictions.get('u')).toBe('cd');
  });
  it('logits that do not match the features are an error', () => {
    expect(() => postprocessQa([ex], features, { start: [], end: [] })).toThrow(/one start and one end row per feature \(1\)/);
  });
});
