import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../run/run-result.js';
import { cellStatus, isResumable, writeCellRecord, type Attempt } from './cell-state.js';
import type { Cell } from './grid.js';
import { expandReportArgs } from './report-args.js';
import { manifestFormat, sweepPaths } from './manifest.js';

const root = mkdtempSync(join(tmpdir(), 'adalora-cell-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cell = (index: number): Cell => ({ index, name: `seed=${index}`, dir: `cells/seed=${index}`, values: { seed: String(index) }, options: { seed: index }, args: ['--seed', String(index)] });
const result: RunResult = {
  task: 'synth-sst2', model: 'tiny-deberta-v3', method: 'adalora', scorer: 'sensitivity', seed: 1, engine: 'wasm', steps: 4,
  evals: { validation: { accuracy: 0.75 } }, primary: { split: 'validation', key: 'accuracy', value: 0.75 },
  finalRanks: {}, initR: 4, trainableParameters: 10, trainSeconds: 1,
};
const attempt = (extra: Partial<Attempt>): Attempt => ({ n: 1, mode: 'new', startedAt: '2024-01-01T00:00:00Z', host: hostname(), log: 'logs/x/attempt-1.log', ...extra });

function sweepWith(name: string, count: number): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(sweepPaths(dir).manifest, JSON.stringify({ format: manifestFormat, name, grid: { name, fixed: {}, axes: [] }, cells: Array.from({ length: count }, (_, i) => cell(i)), createdAt: '' }));
  return dir;
}
function runFolder(dir: string, c: Cell, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, c.dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, c.dir, file), text);
  }
}

describe('isResumable', () => {
  it('needs config.json and a complete checkpoint (checkpoint/state.json, or checkpoint.old/state.json after a kill mid-swap)', () => {
    const dir = join(root, 'resumable');
    const c = cell(0);
    expect(isResumable(join(dir, c.dir))).toBe(false);
    runFolder(dir, c, { 'config.json': '{}' });
    expect(isResumable(join(dir, c.dir))).toBe(false);
    runFolder(dir, c, { 'checkpoint.tmp/state.json': '{}' });
    expect(isResumable(join(dir, c.dir))).toBe(false);
    runFolder(dir, c, { 'checkpoint.old/state.json': '{}' });
    expect(isResumable(join(dir, c.dir))).toBe(true);
  });
});

describe('cellStatus', () => {
  it('tells done, failed, interrupted, running and pending cells apart from their folders and records', async () => {
    const dir = sweepWith('states', 6);
    const cells = Array.from({ length: 6 }, (_, i) => cell(i));
    runFolder(dir, cells[0]!, { 'result.json': JSON.stringify(result) });
    writeCellRecord(dir, cells[1]!, { cell: cells[1]!.name, attempts: [attempt({ endedAt: 'x', exitCode: 1, outcome: 'failed', message: 'exit 1: adalora: loss is NaN' })] });
    // Started, never ended, and its process is gone: the sweep was killed.
    writeCellRecord(dir, cells[2]!, { cell: cells[2]!.name, attempts: [attempt({ pid: 2 ** 22 + 17 })] });
    // Started and its process (command line naming the run folder) is alive.
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)', join(dir, cells[3]!.dir)], { stdio: 'ignore' });
    writeCellRecord(dir, cells[3]!, { cell: cells[3]!.name, attempts: [attempt({ pid: live.pid! })] });
    // No record but a half-written run folder.
    runFolder(dir, cells[4]!, { 'config.json': '{}' });
    try {
      expect(cells.map((c) => cellStatus(dir, c).state)).toEqual(['done', 'failed', 'interrupted', 'running', 'interrupted', 'pending']);
      expect(cellStatus(dir, cells[0]!).result?.primary.value).toBe(0.75);
      expect(cellStatus(dir, cells[1]!).last?.message).toBe('exit 1: adalora: loss is NaN');
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('uses the Slurm task state for cells that ran or wait in an array', () => {
    const dir = sweepWith('slurm-states', 3);
    const cells = Array.from({ length: 3 }, (_, i) => cell(i));
    for (const c of cells.slice(0, 2)) writeCellRecord(dir, c, { cell: c.name, attempts: [attempt({ host: 'node17', slurmJob: `5_${c.index}` })] });
    expect(cellStatus(dir, cells[0]!, { state: 'RUNNING' }).state).toBe('running');
    expect(cellStatus(dir, cells[1]!, { state: 'ENDED' }).state).toBe('interrupted');
    expect(cellStatus(dir, cells[2]!, { state: 'PENDING', reason: 'JobArrayTaskLimit' }).state).toBe('queued');
  });
});

describe('expandReportArgs', () => {
  it('turns a sweep folder into its finished cells, warns about the rest, keeps run folders as they are', () => {
    const dir = sweepWith('report', 3);
    runFolder(dir, cell(0), { 'result.json': JSON.stringify(result) });
    runFolder(dir, cell(2), { 'result.json': JSON.stringify(result) });
    const warnings: string[] = [];
    expect(expandReportArgs([dir, '/some/run'], (w) => warnings.push(w))).toEqual([join(dir, 'cells/seed=0'), join(dir, 'cells/seed=2'), '/some/run']);
    expect(warnings).toEqual(['report: 1 of 3 cells of sweep report are not finished and are left out: seed=1']);
  });

  it('refuses a sweep with no finished cell', () => {
    const dir = sweepWith('empty', 2);
    expect(() => expandReportArgs([dir], () => undefined)).toThrow(/expected a sweep with at least one finished cell, found none of its 2 cells has finished/);
  });
});
