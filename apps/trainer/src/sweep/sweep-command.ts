import { join } from 'node:path';
import { Command, Option } from 'commander';
import { AdaLoraError, InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import { trainOptionSpecs } from '../config/train-options.js';
import { readRuns, writeReport } from '../report/write-report.js';
import { cellStatus, isFinished } from './cell-state.js';
import { applyOverrides, expandGrid, readGridFile, type Cell, type Grid } from './grid.js';
import { lockHolder, runLocal } from './local-executor.js';
import { isSweepFolder, readManifest, sweepPaths, writeOrCheckManifest, type SweepManifest } from './manifest.js';
import { defaultTrainerCommand, runCell, stopOnSignals, type CellEvent, type TrainerCommand } from './run-cell.js';
import { activeSubmission, prepareSlurm, readSubmissions, slurmCommand, submitSlurm, type SlurmOptions, type Submission } from './slurm.js';
import { presetGrid, sweepPresets } from './sweep-presets.js';
import { formatStatus, sweepStatus } from './sweep-status.js';

/** Cells of a sweep failed or were interrupted: the CLI exits with code 1 after saying which. */
export class SweepFailedError extends AdaLoraError {
  constructor(message: string) {
    super(message);
    this.name = 'SweepFailedError';
  }
}

/** The flags of `adalora sweep` (train options among them are `fixed` overrides, keyed by their camelCase key). */
export interface SweepFlags extends Record<string, unknown> {
  grid?: string;
  preset?: string;
  out?: string;
  axis?: string[];
  executor?: 'local' | 'slurm';
  workers?: string;
  retries?: string;
  dryRun?: boolean;
  partition?: string;
  gres?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: string;
  sbatch?: string[];
  setup?: string[];
}

/** Where sweep output goes: progress to stderr, results (report, listings) to stdout. */
export interface SweepIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: SweepIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function integer(flag: string, raw: string | undefined, min: number, fallback: number | undefined): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new InvalidConfigError({ field: `--${flag}`, value: raw, reason: `expected a whole number ≥ ${min}` });
  return value;
}

/** The grid of `--grid`/`--preset` with the command line's `--axis` and train flags applied. */
export function resolveGrid(flags: SweepFlags): Grid {
  if ((flags.grid === undefined) === (flags.preset === undefined)) {
    throw new InvalidConfigError({ field: 'grid', value: flags.grid ?? flags.preset ?? null, reason: `give exactly one of --grid <file.yaml|json> or --preset <${Object.keys(sweepPresets).join('|')}>` });
  }
  const grid = flags.grid !== undefined ? readGridFile(flags.grid) : presetGrid(flags.preset as string);
  const fixed: Record<string, string> = {};
  for (const spec of trainOptionSpecs) {
    const value = flags[spec.key];
    if (typeof value === 'string') fixed[spec.key] = value;
  }
  return applyOverrides(grid, { axes: flags.axis ?? [], fixed });
}

function trainLine(sweepDir: string, cell: Cell): string {
  return ['adalora train --out', join(sweepDir, cell.dir), ...cell.args].join(' ');
}

function listCells(sweepDir: string, cells: Cell[], exists: boolean): string {
  const width = Math.max(...cells.map((c) => c.name.length));
  return cells.map((cell) => {
    const state = exists ? cellStatus(sweepDir, cell).state : 'new';
    return `${String(cell.index).padStart(4)}  ${cell.name.padEnd(width)}  ${state.padEnd(11)}  ${trainLine(sweepDir, cell)}`;
  }).join('\n');
}

function progress(io: SweepIo, total: number): (event: CellEvent) => void {
  const tag = (cell: Cell) => `[${String(cell.index + 1).padStart(String(total).length)}/${total}] ${cell.name}`;
  return (event) => {
    if (event.type === 'start') io.err(`${tag(event.cell)}: attempt ${event.attempt.n} (${event.attempt.mode === 'resume' ? 'resuming' : 'new run'})\n`);
    else if (event.type === 'retry') io.err(`${tag(event.cell)}: failed (${event.message}); trying again, attempt ${event.attempt.n}\n`);
    else {
      const o = event.outcome;
      if (o.outcome === 'done') io.err(`${tag(o.cell)}: done in ${o.seconds.toFixed(1)} s\n`);
      else if (o.outcome === 'failed') io.err(`${tag(o.cell)}: FAILED after ${o.attempts} attempt(s): ${o.message ?? ''} (log: ${o.log ?? '-'})\n`);
      else if (o.outcome === 'interrupted') io.err(`${tag(o.cell)}: interrupted\n`);
    }
  };
}

function writeSweepReport(sweepDir: string, manifest: SweepManifest, io: SweepIo): void {
  const dirs = manifest.cells.map((cell) => join(sweepDir, cell.dir));
  io.out(writeReport(readRuns(dirs), sweepPaths(sweepDir).report));
  io.err(`report written to ${join(sweepPaths(sweepDir).report, 'report.md')}\n`);
}

/**
 * `adalora sweep`: expands the grid into cells under the sweep folder (with `sweep.json`) and runs the
 * unfinished ones, on this machine (`local`) or as one Slurm array (`slurm`) plus a report job.
 */
export async function sweepCommand(flags: SweepFlags, io: SweepIo = stdio, trainer: TrainerCommand = defaultTrainerCommand()): Promise<void> {
  const grid = resolveGrid(flags);
  const cells = expandGrid(grid);
  const sweepDir = flags.out ?? join('sweeps', grid.name);
  const executor = flags.executor ?? 'local';
  const retries = integer('retries', flags.retries, 0, 1) as number;
  const workers = integer('workers', flags.workers, 1, undefined);
  const existed = isSweepFolder(sweepDir);

  if (flags.dryRun === true && executor === 'local') {
    writeOrCheckManifest(sweepDir, grid, cells, { write: false });
    io.out(`sweep ${grid.name}: ${cells.length} cells in ${sweepDir} (dry run: nothing written or run)\n${listCells(sweepDir, cells, existed)}\n`);
    return;
  }
  const manifest = writeOrCheckManifest(sweepDir, grid, cells);
  const todo = manifest.cells.filter((cell) => !isFinished(join(sweepDir, cell.dir)));

  if (executor === 'slurm') {
    const options: SlurmOptions = {
      ...(flags.partition === undefined ? {} : { partition: flags.partition }),
      ...(flags.gres === undefined ? {} : { gres: flags.gres }),
      ...(flags.time === undefined ? {} : { time: flags.time }),
      ...(flags.mem === undefined ? {} : { mem: flags.mem }),
      ...(flags.cpusPerTask === undefined ? {} : { cpusPerTask: integer('cpus-per-task', flags.cpusPerTask, 1, undefined) as number }),
      ...(workers === undefined ? {} : { maxRunning: workers }),
      sbatchLines: flags.sbatch ?? [],
      setup: flags.setup ?? [],
    };
    if (todo.length === 0) {
      io.err(`sweep ${manifest.name}: all ${cells.length} cells are finished; nothing to submit\n`);
      writeSweepReport(sweepDir, manifest, io);
      return;
    }
    const indices = todo.map((cell) => cell.index);
    if (flags.dryRun !== true) {
      slurmCommand('sbatch', ['--version']);
      const local = lockHolder(sweepDir);
      if (local !== undefined) throw new InvalidConfigError({ field: 'out', value: sweepDir, reason: `a local sweep (pid ${local.pid} on ${local.host}) is running in this folder; wait for it or stop it first` });
      refuseWhileQueued(sweepDir);
    }
    const plan = prepareSlurm(sweepDir, manifest, indices, options, trainer, retries);
    if (flags.dryRun === true) {
      io.out(`sweep ${manifest.name}: ${todo.length} of ${cells.length} cells to run in ${sweepDir} (dry run: scripts written, nothing submitted)\n${listCells(sweepDir, todo, true)}\n\nscripts: ${plan.arrayScript}, ${plan.reportScript}\nsubmit with:\n  ${plan.commands.join('\n  ')}\n`);
      return;
    }
    const submission = submitSlurm(sweepDir, plan, indices);
    io.out(`sweep ${manifest.name}: submitted array job ${submission.arrayJob} (${todo.length} of ${cells.length} cells) and report job ${submission.reportJob} (runs when every cell succeeded)\nfollow it with: adalora sweep status ${sweepDir}\n`);
    return;
  }

  refuseWhileQueued(sweepDir);
  const skipped = cells.length - todo.length;
  io.err(`sweep ${manifest.name}: ${cells.length} cells in ${sweepDir}${skipped > 0 ? ` (${skipped} finished, skipped)` : ''}; ${workers ?? 1} worker(s), up to ${retries} retries\n`);
  const summary = await runLocal({ sweepDir, cells: todo, workers: workers ?? 1, retries, trainer, onEvent: progress(io, cells.length) });
  const failed = summary.outcomes.filter((o) => o.outcome === 'failed');
  const interrupted = manifest.cells.filter((cell) => !isFinished(join(sweepDir, cell.dir)) && !failed.some((o) => o.cell === cell));
  if (summary.stoppedBy !== undefined) {
    throw new SweepFailedError(`sweep stopped by ${summary.stoppedBy}: ${interrupted.length + failed.length} of ${cells.length} cells unfinished; run the same command again to resume them`);
  }
  if (failed.length > 0) {
    const lines = failed.map((o) => `  ${o.cell.name}: ${o.message ?? 'failed'} (log: ${join(sweepDir, o.log ?? '')})`);
    throw new SweepFailedError(`${failed.length} of ${cells.length} cells failed (each tried up to ${retries + 1} times; a usage error, exit 2, is not retried):\n${lines.join('\n')}\nsee adalora sweep status ${sweepDir}; run the same command again to retry them`);
  }
  writeSweepReport(sweepDir, manifest, io);
}

/** `adalora sweep cell <dir> --index i`: runs cell `i` of the sweep (what each Slurm array task runs). */
export async function sweepCellCommand(dir: string, indexText: string, retriesText: string | undefined, io: SweepIo = stdio, trainer: TrainerCommand = defaultTrainerCommand()): Promise<void> {
  const manifest = readManifest(dir);
  const index = integer('index', indexText, 0, undefined) as number;
  const cell = manifest.cells[index];
  if (cell === undefined) throw new InvalidConfigError({ field: '--index', value: indexText, reason: `sweep ${manifest.name} has cells 0 to ${manifest.cells.length - 1}` });
  const retries = integer('retries', retriesText, 0, 1) as number;
  const job = process.env.SLURM_ARRAY_JOB_ID;
  const task = process.env.SLURM_ARRAY_TASK_ID;
  const signals = stopOnSignals();
  try {
    const outcome = await runCell({
      sweepDir: dir, cell, retries, trainer, children: signals.children, stopping: signals.stopping, onEvent: progress(io, manifest.cells.length),
      ...(job === undefined || task === undefined ? {} : { slurmJob: `${job}_${task}` }),
    });
    progress(io, manifest.cells.length)({ type: 'end', outcome });
    if (outcome.outcome === 'skipped') io.err(`cell ${cell.name} is already finished\n`);
    if (outcome.outcome === 'failed') throw new SweepFailedError(`cell ${cell.name} failed: ${outcome.message ?? ''} (log: ${join(dir, outcome.log ?? '')})`);
    if (outcome.outcome === 'interrupted') throw new SweepFailedError(`cell ${cell.name} interrupted by ${signals.stoppedBy() ?? 'a signal'}; it resumes on the next run`);
  } finally {
    signals.dispose();
  }
}

/**
 * Refuses to run or submit cells while the sweep's latest Slurm array still has cells queued or running
 * (they would run twice). Without a Slurm client here there is nothing to ask, and nothing is refused.
 */
function refuseWhileQueued(sweepDir: string): void {
  if (readSubmissions(sweepDir).length === 0) return;
  let active: Submission | undefined;
  try {
    active = activeSubmission(sweepDir);
  } catch (error) {
    if (UnsupportedInputError.isInstance(error)) return;
    throw error;
  }
  if (active !== undefined) {
    throw new InvalidConfigError({ field: 'out', value: sweepDir, reason: `this sweep's array job ${active.arrayJob} still has cells in the Slurm queue; wait for it (adalora sweep status ${sweepDir}) or scancel ${active.arrayJob} ${active.reportJob} first` });
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Registers `adalora sweep` (with `sweep status` and `sweep cell`) on the CLI program. Every
 * `adalora train` option is also a flag of `sweep`, overriding the grid's `fixed` options.
 */
export function registerSweepCommand(program: Command): void {
  const sweep = program.command('sweep').description('run a grid of train runs into a sweep folder, on this machine or as a Slurm array')
    .option('--grid <file>', 'grid file (.yaml, .yml or .json): fixed train options and axes')
    .addOption(new Option('--preset <name>', `built-in grid: ${Object.entries(sweepPresets).map(([k, p]) => `${k} (${p.description})`).join('; ')}`))
    .option('--out <dir>', 'sweep folder (default: sweeps/<grid name>)')
    .option('--axis <name=v1,v2>', 'replace the values of an axis, or add one (repeatable)', collect, [])
    .addOption(new Option('--executor <name>', 'where cells run').choices(['local', 'slurm']).default('local'))
    .option('--workers <n>', 'cells at once: local processes (default 1); slurm: the array\'s % limit (default none)')
    .option('--retries <n>', 'extra attempts for a failed cell (usage errors are not retried)', '1')
    .option('--dry-run', 'list the cells without running them (slurm: write the scripts, do not submit)')
    .option('--partition <name>', 'slurm: partition')
    .option('--gres <spec>', 'slurm: generic resources per cell, e.g. gpu:1')
    .option('--time <limit>', 'slurm: time limit per cell, e.g. 12:00:00')
    .option('--mem <size>', 'slurm: memory per cell, e.g. 32G')
    .option('--cpus-per-task <n>', 'slurm: CPUs per cell')
    .option('--sbatch <line>', 'slurm: extra #SBATCH line for both jobs, e.g. --account=abc (repeatable)', collect, [])
    .option('--setup <line>', 'slurm: shell line run before the trainer, e.g. "module load nodejs" (repeatable)', collect, []);
  for (const spec of trainOptionSpecs) {
    const option = new Option(`--${spec.flag} <value>`, `train option for every cell: ${spec.description}`).hideHelp();
    if (spec.choices !== undefined) option.choices(spec.choices as string[]);
    sweep.addOption(option);
  }
  sweep.addHelpText('after', '\nEvery `adalora train` option (--max-steps 100, --engine wasm, ...) is accepted too and fixed for every cell.');
  sweep.action(async (flags: SweepFlags) => {
    await sweepCommand(flags);
  });

  sweep.command('status').description('per-cell state of a sweep (run folders, attempts, and the Slurm queue)').argument('<dir>', 'sweep folder')
    .option('--json', 'print JSON')
    .action((dir: string, flags: { json?: boolean }) => {
      const status = sweepStatus(dir);
      process.stdout.write(flags.json === true ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    });

  sweep.command('cell').description('run one cell of a sweep by index (what each Slurm array task runs)').argument('<dir>', 'sweep folder')
    .requiredOption('--index <i>', 'cell index in sweep.json')
    .action(async (dir: string, _flags: unknown, command: Command) => {
      const flags = command.optsWithGlobals<{ index: string; retries?: string }>();
      await sweepCellCommand(dir, flags.index, flags.retries);
    });
}

