import { UnsupportedInputError } from '@adalora/core';
import { cellStatus, type CellStateName, type CellStatus, type SlurmTaskState } from './cell-state.js';
import { readManifest, type SweepManifest } from './manifest.js';
import { readSubmissions, slurmJobState, slurmTaskStates, type Submission } from './slurm.js';

/** `adalora sweep status`: every cell's state, counts, and the latest Slurm submission if any. */
export interface SweepStatus {
  dir: string;
  name: string;
  cells: CellStatus[];
  counts: Record<CellStateName, number>;
  slurm?: {
    submission: Submission;
    /** The report job's state, or `unknown` when Slurm no longer knows it. */
    reportJob: string;
    /** Why the queue could not be asked (the Slurm client is missing), if so. */
    note?: string;
  };
}

/**
 * Reads the state of a sweep from its run folders and cell records and, when it was submitted to
 * Slurm, from `scontrol` (per array task; no accounting database needed). A missing Slurm client
 * leaves the Slurm column out and says so.
 */
export function sweepStatus(dir: string): SweepStatus {
  const manifest: SweepManifest = readManifest(dir);
  const submission = readSubmissions(dir).pop();
  let tasks: Map<number, SlurmTaskState> | undefined;
  let reportJob = 'unknown';
  let note: string | undefined;
  if (submission !== undefined) {
    try {
      tasks = slurmTaskStates(submission.arrayJob);
      const report = slurmJobState(submission.reportJob);
      reportJob = report === undefined ? 'unknown (no longer in Slurm)' : `${report.state}${report.reason === undefined ? '' : ` (${report.reason})`}`;
    } catch (error) {
      if (!UnsupportedInputError.isInstance(error)) throw error;
      note = `the Slurm queue was not asked: ${error.message}`;
    }
  }
  const cells = manifest.cells.map((cell) => {
    const submitted = submission?.indices.includes(cell.index) === true;
    const slurm = tasks === undefined || !submitted ? undefined : tasks.get(cell.index) ?? { state: 'ENDED' };
    return cellStatus(dir, cell, slurm);
  });
  const counts = { done: 0, running: 0, queued: 0, interrupted: 0, failed: 0, pending: 0 } as Record<CellStateName, number>;
  for (const cell of cells) counts[cell.state]++;
  return {
    dir, name: manifest.name, cells, counts,
    ...(submission === undefined ? {} : { slurm: { submission, reportJob, ...(note === undefined ? {} : { note }) } }),
  };
}

function detail(status: CellStatus): string {
  if (status.result !== undefined) return `${status.result.primary.key} ${status.result.primary.value.toFixed(4)}`;
  if (status.state === 'failed' || status.state === 'interrupted') return status.last?.message ?? (status.last?.log === undefined ? '' : `log: ${status.last.log}`);
  if (status.state === 'running' && status.last !== undefined) return `attempt ${status.last.n} (${status.last.mode}) since ${status.last.startedAt}`;
  return status.slurm?.reason ?? '';
}

/** The status as a plain-text table (one line per cell) with a summary line on top. */
export function formatStatus(status: SweepStatus): string {
  const counts = Object.entries(status.counts).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`).join(', ');
  const lines = [`sweep ${status.name} (${status.cells.length} cells) in ${status.dir}: ${counts}`];
  if (status.slurm !== undefined) {
    const s = status.slurm;
    lines.push(`slurm: array job ${s.submission.arrayJob} (${s.submission.indices.length} cells, submitted ${s.submission.submittedAt}), report job ${s.submission.reportJob}: ${s.reportJob}`);
    if (s.note !== undefined) lines.push(`slurm: ${s.note}`);
  }
  const withSlurm = status.slurm !== undefined;
  const rows = status.cells.map((c) => [c.cell.name, c.state, String(c.attempts), ...(withSlurm ? [c.slurm?.state ?? '-'] : []), detail(c)]);
  const header = ['cell', 'state', 'attempts', ...(withSlurm ? ['slurm'] : []), 'result / last message'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (row: string[]) => row.map((v, i) => (i === row.length - 1 ? v : v.padEnd(widths[i] as number))).join('  ').trimEnd();
  lines.push('', format(header), ...rows.map(format));
  return `${lines.join('\n')}\n`;
}
