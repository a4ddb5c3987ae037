import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { readJson, readMetrics, runFiles } from '../run/run-folder.js';
import type { RunResult } from '../run/run-result.js';
import { buildComparisonTable, comparisonCsv, comparisonMarkdown, rowLabel } from './comparison-table.js';
import { lineChartSvg, smooth, type Series } from './line-chart.js';
import { rankHeatmapSvg } from './rank-heatmap.js';

/** A finished run as the report sees it. */
export interface ReportedRun {
  dir: string;
  result: RunResult;
  metrics: Array<Record<string, unknown>>;
}

/** Reads the finished runs among `dirs` (a folder without `result.json` is an error naming it). */
export function readRuns(dirs: string[]): ReportedRun[] {
  if (dirs.length === 0) throw new UnsupportedInputError({ source: 'adalora report', expected: 'at least one run folder' });
  return dirs.map((dir) => {
    if (!existsSync(join(dir, runFiles.result))) {
      throw new UnsupportedInputError({ source: dir, expected: `a finished run folder with ${runFiles.result}`, found: existsSync(dir) ? 'no result.json (unfinished or failed run)' : 'no such folder' });
    }
    return { dir, result: readJson<RunResult>(join(dir, runFiles.result), 'result.json of a run'), metrics: readMetrics(dir) };
  });
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * Writes `report.md`, `results.csv`, one rank heat-map per (method, task) and training curves per task
 * (loss, eval metric, budget) into `outDir`. Returns the Markdown.
 */
export function writeReport(runs: ReportedRun[], outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const results = runs.map((r) => r.result);
  const table = buildComparisonTable(results);
  const markdown = comparisonMarkdown(table);
  writeFileSync(join(outDir, 'results.csv'), comparisonCsv(table, results));
  const figures: string[] = [];

  for (const task of [...new Set(results.map((r) => r.task))]) {
    const taskRuns = runs.filter((r) => r.result.task === task);
    const seen = new Set<string>();
    for (const run of taskRuns) {
      const label = rowLabel(run.result);
      if (run.result.method !== 'adalora' || seen.has(label) || Object.keys(run.result.finalRanks).length === 0) continue;
      seen.add(label);
      const file = `ranks-${slug(task)}-${slug(label)}.svg`;
      writeFileSync(join(outDir, file), rankHeatmapSvg(run.result.finalRanks, run.result.initR, `Final rank per matrix: ${label}, ${task} (seed ${run.result.seed})`));
      figures.push(`![${label} ranks](${file})`);
    }
    const series = (key: string) => taskRuns.map((run): Series => ({
      label: `${rowLabel(run.result)} s${run.result.seed}`,
      points: run.metrics.filter((m) => typeof m[key] === 'number' && typeof m.step === 'number').map((m) => [m.step as number, m[key] as number]),
    })).filter((s) => s.points.length > 0);
    const charts: Array<[string, string, string]> = [['loss', 'training loss (EMA 0.9)', 'loss'], ['eval', `eval ${taskRuns[0]?.result.primary.key ?? ''}`, 'eval_primary'], ['budget', 'rank budget b(t)', 'budget']];
    for (const [name, yLabel, key] of charts) {
      const lines = key === 'loss' ? series(key).map((s) => ({ ...s, points: smooth(s.points) })) : series(key);
      if (lines.length === 0) continue;
      const file = `${name}-${slug(task)}.svg`;
      writeFileSync(join(outDir, file), lineChartSvg(lines, { title: `${task}: ${yLabel}`, xLabel: 'optimizer step', yLabel }));
      figures.push(`![${task} ${name}](${file})`);
    }
  }
  const report = ['# AdaLoRA score-function comparison', '', markdown, '## Figures', '', ...figures.map((f) => `${f}\n`)].join('\n');
  writeFileSync(join(outDir, 'report.md'), report);
  return markdown;
}
