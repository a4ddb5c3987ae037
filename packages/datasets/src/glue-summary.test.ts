import { describe, expect, it } from 'vitest';
import { UnsupportedInputError } from '@adalora/core';
import { adaloraConvention, bertPaperConvention, glueLeaderboardConvention, glueSummary, loraPaperConvention } from './glue-summary.js';

// BERT-large's published GLUE test row (metrics.md §1.4): the leaderboard average of these is 80.5 and the
// BERT paper's Table 1 average is 82.1.
const bertLarge = {
  cola: { matthews_correlation: 60.5 },
  sst2: { accuracy: 94.9 },
  mrpc: { f1: 89.3, accuracy: 85.4 },
  stsb: { pearson: 87.6, spearmanr: 86.5 },
  qqp: { f1: 72.1, accuracy: 89.3 },
  mnli_matched: { accuracy: 86.7 },
  mnli_mismatched: { accuracy: 85.9 },
  qnli: { accuracy: 92.7 },
  rte: { accuracy: 70.1 },
  wnli: { accuracy: 65.1 },
};

describe('glueSummary', () => {
  it('reproduces the GLUE leaderboard score of BERT-large (80.5)', () => {
    const s = glueSummary(bertLarge, glueLeaderboardConvention);
    expect(s.columns).toHaveLength(9);
    expect(s.average).toBeCloseTo(724.7 / 9, 10);
    expect(s.average.toFixed(1)).toBe('80.5');
  });
  it('reproduces the BERT paper Table 1 average (82.1)', () => {
    const s = glueSummary(bertLarge, bertPaperConvention);
    expect(s.average.toFixed(1)).toBe('82.1');
    expect(s.columns.map((c) => c.name)).toEqual(['MNLI-m', 'MNLI-mm', 'QQP', 'QNLI', 'SST-2', 'CoLA', 'STS-B', 'MRPC', 'RTE']);
  });
  it('the AdaLoRA convention averages 8 columns: MNLI m/mm mean, MRPC/QQP accuracy, STS-B Pearson, no WNLI', () => {
    const s = glueSummary(bertLarge, adaloraConvention);
    const byName = Object.fromEntries(s.columns.map((c) => [c.name, c.value]));
    expect({ ...byName, MNLI: undefined }).toEqual({ MNLI: undefined, 'SST-2': 94.9, CoLA: 60.5, QQP: 89.3, QNLI: 92.7, RTE: 70.1, MRPC: 85.4, 'STS-B': 87.6 });
    expect(byName['MNLI']).toBeCloseTo(86.3, 12);
    expect(s.average).toBeCloseTo((86.3 + 94.9 + 60.5 + 89.3 + 92.7 + 70.1 + 85.4 + 87.6) / 8, 10);
    expect(s.statement).toMatch(/MRPC acc/);
    expect(glueSummary(bertLarge, loraPaperConvention).average).toBeCloseTo(s.average, 12);
  });
  it('a missing task is an error naming it, or left out and listed with allowMissing', () => {
    const { wnli: _wnli, ...noWnli } = bertLarge;
    expect(() => glueSummary(noWnli, glueLeaderboardConvention)).toThrow(UnsupportedInputError);
    expect(() => glueSummary(noWnli, glueLeaderboardConvention)).toThrow(/column WNLI: expected results.wnli.accuracy, found no 'wnli' result/);
    const partial = glueSummary(noWnli, glueLeaderboardConvention, { allowMissing: true });
    expect(partial.missing).toEqual(['WNLI']);
    expect(partial.columns).toHaveLength(8);
  });
});
