import { describe, expect, it } from 'vitest';
import type { RunResult } from '../run/run-result.js';
import { buildComparisonTable, comparisonCsv, comparisonMarkdown } from './comparison-table.js';
import { layerAndModule, rankHeatmapSvg } from './rank-heatmap.js';
import { ticks } from './line-chart.js';

function run(partial: Partial<RunResult> & Pick<RunResult, 'task' | 'method' | 'evals'>): RunResult {
  return {
    model: 'm', scorer: partial.method === 'lora' ? null : 'sensitivity', seed: 1, engine: 'cpu', steps: 10,
    primary: { split: 'validation', key: 'accuracy', value: 0 }, finalRanks: {}, initR: 8, trainableParameters: 1, trainSeconds: 1,
    ...partial,
  };
}

describe('comparison table', () => {
  const results = [
    run({ task: 'sst2', method: 'lora', evals: { validation: { accuracy: 0.9 } } }),
    run({ task: 'sst2', method: 'adalora', seed: 1, evals: { validation: { accuracy: 0.92 } } }),
    run({ task: 'sst2', method: 'adalora', seed: 2, evals: { validation: { accuracy: 0.94 } } }),
    run({ task: 'mnli', method: 'adalora', evals: { validation_matched: { accuracy: 0.8 }, validation_mismatched: { accuracy: 0.9 } } }),
    run({ task: 'mnli', method: 'lora', evals: { validation_matched: { accuracy: 0.7 }, validation_mismatched: { accuracy: 0.8 } } }),
  ];

  it('averages seeds, shows MNLI m/mm, and averages task scores by the AdaLoRA convention', () => {
    const table = buildComparisonTable(results);
    expect(table.columns.map((c) => c.header)).toEqual(['SST-2 Acc', 'MNLI Acc m/mm']);
    expect(table.rows.map((r) => r.label)).toEqual(['LoRA', 'AdaLoRA (sensitivity)']);
    // AdaLoRA SST-2: mean(0.92, 0.94) = 0.93, sample std = √((0.01² + 0.01²)/1) = 0.014142…
    const cell = table.rows[1]?.cells[0];
    expect(cell?.parts[0]?.mean).toBeCloseTo(0.93, 12);
    expect(cell?.parts[0]?.std).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    // Averages: LoRA (0.9 + (0.7+0.8)/2)/2 = 0.825; AdaLoRA (0.93 + 0.85)/2 = 0.89.
    expect(table.rows[0]?.average?.mean).toBeCloseTo(0.825, 12);
    expect(table.rows[1]?.average?.mean).toBeCloseTo(0.89, 12);
    const markdown = comparisonMarkdown(table);
    expect(markdown).toContain('| LoRA | 90.00 | 70.00/80.00 | 82.50 |');
    expect(markdown).toContain('| AdaLoRA (sensitivity) | 93.00±1.41 | 80.00/90.00 | 89.00 |');
    expect(markdown).toContain('MNLI = mean(matched acc, mismatched acc)');
    const csv = comparisonCsv(table, results).split('\n');
    const line = csv.find((l) => l.startsWith('"AdaLoRA (sensitivity)",sst2,'))?.split(',') ?? [];
    expect(line.slice(0, 4)).toEqual(['"AdaLoRA (sensitivity)"', 'sst2', 'accuracy', 'validation']);
    expect(Number(line[4])).toBeCloseTo(0.93, 12);
    expect(Number(line[5])).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(line[6]).toBe('2');
  });
});

describe('rank heat-map', () => {
  it('parses layer and module from HF names', () => {
    expect(layerAndModule('deberta.encoder.layer.11.attention.self.query_proj')).toEqual({ layer: 11, module: 'attention.self.query_proj' });
    expect(layerAndModule('layers.0.proj')).toEqual({ layer: 0, module: 'proj' });
    expect(layerAndModule('classifier')).toBeNull();
  });

  it('draws one cell per matrix with its rank', () => {
    const svg = rankHeatmapSvg({ 'encoder.layer.0.q': 3, 'encoder.layer.0.v': 0, 'encoder.layer.1.q': 8, 'encoder.layer.1.v': 5 }, 8, 'ranks');
    expect(svg.match(/<rect x="\d+" y="\d+" width="32"/g)?.length).toBe(4);
    for (const rank of ['3', '0', '8', '5']) expect(svg).toContain(`>${rank}</text>`);
    expect(svg.startsWith('<svg')).toBe(true);
  });
});

describe('chart ticks', () => {
  it('picks round steps', () => {
    expect(ticks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(ticks(0.3, 0.72)).toEqual([0.3, 0.4, 0.5, 0.6, 0.7]);
  });
});

describe('smoothing', () => {
  it('is the debiased EMA: first point unchanged, then β-weighted', async () => {
    const { smooth } = await import('./line-chart.js');
    const out = smooth([[1, 1], [2, 0]], 0.5);
    expect(out[0]).toEqual([1, 1]);
    // (0.5·0.5·1 + 0.5·0) / (1 − 0.25) = 0.25 / 0.75
    expect(out[1]?.[1]).toBeCloseTo(1 / 3, 12);
  });
});

describe('convention statement', () => {
  it('is stated only when a GLUE task is in the table', () => {
    const synthetic = buildComparisonTable([run({ task: 'synth-sst2', method: 'lora', evals: { validation: { accuracy: 0.8 } }, primary: { split: 'validation', key: 'accuracy', value: 0.8 } })]);
    expect(synthetic.convention).toBeNull();
    expect(comparisonMarkdown(synthetic)).not.toContain('GLUE:');
  });
});
