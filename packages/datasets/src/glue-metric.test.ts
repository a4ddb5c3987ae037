import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UnknownImplementationError, UnsupportedInputError } from '@adalora/core';
import { accuracy, binaryF1, matthewsCorrelation } from './classification-metrics.js';
import { averageRanks, pearson, spearman } from './correlation.js';
import { combinedScore, glueMetric } from './glue-metric.js';

interface Vector {
  config: string;
  name: string;
  predictions: number[];
  references: number[];
  expected: Record<string, number | null>;
  expected_alt_env: Record<string, number | null>;
  nan_keys: string[];
  expected_float64_inputs?: Record<string, number | null>;
}
const golden = JSON.parse(readFileSync(new URL('./__fixtures__/golden/glue_metrics.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

function expectClose(actual: number | undefined, expected: number | null, tolerance: number, nan: boolean): void {
  if (nan) {
    expect(actual).toBeNaN();
    return;
  }
  expect(typeof actual).toBe('number');
  if (tolerance === 0) expect(actual).toBe(expected);
  else expect(Math.abs((actual as number) - (expected as number))).toBeLessThanOrEqual(tolerance);
}

describe('glueMetric against the official evaluate goldens (glue_metrics.json)', () => {
  it('has all 28 vectors', () => expect(golden.vectors).toHaveLength(28));
  for (const v of golden.vectors) {
    it(`${v.config} ${v.name}`, () => {
      const result = glueMetric(v.config, v.predictions, v.references) as Record<string, number>;
      expect(Object.keys(result).sort()).toEqual(Object.keys(v.expected).sort());
      for (const [key, expected] of Object.entries(v.expected)) {
        const nan = v.nan_keys.includes(key);
        // README tolerances: exact for accuracy, 1e-12 for F1/MCC, 1e-6 for STS-B against `expected`
        // and `expected_alt_env` (float32 path).
        const tolerance = key === 'accuracy' ? 0 : v.config === 'stsb' ? 1e-6 : 1e-12;
        expectClose(result[key], expected, tolerance, nan);
        expectClose(result[key], v.expected_alt_env[key] ?? null, tolerance, nan);
        // Our STS-B path is environment A's (float32-rounded inputs, float64 arithmetic): it matches to 1e-12.
        if (v.config === 'stsb') expectClose(result[key], expected, 1e-12, nan);
      }
      if (v.expected_float64_inputs) {
        // The plain float64 functions on the raw inputs match scipy's float64 results to 1e-12.
        expectClose(pearson(v.predictions, v.references), v.expected_float64_inputs['pearson'] ?? null, 1e-12, v.nan_keys.includes('pearson'));
        expectClose(spearman(v.predictions, v.references), v.expected_float64_inputs['spearmanr'] ?? null, 1e-12, v.nan_keys.includes('spearmanr'));
      }
    });
  }
});

describe('hand-derived values', () => {
  it('accuracy, F1 and MCC on a 2x2 table TP=3 FP=1 FN=2 TN=4', () => {
    const refs = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
    const preds = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    expect(accuracy(preds, refs)).toBe(0.7);
    expect(binaryF1(preds, refs)).toBeCloseTo(6 / 9, 15); // 2·3 / (2·3 + 1 + 2)
    // (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (12 − 2)/sqrt(4·5·5·6)
    expect(matthewsCorrelation(preds, refs)).toBeCloseTo(10 / Math.sqrt(600), 14);
  });
  it('ranks ties by their average rank', () => {
    expect([...averageRanks([10, 20, 20, 30, 20])]).toEqual([1, 3, 3, 5, 3]);
    expect([...averageRanks([2, 1])]).toEqual([2, 1]);
  });
  it('Spearman is 1 for any monotone increasing relation and Pearson is not', () => {
    const x = [1, 2, 3, 4, 5];
    const y = x.map((v) => v ** 3);
    expect(spearman(x, y)).toBeCloseTo(1, 14);
    expect(pearson(x, y)).toBeLessThan(0.99);
  });
  it('combined_score is the mean of a multi-metric result and absent for one metric', () => {
    expect(combinedScore({ accuracy: 0.5, f1: 0.75 })).toBe(0.625);
    expect(combinedScore({ accuracy: 0.5 })).toBeUndefined();
  });
});

describe('bad input', () => {
  it('an unknown config lists the known ones', () => {
    expect(() => glueMetric('sst', [1], [1])).toThrow(UnknownImplementationError);
    expect(() => glueMetric('sst', [1], [1])).toThrow(/'sst2'/);
  });
  it('length mismatch, empty input, non-integer class, non-binary F1 label', () => {
    expect(() => accuracy([1, 0], [1])).toThrow(/as many predictions as references \(1\), found 2/);
    expect(() => accuracy([], [])).toThrow(UnsupportedInputError);
    expect(() => glueMetric('cola', [0.7, 1], [1, 1])).toThrow(/predictions\[0\]: expected an integer class id, found 0.7/);
    expect(() => glueMetric('mrpc', [2, 1], [1, 1])).toThrow(/f1 predictions\[0\]: expected a binary label 0 or 1, found 2/);
    expect(() => glueMetric('stsb', [Number.NaN, 1], [1, 2])).toThrow(/finite number/);
    expect(() => pearson([1], [1])).toThrow(/at least 2/);
  });
});
