import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { InvalidConfigError } from '@adalora/core';
import { processRunning } from './cell-state.js';
import type { Cell } from './grid.js';
import { sweepPaths } from './manifest.js';
import { runCell, stopOnSignals, type CellEvent, type CellOutcome, type TrainerCommand } from './run-cell.js';

/** How the local executor runs. */
export interface LocalExecutorOptions {
  sweepDir: string;
  cells: Cell[];
  /** Cells run at once, each in its own process. */
  workers: number;
  retries: number;
  trainer: TrainerCommand;
  onEvent?: (event: CellEvent) => void;
}

/** What a local run did, and whether it was stopped by a signal. */
export interface LocalRunSummary {
  outcomes: CellOutcome[];
  /** The signal that stopped the sweep, if one did. */
  stoppedBy?: NodeJS.Signals;
}

/**
 * The local sweep holding `sweep.lock` in `sweepDir`, if its process is alive (on another host it is
 * taken as alive: this host cannot tell). A lock left by a killed sweep, or torn by a kill mid-write,
 * is stale: undefined.
 */
export function lockHolder(sweepDir: string): { pid: number; host: string } | undefined {
  const path = sweepPaths(sweepDir).lock;
  if (!existsSync(path)) return undefined;
  let holder: { pid?: number; host?: string } = {};
  try {
    holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
  } catch {
    return undefined;
  }
  if (holder.pid === undefined || holder.host === undefined) return undefined;
  return holder.host !== hostname() || processRunning(holder.pid) ? { pid: holder.pid, host: holder.host } : undefined;
}

/**
 * Takes `sweep.lock` (atomically, `O_EXCL`) for this process. A stale lock is taken over; a live one
 * means another sweep runs in the folder: refused.
 */
function acquireLock(sweepDir: string): () => void {
  const path = sweepPaths(sweepDir).lock;
  mkdirSync(dirname(path), { recursive: true });
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() })}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(sweepDir);
      if (holder !== undefined) {
        throw new InvalidConfigError({ field: 'out', value: sweepDir, reason: `another sweep (pid ${holder.pid} on ${holder.host}) is running in this folder; wait for it or stop it first` });
      }
      rmSync(path, { force: true });
    }
  }
  throw new InvalidConfigError({ field: 'out', value: sweepDir, reason: 'could not take the sweep lock (sweep.lock keeps reappearing)' });
}

/**
 * Runs the cells on this machine with `workers` cells at a time, each cell its own `adalora train`
 * process (a crash or OOM loses that attempt, not the sweep). SIGINT/SIGTERM stop it cleanly: running
 * cells get SIGTERM and are recorded as interrupted (resumed on the next run), no new cell starts.
 */
export async function runLocal(options: LocalExecutorOptions): Promise<LocalRunSummary> {
  const release = acquireLock(options.sweepDir);
  const signals = stopOnSignals();
  try {
    const queue = [...options.cells];
    const outcomes: CellOutcome[] = [];
    const worker = async () => {
      for (let cell = queue.shift(); cell !== undefined && !signals.stopping(); cell = queue.shift()) {
        const outcome = await runCell({
          sweepDir: options.sweepDir, cell, retries: options.retries, trainer: options.trainer, children: signals.children, stopping: signals.stopping,
          ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        });
        outcomes.push(outcome);
        options.onEvent?.({ type: 'end', outcome });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, options.cells.length)) }, worker));
    outcomes.sort((a, b) => a.cell.index - b.cell.index);
    const stoppedBy = signals.stoppedBy();
    return { outcomes, ...(stoppedBy === undefined ? {} : { stoppedBy }) };
  } finally {
    signals.dispose();
    release();
  }
}
