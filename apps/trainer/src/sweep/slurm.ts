import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdaLoraError, InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import { readJson, writeJsonAtomic } from '../run/run-folder.js';
import type { SlurmTaskState } from './cell-state.js';
import { sweepPaths, type SweepManifest } from './manifest.js';
import type { TrainerCommand } from './run-cell.js';

/** What the Slurm executor asks of the cluster for every array task. */
export interface SlurmOptions {
  partition?: string;
  /** `--gres`, e.g. `gpu:1`. */
  gres?: string;
  /** `--time`, e.g. `12:00:00`. */
  time?: string;
  /** `--mem`, e.g. `32G`. */
  mem?: string;
  cpusPerTask?: number;
  /** Array tasks running at once (the `%` of `--array`); unlimited when absent. */
  maxRunning?: number;
  /** Extra `#SBATCH` lines (`--account=x` or `#SBATCH --account=x`), in both scripts. */
  sbatchLines?: string[];
  /** Shell lines run before the trainer in both scripts (e.g. `module load nodejs/20`). */
  setup?: string[];
}

/** One `sbatch` of a sweep, kept in `slurm/submissions.json` (newest last). */
export interface Submission {
  arrayJob: string;
  reportJob: string;
  /** The cell indices submitted (only the unfinished cells at that time). */
  indices: number[];
  submittedAt: string;
}

/** The Slurm command failed to run or was refused. */
export class SlurmCommandError extends AdaLoraError {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmCommandError';
  }
}

/** Quotes a word for bash: `'...'` with embedded quotes as `'\''`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `--array` for a set of indices: runs compressed to ranges (`0-3,5,7-9`), plus `%limit`. */
export function arraySpec(indices: number[], maxRunning?: number): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `${parts.join(',')}${maxRunning === undefined ? '' : `%${maxRunning}`}`;
}

/** Runs a Slurm client command; a missing binary says how to get one or to use `--dry-run`. */
export function slurmCommand(command: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error !== undefined) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UnsupportedInputError({
        source: command,
        expected: 'the Slurm client on PATH',
        found: `no '${command}' command. Run the sweep on a Slurm login node, or install the client (Debian/Ubuntu: apt-get install slurm-client, plus your cluster's slurm.conf and munge key), or pass --dry-run to write the scripts without submitting them`,
      });
    }
    throw new SlurmCommandError(`${command} could not run: ${result.error.message}`);
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function directives(options: SlurmOptions, forArray: boolean): string[] {
  const lines: string[] = [];
  if (options.partition !== undefined) lines.push(`--partition=${options.partition}`);
  if (forArray) {
    if (options.gres !== undefined) lines.push(`--gres=${options.gres}`);
    if (options.time !== undefined) lines.push(`--time=${options.time}`);
    if (options.mem !== undefined) lines.push(`--mem=${options.mem}`);
    if (options.cpusPerTask !== undefined) lines.push(`--cpus-per-task=${options.cpusPerTask}`);
  }
  const own = lines.map((line) => `#SBATCH ${line}`);
  const extra = (options.sbatchLines ?? []).map((line) => (line.trim().startsWith('#SBATCH') ? line.trim() : `#SBATCH ${line.trim()}`));
  return [...own, ...extra];
}

const jobName = (manifest: SweepManifest) => `adalora-${manifest.name.replace(/[^A-Za-z0-9._-]+/g, '_')}`;

/**
 * The two scripts of a Slurm sweep. `array.sbatch`: array task `i` runs `adalora sweep cell <dir>
 * --index i`, which maps the index to cell `i` of `sweep.json` and runs it (skip if done, resume if
 * interrupted, retry if failed). `report.sbatch`: `adalora report <dir>`, submitted to run after the
 * whole array succeeded.
 */
export function slurmScripts(sweepDir: string, manifest: SweepManifest, indices: number[], options: SlurmOptions, trainer: TrainerCommand, retries: number): { array: string; report: string } {
  const dir = resolve(sweepDir);
  const logs = join(dir, 'slurm', 'logs');
  const node = [trainer.node, trainer.bin].map(shellQuote).join(' ');
  const setup = options.setup ?? [];
  const array = [
    '#!/bin/bash',
    `#SBATCH --job-name=${jobName(manifest)}`,
    `#SBATCH --array=${arraySpec(indices, options.maxRunning)}`,
    `#SBATCH --output=${join(logs, '%A_%a.out')}`,
    ...directives(options, true),
    `# Written by \`adalora sweep --executor slurm\` for sweep '${manifest.name}' (${manifest.cells.length} cells).`,
    `# Array task i runs cell i of ${join(dir, 'sweep.json')}: skipped when finished, resumed when`,
    `# interrupted, retried up to ${retries} times when it fails.`,
    'set -eu',
    ...setup,
    `exec ${node} sweep cell ${shellQuote(dir)} --index "$SLURM_ARRAY_TASK_ID" --retries ${retries}`,
    '',
  ].join('\n');
  const report = [
    '#!/bin/bash',
    `#SBATCH --job-name=${jobName(manifest)}-report`,
    `#SBATCH --output=${join(logs, 'report-%j.out')}`,
    ...directives(options, false),
    `# Written by \`adalora sweep --executor slurm\`: the report of sweep '${manifest.name}', submitted with`,
    '# --dependency=afterok:<array job> --kill-on-invalid-dep=yes, so it runs once every cell succeeded.',
    'set -eu',
    ...setup,
    `exec ${node} report ${shellQuote(dir)} --out ${shellQuote(join(dir, 'report'))}`,
    '',
  ].join('\n');
  return { array, report };
}

/** The earlier submissions of a sweep, oldest first. */
export function readSubmissions(sweepDir: string): Submission[] {
  const path = join(sweepPaths(sweepDir).slurm, 'submissions.json');
  return existsSync(path) ? readJson<Submission[]>(path, 'the Slurm submissions of a sweep') : [];
}

function sbatch(args: string[], what: string): string {
  const { status, stdout, stderr } = slurmCommand('sbatch', ['--parsable', ...args]);
  if (status !== 0) {
    throw new InvalidConfigError({ field: 'slurm options', value: args.filter((a) => a.startsWith('--')).join(' ') || what, reason: `the cluster refused the ${what}: ${stderr.trim() || stdout.trim() || `sbatch exited ${status}`}` });
  }
  const id = stdout.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new SlurmCommandError(`sbatch answered '${stdout.trim()}' for the ${what}, not a job id`);
  return id;
}

/** The latest submission of `sweepDir` if its array still has tasks in the queue (pending or running), from `squeue`. */
export function activeSubmission(sweepDir: string): Submission | undefined {
  const latest = readSubmissions(sweepDir).pop();
  if (latest === undefined) return undefined;
  const { status, stdout } = slurmCommand('squeue', ['-h', '-j', latest.arrayJob, '-o', '%i']);
  return status === 0 && stdout.trim().length > 0 ? latest : undefined;
}

/** What `prepareSlurm` wrote, and the commands that submit it. */
export interface SlurmPlan {
  arrayScript: string;
  reportScript: string;
  commands: string[];
}

/** Writes `slurm/array.sbatch` and `slurm/report.sbatch` for these cell indices; returns the paths and the sbatch commands. */
export function prepareSlurm(sweepDir: string, manifest: SweepManifest, indices: number[], options: SlurmOptions, trainer: TrainerCommand, retries: number): SlurmPlan {
  const dir = sweepPaths(sweepDir).slurm;
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const scripts = slurmScripts(sweepDir, manifest, indices, options, trainer, retries);
  const arrayScript = join(dir, 'array.sbatch');
  const reportScript = join(dir, 'report.sbatch');
  writeFileSync(arrayScript, scripts.array, { mode: 0o755 });
  writeFileSync(reportScript, scripts.report, { mode: 0o755 });
  return {
    arrayScript, reportScript,
    commands: [`sbatch --parsable ${shellQuote(arrayScript)}`, `sbatch --parsable --dependency=afterok:<array job id> --kill-on-invalid-dep=yes ${shellQuote(reportScript)}`],
  };
}

/**
 * Submits the array, then the report job with `--dependency=afterok:<array>` and
 * `--kill-on-invalid-dep=yes` (so a failed cell cancels it instead of leaving it pending forever).
 * If the report job is refused, the array is cancelled again: nothing half-submitted stays queued.
 */
export function submitSlurm(sweepDir: string, plan: SlurmPlan, indices: number[]): Submission {
  const arrayJob = sbatch([plan.arrayScript], 'array job');
  let reportJob: string;
  try {
    reportJob = sbatch([`--dependency=afterok:${arrayJob}`, '--kill-on-invalid-dep=yes', plan.reportScript], 'report job');
  } catch (error) {
    slurmCommand('scancel', [arrayJob]);
    throw error;
  }
  const submission: Submission = { arrayJob, reportJob, indices, submittedAt: new Date().toISOString() };
  writeJsonAtomic(join(sweepPaths(sweepDir).slurm, 'submissions.json'), [...readSubmissions(sweepDir), submission]);
  return submission;
}

function expandTaskIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.replace(/%\d+$/, '').split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    for (let i = from; i <= (to ?? from); i++) ids.push(i);
  }
  return ids;
}

/**
 * Per-task state of an array job from `scontrol -o show job <id>` (one line per task; pending tasks
 * are grouped as `ArrayTaskId=2-7%2`). Needs no accounting database.
 */
export function parseScontrolJobs(text: string): Map<number, SlurmTaskState> {
  const states = new Map<number, SlurmTaskState>();
  for (const line of text.split('\n')) {
    const fields = new Map(line.trim().split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
    const taskIds = fields.get('ArrayTaskId');
    const state = fields.get('JobState');
    if (taskIds === undefined || state === undefined) continue;
    const exitCode = fields.get('ExitCode');
    const reason = fields.get('Reason');
    for (const id of expandTaskIds(taskIds)) states.set(id, { state, ...(exitCode === undefined ? {} : { exitCode }), ...(reason === undefined || reason === 'None' ? {} : { reason }) });
  }
  return states;
}

/** `parseScontrolJobs` of a live query; an unknown job id (purged) is an empty map. */
export function slurmTaskStates(arrayJob: string): Map<number, SlurmTaskState> {
  const { status, stdout } = slurmCommand('scontrol', ['-o', 'show', 'job', arrayJob]);
  return status === 0 ? parseScontrolJobs(stdout) : new Map();
}

/** State of a single (non-array) job, or undefined when Slurm no longer knows it. */
export function slurmJobState(job: string): SlurmTaskState | undefined {
  const { status, stdout } = slurmCommand('scontrol', ['-o', 'show', 'job', job]);
  if (status !== 0) return undefined;
  const fields = new Map(stdout.trim().split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const state = fields.get('JobState');
  const reason = fields.get('Reason');
  return state === undefined ? undefined : { state, ...(reason === undefined || reason === 'None' ? {} : { reason }) };
}
