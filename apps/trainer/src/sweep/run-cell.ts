import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, fstatSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnsupportedInputError } from '@adalora/core';
import { type Attempt, cellPaths, isFinished, isResumable, processRunning, readCellRecord, writeCellRecord } from './cell-state.js';
import type { Cell } from './grid.js';

/** How to start `adalora train`: the Node binary and the trainer's `dist/bin.js`. */
export interface TrainerCommand {
  node: string;
  bin: string;
}

/**
 * The trainer this code belongs to: this Node binary and the `dist/bin.js` of the `@adalora/trainer`
 * package that contains this file (found by walking up to its package.json, so it works from the
 * built bundle and from the sources under a test runner).
 */
export function defaultTrainerCommand(): TrainerCommand {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@adalora/trainer') break;
    const parent = dirname(dir);
    if (parent === dir) throw new UnsupportedInputError({ source: fileURLToPath(import.meta.url), expected: 'to live inside the @adalora/trainer package' });
    dir = parent;
  }
  const bin = join(dir, 'dist', 'bin.js');
  if (!existsSync(bin)) throw new UnsupportedInputError({ source: bin, expected: 'the built trainer CLI', found: 'no such file (run `pnpm build` in apps/trainer)' });
  return { node: process.execPath, bin };
}

/**
 * Preloaded into every `adalora train` child: when the process that started it dies (its parent PID
 * changes), the child kills itself. So a SIGKILLed sweep leaves no cell running behind its back that
 * a re-run would race with. Polling the parent PID works on Linux and macOS alike.
 */
const watchdog = `data:text/javascript,${encodeURIComponent('const p=process.ppid;setInterval(()=>{if(process.ppid!==p)process.kill(process.pid,"SIGKILL")},250).unref();')}`;

/** What happened to a cell in one call of `runCell`. */
export interface CellOutcome {
  cell: Cell;
  /** `skipped`: it was already done; `interrupted`: the sweep was stopped while it ran. */
  outcome: 'done' | 'skipped' | 'failed' | 'interrupted';
  /** Attempts made in this call. */
  attempts: number;
  /** Of the last failed attempt: the trainer's error line and the log file (relative to the sweep folder). */
  message?: string;
  log?: string;
  seconds: number;
}

/** Progress of a cell, for the executor's output. */
export type CellEvent =
  | { type: 'start'; cell: Cell; attempt: Attempt; of: number }
  | { type: 'retry'; cell: Cell; attempt: Attempt; message: string }
  | { type: 'end'; outcome: CellOutcome };

/** How a cell is run. */
export interface RunCellOptions {
  sweepDir: string;
  cell: Cell;
  /** Extra attempts after a failed one (per call). A usage error (exit 2) is never retried. */
  retries: number;
  trainer: TrainerCommand;
  /** `<array job>_<task>` when running inside a Slurm array task. */
  slurmJob?: string;
  onEvent?: (event: CellEvent) => void;
  /** Checked before every attempt; when true, no new attempt starts and a child's end counts as interrupted. */
  stopping?: () => boolean;
  /** The running child is added here while it runs, so the executor can signal it. */
  children?: Set<ChildProcess>;
}

/** The trainer's own error line (`adalora: ...`) from the end of a log, else its last line. */
export function failureMessage(logPath: string): string {
  if (!existsSync(logPath)) return 'no output';
  const fd = openSync(logPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 16_384);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
    const own = lines.filter((line) => line.startsWith('adalora: ')).pop();
    return own ?? lines.pop() ?? 'no output';
  } finally {
    closeSync(fd);
  }
}

/** `adalora train`'s exit code for a usage error (`exitCodes.usage` in cli.ts): retrying cannot help. */
const usageExit = 2;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * A previous attempt that never recorded its end (the sweep was killed): if its process is still alive
 * on this host (its watchdog kills it within a second), wait for it to go, then SIGKILL it after 10 s.
 * Then the attempt is marked interrupted, so the next one may resume it.
 */
async function settlePreviousAttempt(sweepDir: string, cell: Cell): Promise<void> {
  const record = readCellRecord(sweepDir, cell);
  const last = record.attempts[record.attempts.length - 1];
  if (last === undefined || last.endedAt !== undefined) return;
  const runDir = cellPaths(sweepDir, cell).run;
  // An attempt of a Slurm task is not waited for: Slurm ends a task's processes with the task.
  if (last.pid !== undefined && last.host === hostname() && last.slurmJob === undefined) {
    for (let waited = 0; processRunning(last.pid, runDir); waited += 100) {
      if (waited >= 10_000) {
        try {
          process.kill(last.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(100);
    }
  }
  Object.assign(last, { endedAt: new Date().toISOString(), outcome: 'interrupted' });
  writeCellRecord(sweepDir, cell, record);
}

/**
 * Runs one cell to the end: skips it when its run is finished; otherwise runs `adalora train` in a
 * child process into the cell's run folder, with `--resume` when the folder holds a resumable run that
 * did not fail (an interrupted or crashed one) and `--overwrite` otherwise; after a failed attempt it
 * tries again up to `retries` times. Every attempt is recorded in `state/<cell>.json` and logged to
 * `logs/<cell>/attempt-<n>.log`.
 */
export async function runCell(options: RunCellOptions): Promise<CellOutcome> {
  const { sweepDir, cell } = options;
  const started = Date.now();
  const paths = cellPaths(sweepDir, cell);
  const seconds = () => (Date.now() - started) / 1000;
  if (isFinished(paths.run)) return { cell, outcome: 'skipped', attempts: 0, seconds: seconds() };
  await settlePreviousAttempt(sweepDir, cell);
  let made = 0;
  let failure: { message: string; log: string } | undefined;
  for (let i = 0; i <= options.retries; i++) {
    if (options.stopping?.() === true) return { cell, outcome: 'interrupted', attempts: made, seconds: seconds() };
    const record = readCellRecord(sweepDir, cell);
    const previous = record.attempts[record.attempts.length - 1];
    const failedCleanly = previous?.outcome === 'failed' && previous.exitCode !== null && previous.exitCode !== undefined;
    const mode: Attempt['mode'] = !failedCleanly && isResumable(paths.run) ? 'resume' : 'new';
    const n = record.attempts.length + 1;
    const log = relative(sweepDir, join(paths.logDir, `attempt-${n}.log`));
    const attempt: Attempt = { n, mode, startedAt: new Date().toISOString(), host: hostname(), log, ...(options.slurmJob === undefined ? {} : { slurmJob: options.slurmJob }) };
    record.attempts.push(attempt);
    writeCellRecord(sweepDir, cell, record);
    options.onEvent?.(i === 0 || failure === undefined ? { type: 'start', cell, attempt, of: options.retries + 1 } : { type: 'retry', cell, attempt, message: failure.message });
    made++;

    const args = ['--out', resolve(paths.run), ...cell.args, mode === 'resume' ? '--resume' : '--overwrite'];
    const logPath = join(sweepDir, log);
    const childDone = runChildTracked(options, args, logPath, (pid) => {
      attempt.pid = pid;
      writeCellRecord(sweepDir, cell, record);
    });
    const { code, signal } = await childDone;
    Object.assign(attempt, { endedAt: new Date().toISOString(), exitCode: code, signal });
    if (code === 0 && isFinished(paths.run)) {
      attempt.outcome = 'done';
      writeCellRecord(sweepDir, cell, record);
      return { cell, outcome: 'done', attempts: made, seconds: seconds() };
    }
    if (options.stopping?.() === true) {
      attempt.outcome = 'interrupted';
      writeCellRecord(sweepDir, cell, record);
      return { cell, outcome: 'interrupted', attempts: made, seconds: seconds() };
    }
    const message = code === 0 ? 'the trainer exited 0 without writing result.json' : `${code === null ? `killed by ${signal ?? 'a signal'}` : `exit ${code}`}: ${failureMessage(logPath)}`;
    Object.assign(attempt, { outcome: 'failed', message });
    writeCellRecord(sweepDir, cell, record);
    failure = { message, log };
    if (code === usageExit) break;
  }
  return { cell, outcome: 'failed', attempts: made, ...(failure === undefined ? {} : failure), seconds: seconds() };
}

function runChildTracked(options: RunCellOptions, args: string[], logPath: string, started: (pid: number) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  mkdirSync(dirname(logPath), { recursive: true });
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.trainer.node, ['--import', watchdog, options.trainer.bin, 'train', ...args], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  if (child.pid !== undefined) started(child.pid);
  options.children?.add(child);
  return new Promise((done, fail) => {
    child.once('error', (error) => {
      options.children?.delete(child);
      fail(error);
    });
    child.once('exit', (code, signal) => {
      options.children?.delete(child);
      done({ code, signal });
    });
  });
}

/** Signal handling of a process that runs cells: what a signal stopped, and the children to pass it to. */
export interface StopSignals {
  children: Set<ChildProcess>;
  stopping: () => boolean;
  stoppedBy: () => NodeJS.Signals | undefined;
  dispose: () => void;
}

/**
 * Until `dispose()`, SIGINT, SIGTERM and SIGHUP (Ctrl-C, `kill`, `scancel`, a Slurm time limit) do not
 * kill this process at once: the running `adalora train` children get SIGTERM, their attempts are
 * recorded as interrupted (the next run resumes them), and no new attempt starts.
 */
export function stopOnSignals(): StopSignals {
  const children = new Set<ChildProcess>();
  let stoppedBy: NodeJS.Signals | undefined;
  const offs = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const handler = () => {
      stoppedBy = signal;
      for (const child of children) child.kill('SIGTERM');
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return { children, stopping: () => stoppedBy !== undefined, stoppedBy: () => stoppedBy, dispose: () => offs.forEach((off) => off()) };
}
