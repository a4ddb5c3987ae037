import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGrid } from './grid.js';
import type { SweepManifest } from './manifest.js';
import { arraySpec, parseScontrolJobs, shellQuote, slurmScripts } from './slurm.js';
import { presetGrid } from './sweep-presets.js';
import { adalora } from './test-support/cli.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const root = mkdtempSync(join(tmpdir(), 'adalora-slurm-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('array specs and quoting', () => {
  it('compresses indices into ranges and appends the % limit', () => {
    expect(arraySpec([0, 1, 2, 3])).toBe('0-3');
    expect(arraySpec([7, 0, 2, 3, 5, 6, 9], 2)).toBe('0,2-3,5-7,9%2');
    expect(arraySpec([4])).toBe('4');
  });

  it('quotes words for bash only when needed', () => {
    expect(shellQuote('/tmp/sweeps/smoke')).toBe('/tmp/sweeps/smoke');
    expect(shellQuote('/tmp/my sweeps/it\'s')).toBe(`'/tmp/my sweeps/it'\\''s'`);
  });
});

describe('sbatch scripts', () => {
  const grid = presetGrid('smoke');
  const manifest: SweepManifest = { format: 'adalora-sweep/1', name: 'smoke', grid, cells: expandGrid(grid), createdAt: '' };
  const scripts = slurmScripts('/data/sw eeps/smoke', manifest, [1, 2, 3, 6], {
    partition: 'gpu', gres: 'gpu:1', time: '12:00:00', mem: '32G', cpusPerTask: 4, maxRunning: 3,
    sbatchLines: ['--account=lab', '#SBATCH --qos=normal'], setup: ['module load nodejs/20'],
  }, { node: '/usr/bin/node', bin: '/opt/adalora/dist/bin.js' }, 2);

  it('array.sbatch: one array over the given cells with every option, then `adalora sweep cell` for the task index', () => {
    expect(scripts.array.split('\n').filter((l) => l.startsWith('#SBATCH'))).toEqual([
      '#SBATCH --job-name=adalora-smoke',
      '#SBATCH --array=1-3,6%3',
      '#SBATCH --output=/data/sw eeps/smoke/slurm/logs/%A_%a.out',
      '#SBATCH --partition=gpu',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --time=12:00:00',
      '#SBATCH --mem=32G',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --account=lab',
      '#SBATCH --qos=normal',
    ]);
    expect(scripts.array.startsWith('#!/bin/bash\n')).toBe(true);
    expect(scripts.array).toContain('\nmodule load nodejs/20\n');
    expect(scripts.array.trimEnd().split('\n').pop()).toBe(`exec /usr/bin/node /opt/adalora/dist/bin.js sweep cell '/data/sw eeps/smoke' --index "$SLURM_ARRAY_TASK_ID" --retries 2`);
  });

  it('report.sbatch: the partition and extra lines only (no GPU, time or memory of a cell), then `adalora report`', () => {
    expect(scripts.report.split('\n').filter((l) => l.startsWith('#SBATCH'))).toEqual([
      '#SBATCH --job-name=adalora-smoke-report',
      '#SBATCH --output=/data/sw eeps/smoke/slurm/logs/report-%j.out',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=lab',
      '#SBATCH --qos=normal',
    ]);
    expect(scripts.report.trimEnd().split('\n').pop()).toBe(`exec /usr/bin/node /opt/adalora/dist/bin.js report '/data/sw eeps/smoke' --out '/data/sw eeps/smoke/report'`);
  });
});

describe('scontrol parsing (real Slurm 22.05 output)', () => {
  it('reads one state per task, expanding the grouped pending line `ArrayTaskId=2-4%2`', () => {
    const states = parseScontrolJobs(readFileSync(join(fixtures, 'scontrol-array-running.txt'), 'utf8'));
    expect([...states.entries()].sort(([a], [b]) => a - b)).toEqual([
      [0, { state: 'RUNNING', exitCode: '0:0' }],
      [1, { state: 'FAILED', exitCode: '3:0', reason: 'NonZeroExitCode' }],
      [2, { state: 'PENDING', exitCode: '0:0', reason: 'JobArrayTaskLimit' }],
      [3, { state: 'PENDING', exitCode: '0:0', reason: 'JobArrayTaskLimit' }],
      [4, { state: 'PENDING', exitCode: '0:0', reason: 'JobArrayTaskLimit' }],
    ]);
  });

  it('reads the finished array', () => {
    const states = parseScontrolJobs(readFileSync(join(fixtures, 'scontrol-array-finished.txt'), 'utf8'));
    expect([0, 1, 2, 3, 4].map((i) => states.get(i)?.state)).toEqual(['COMPLETED', 'FAILED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
  });
});

describe('the slurm executor without a Slurm client (built CLI)', () => {
  const noSlurm = { ...process.env, PATH: join(root, 'empty-bin') };
  mkdirSync(noSlurm.PATH, { recursive: true });

  it('--dry-run writes the scripts and prints the sbatch commands, needing no Slurm', () => {
    const out = join(root, 'dry');
    const result = adalora(['sweep', '--preset', 'smoke', '--executor', 'slurm', '--dry-run', '--workers', '4', '--gres', 'gpu:1', '--out', out], { env: noSlurm });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`sweep smoke: 8 of 8 cells to run in ${out} (dry run: scripts written, nothing submitted)`);
    expect(result.stdout).toContain(`sbatch --parsable ${join(out, 'slurm', 'array.sbatch')}`);
    expect(result.stdout).toContain(`sbatch --parsable --dependency=afterok:<array job id> --kill-on-invalid-dep=yes ${join(out, 'slurm', 'report.sbatch')}`);
    const array = readFileSync(join(out, 'slurm', 'array.sbatch'), 'utf8');
    expect(array).toContain('#SBATCH --array=0-7%4\n');
    expect(array).toContain('#SBATCH --gres=gpu:1\n');
    expect(statSync(join(out, 'slurm', 'array.sbatch')).mode & 0o111).not.toBe(0);
    expect(existsSync(join(out, 'sweep.json'))).toBe(true);
    expect(existsSync(join(out, 'slurm', 'submissions.json'))).toBe(false);
  });

  it('without sbatch, says how to install it or to use --dry-run (exit 2)', () => {
    const result = adalora(['sweep', '--preset', 'smoke', '--executor', 'slurm', '--out', join(root, 'nosbatch')], { env: noSlurm });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("no 'sbatch' command");
    expect(result.stderr).toContain('apt-get install slurm-client');
    expect(result.stderr).toContain('--dry-run');
  });
});
