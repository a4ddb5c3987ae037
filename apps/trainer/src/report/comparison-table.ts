import { adaloraConvention } from '@adalora/datasets';
import type { RunResult } from '../run/run-result.js';

/** One cell: the numbers shown (×100 for scores in [0, 1]) and the single score that enters the average. */
interface Cell {
  parts: Array<{ mean: number; std: number }>;
  score: { mean: number; std: number };
  seeds: number;
}

/** The study's table: rows = method/scorer, columns = tasks with their metrics, plus the average. */
export interface ComparisonTable {
  columns: Array<{ task: string; header: string }>;
  rows: Array<{ label: string; cells: Array<Cell | null>; average: { mean: number; std: number } | null }>;
  /** How GLUE tasks enter the average (the GLUE convention), or null when the table has no GLUE task. */
  convention: string | null;
}

const taskNames: Record<string, string> = {
  mnli: 'MNLI', sst2: 'SST-2', cola: 'CoLA', qqp: 'QQP', qnli: 'QNLI', rte: 'RTE', mrpc: 'MRPC', stsb: 'STS-B', wnli: 'WNLI',
  squad: 'SQuAD v1.1', squad_v2: 'SQuAD v2.0',
};
const metricNames: Record<string, string> = {
  accuracy: 'Acc', matthews_correlation: 'Mcc', pearson: 'Pearson', spearmanr: 'Spearman', f1: 'F1', exact_match: 'EM', exact: 'EM',
};

/** The row label of a run: `LoRA`, or `AdaLoRA (<scorer>)`. */
export function rowLabel(result: RunResult): string {
  return result.method === 'lora' ? 'LoRA' : `AdaLoRA (${result.scorer ?? 'sensitivity'})`;
}

/** Which (split, metric) pairs a task's cell shows, and which of them is its score. */
function cellSpec(result: RunResult): { header: string; parts: Array<{ split: string; key: string }>; score: 'mean' | number } {
  const name = taskNames[result.task] ?? result.task;
  const splits = Object.keys(result.evals);
  if (result.task === 'squad' || result.task === 'squad_v2') {
    const split = splits[0] as string;
    const em = 'exact_match' in (result.evals[split] ?? {}) ? 'exact_match' : 'exact';
    return { header: `${name} EM/F1`, parts: [{ split, key: em }, { split, key: 'f1' }], score: 1 };
  }
  const column = adaloraConvention.columns.find((c) => c.parts.some((p) => p.task === result.task || p.task.startsWith(`${result.task}_`)));
  if (column !== undefined) {
    const parts = column.parts.map((p) => ({ split: p.task.startsWith(`${result.task}_`) ? `validation_${p.task.slice(result.task.length + 1)}` : (splits[0] as string), key: p.key }));
    const metric = parts.length > 1 && parts.every((p) => p.key === parts[0]?.key) ? `${metricNames[parts[0]?.key ?? ''] ?? parts[0]?.key} m/mm` : parts.map((p) => metricNames[p.key] ?? p.key).join('/');
    return { header: `${column.name} ${metric}`, parts, score: 'mean' };
  }
  return { header: `${name} ${metricNames[result.primary.key] ?? result.primary.key}`, parts: [{ split: result.primary.split, key: result.primary.key }], score: 0 };
}

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * Groups runs by row label and task; every cell is the mean (± sample std over seeds) of the task's
 * metrics; the average is the mean over the row's tasks of each task's score (GLUE: the AdaLoRA-paper
 * convention's number for that task; SQuAD: F1; other tasks: their primary metric), over the tasks the
 * row has.
 */
export function buildComparisonTable(results: RunResult[]): ComparisonTable {
  const tasks = [...new Set(results.map((r) => r.task))];
  const labels = [...new Set(results.map(rowLabel))].sort((a, b) => (a === 'LoRA' ? -1 : b === 'LoRA' ? 1 : a.localeCompare(b)));
  const columns = tasks.map((task) => ({ task, header: cellSpec(results.find((r) => r.task === task) as RunResult).header }));
  const rows = labels.map((label) => {
    const cells = tasks.map((task): Cell | null => {
      const runs = results.filter((r) => r.task === task && rowLabel(r) === label);
      if (runs.length === 0) return null;
      const spec = cellSpec(runs[0] as RunResult);
      const perRun = runs.map((run) => spec.parts.map((p) => run.evals[p.split]?.[p.key] ?? Number.NaN));
      const parts = spec.parts.map((_, i) => meanStd(perRun.map((values) => values[i] as number)));
      const scores = perRun.map((values) => (spec.score === 'mean' ? values.reduce((a, b) => a + b, 0) / values.length : (values[spec.score] as number)));
      return { parts, score: meanStd(scores), seeds: runs.length };
    });
    const present = cells.filter((c): c is Cell => c !== null);
    const average = present.length > 0 ? { mean: present.reduce((a, c) => a + c.score.mean, 0) / present.length, std: 0 } : null;
    return { label, cells, average };
  });
  const hasGlue = tasks.some((task) => adaloraConvention.columns.some((c) => c.parts.some((p) => p.task === task || p.task.startsWith(`${task}_`))));
  return { columns, rows, convention: hasGlue ? adaloraConvention.statement : null };
}

function percent(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) <= 1 ? v * 100 : v).toFixed(2) : '–';
}

function formatCell(cell: Cell | null): string {
  if (cell === null) return '';
  return cell.parts.map((p) => (cell.seeds > 1 ? `${percent(p.mean)}±${percent(p.std)}` : percent(p.mean))).join('/');
}

/** The table as Markdown (scores ×100). */
export function comparisonMarkdown(table: ComparisonTable): string {
  const header = ['Method', ...table.columns.map((c) => c.header), 'Avg.'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of table.rows) {
    lines.push(`| ${[row.label, ...row.cells.map(formatCell), row.average === null ? '' : percent(row.average.mean)].join(' | ')} |`);
  }
  lines.push('', `Scores ×100; mean ± sample std over seeds where there are several. Average: mean over the row's tasks of each task's score.${table.convention === null ? '' : ` GLUE: ${table.convention}`}`);
  return `${lines.join('\n')}\n`;
}

/** The table as CSV: one line per (method, task, metric) with mean, std and the number of seeds. */
export function comparisonCsv(table: ComparisonTable, results: RunResult[]): string {
  const lines = ['method,task,metric,split,mean,std,seeds'];
  for (const row of table.rows) {
    table.columns.forEach((column, i) => {
      const cell = row.cells[i];
      if (cell === null || cell === undefined) return;
      const spec = cellSpec(results.find((r) => r.task === column.task) as RunResult);
      spec.parts.forEach((part, j) => {
        const value = cell.parts[j] as { mean: number; std: number };
        lines.push([JSON.stringify(row.label), column.task, part.key, part.split, value.mean, value.std, cell.seeds].join(','));
      });
    });
    if (row.average !== null) lines.push([JSON.stringify(row.label), 'average', 'score', '', row.average.mean, '', ''].join(','));
  }
  return `${lines.join('\n')}\n`;
}
