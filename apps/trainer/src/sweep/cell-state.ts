import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJson, runFiles, writeJsonAtomic } from '../run/run-folder.js';
import { checkpointSource } from '../train/train-state.js';
import type { RunResult } from '../run/run-result.js';
import type { Cell } from './grid.js';
import { sweepPaths } from './manifest.js';

/** One run of `adalora train` for a cell. */
export interface Attempt {
  /** 1-based over the cell's whole history (all sweep invocations). */
  n: number;
  /** `new`: from scratch (`--overwrite`); `resume`: from the run's last checkpoint (`--resume`). */
  mode: 'new' | 'resume';
  startedAt: string;
  host: string;
  /** The `adalora train` process. */
  pid?: number;
  /** `<array job>_<task>` when the attempt ran in a Slurm array task. */
  slurmJob?: string;
  /** Log of the attempt, relative to the sweep folder. */
  log: string;
  endedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** `interrupted`: the sweep (or the Slurm task) was stopped while it ran; not counted as a failure. */
  outcome?: 'done' | 'failed' | 'interrupted';
  /** For a failure: the trainer's error line (or the last line of its output). */
  message?: string;
}

/** `state/<cell>.json`: every attempt of a cell, oldest first. */
export interface CellRecord {
  cell: string;
  attempts: Attempt[];
}

/** What a cell is doing, from its run folder, its record, and (for Slurm) the queue. */
export type CellStateName = 'done' | 'running' | 'queued' | 'interrupted' | 'failed' | 'pending';

/** Where a cell's files are. */
export function cellPaths(sweepDir: string, cell: Cell) {
  const paths = sweepPaths(sweepDir);
  return {
    run: join(sweepDir, cell.dir),
    record: join(paths.state, `${cell.name}.json`),
    logDir: join(paths.logs, cell.name),
  };
}

/** The cell's record of attempts (empty when it never ran). */
export function readCellRecord(sweepDir: string, cell: Cell): CellRecord {
  const path = cellPaths(sweepDir, cell).record;
  if (!existsSync(path)) return { cell: cell.name, attempts: [] };
  return readJson<CellRecord>(path, 'a sweep cell record');
}

/** Writes the record atomically (a kill leaves the previous or the new record). */
export function writeCellRecord(sweepDir: string, cell: Cell, record: CellRecord): void {
  writeJsonAtomic(cellPaths(sweepDir, cell).record, record);
}

/** True when the run folder has a finished run (`result.json`). */
export function isFinished(runDir: string): boolean {
  return existsSync(join(runDir, runFiles.result));
}

/**
 * True when `adalora train --resume` can continue the run: its `config.json` and a complete checkpoint
 * (`checkpoint/state.json`, or `checkpoint.old/state.json`, which the trainer's atomic checkpoint swap
 * leaves if it was killed between its two renames; see train/train-state.ts).
 */
export function isResumable(runDir: string): boolean {
  if (!existsSync(join(runDir, runFiles.config))) return false;
  return checkpointSource(join(runDir, runFiles.checkpoint)) !== null;
}

/**
 * True when process `pid` exists and is not a zombie; on Linux also that its command line contains
 * `marker` (guards against a reused PID). Other systems check existence only.
 */
export function processRunning(pid: number, marker?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const proc = `/proc/${pid}`;
  if (!existsSync('/proc/self')) return true;
  try {
    const stat = readFileSync(`${proc}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return marker === undefined || readFileSync(`${proc}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** Slurm's view of one array task, when known. */
export interface SlurmTaskState {
  state: string;
  exitCode?: string;
  reason?: string;
}

/** The state of one cell and what it is based on. */
export interface CellStatus {
  cell: Cell;
  state: CellStateName;
  attempts: number;
  last?: Attempt;
  result?: RunResult;
  slurm?: SlurmTaskState;
}

const slurmActive = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'REQUEUED', 'RESIZING', 'SUSPENDED']);

/**
 * The state of a cell: `done` when its run folder has `result.json`; `running` when its last attempt
 * has not ended and its process (same host) or Slurm task is alive; `queued` when Slurm holds its task
 * pending; `failed` when the last attempt failed; `interrupted` when an attempt was stopped or its
 * folder holds an unfinished run; else `pending`.
 */
export function cellStatus(sweepDir: string, cell: Cell, slurm?: SlurmTaskState): CellStatus {
  const paths = cellPaths(sweepDir, cell);
  const record = readCellRecord(sweepDir, cell);
  const last = record.attempts[record.attempts.length - 1];
  const base = { cell, attempts: record.attempts.length, ...(last === undefined ? {} : { last }), ...(slurm === undefined ? {} : { slurm }) };
  if (isFinished(paths.run)) return { ...base, state: 'done', result: readJson<RunResult>(join(paths.run, runFiles.result), 'result.json of a run') };
  if (slurm !== undefined && slurm.state === 'PENDING') return { ...base, state: 'queued' };
  if (last !== undefined && last.endedAt === undefined) {
    const alive = last.slurmJob !== undefined
      ? slurm === undefined || slurmActive.has(slurm.state)
      : last.host !== hostname() || (last.pid !== undefined && processRunning(last.pid, paths.run));
    return { ...base, state: alive ? 'running' : 'interrupted' };
  }
  if (last?.outcome === 'failed') return { ...base, state: 'failed' };
  if (last?.outcome === 'interrupted') return { ...base, state: 'interrupted' };
  if (existsSync(paths.run) && readdirSync(paths.run).length > 0) return { ...base, state: 'interrupted' };
  return { ...base, state: 'pending' };
}
