import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord } from './cell-state.js';
import type { SweepManifest } from './manifest.js';
import type { SweepStatus } from './sweep-status.js';
import { adalora, startAdalora, tinyCell, waitFor } from './test-support/cli.js';

// End to end through the built CLI (dist/bin.js), each cell a real `adalora train` of the tiny model.
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'adalora-sweep-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const record = (out: string, cell: string) => JSON.parse(readFileSync(join(out, 'state', `${cell}.json`), 'utf8')) as CellRecord;
const processGone = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  return existsSync(`/proc/${pid}/stat`) && /\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
};

describe('adalora sweep, local executor', () => {
  it('survives a SIGKILL: the re-run skips finished cells, resumes the interrupted one, and ends in the report', async () => {
    const out = join(root, 'smoke');
    // The smoke preset with tiny cells; checkpoints every 2 steps so a killed cell has one to resume.
    const args = ['sweep', '--preset', 'smoke', '--out', out, '--engine', 'wasm', ...tinyCell, '--max-steps', '10', '--checkpoint-every', '2', '--workers', '2'];
    const first = startAdalora(args);
    await waitFor('sweep.json', () => existsSync(join(out, 'sweep.json')), 30_000);
    const cells = (JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepManifest).cells;
    expect(cells.map((c) => c.name)).toEqual([
      'task=synth-sst2,scorer=sensitivity,seed=1', 'task=synth-sst2,scorer=sensitivity,seed=2', 'task=synth-sst2,scorer=gsnr,seed=1', 'task=synth-sst2,scorer=gsnr,seed=2',
      'task=synth-mrpc,scorer=sensitivity,seed=1', 'task=synth-mrpc,scorer=sensitivity,seed=2', 'task=synth-mrpc,scorer=gsnr,seed=1', 'task=synth-mrpc,scorer=gsnr,seed=2',
    ]);
    const finished = () => cells.filter((c) => existsSync(join(out, c.dir, 'result.json')));
    const checkpointed = () => cells.filter((c) => !existsSync(join(out, c.dir, 'result.json')) && existsSync(join(out, c.dir, 'checkpoint', 'state.json')));
    // Kill once two cells are finished and a third is mid-run with a checkpoint.
    await waitFor('2 finished cells and one with a checkpoint', () => finished().length >= 2 && checkpointed().length >= 1, 120_000, 10);

    // A second sweep in the same folder while the first runs is refused.
    const rival = adalora(args);
    expect(rival.status).toBe(2);
    expect(rival.stderr).toMatch(/another sweep \(pid \d+ on .*\) is running in this folder/);

    first.child.kill('SIGKILL');
    await new Promise((done) => first.child.once('exit', done));
    const before = new Map(finished().map((c) => [c.name, statSync(join(out, c.dir, 'result.json')).mtimeMs]));
    const interrupted = checkpointed()[0];
    expect(interrupted).toBeDefined();
    const orphan = record(out, interrupted!.name).attempts.at(-1)!;
    expect(orphan.endedAt).toBeUndefined();
    // The killed sweep's child notices its parent is gone and kills itself (the watchdog preload).
    await waitFor(`the orphaned train process ${orphan.pid} to exit`, () => processGone(orphan.pid!), 5_000);

    const second = adalora(args);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain(`(${before.size} finished, skipped)`);
    for (const [name, mtime] of before) {
      const cell = cells.find((c) => c.name === name)!;
      expect(statSync(join(out, cell.dir, 'result.json')).mtimeMs, `${name} was not re-run`).toBe(mtime);
      expect(record(out, name).attempts).toHaveLength(1);
    }
    const resumed = record(out, interrupted!.name).attempts;
    expect(resumed.map((a) => [a.mode, a.outcome])).toEqual([['new', 'interrupted'], ['resume', 'done']]);
    expect(readFileSync(join(out, resumed[1]!.log), 'utf8')).toMatch(/resuming at step [1-9]/);

    // Every cell finished; the report has both scorers on both tasks, mean ± std over the 2 seeds.
    expect(cells.every((c) => existsSync(join(out, c.dir, 'result.json')))).toBe(true);
    const report = readFileSync(join(out, 'report', 'report.md'), 'utf8');
    expect(second.stdout).toContain('| Method | synth-sst2 Acc | synth-mrpc Acc');
    for (const label of ['AdaLoRA (sensitivity)', 'AdaLoRA (gsnr)']) expect(report).toMatch(new RegExp(`\\| ${label.replace(/[()]/g, '\\$&')} \\| [0-9.]+±[0-9.]+ \\| [0-9.]+±[0-9.]+ \\|`));
    expect(readdirSync(join(out, 'report')).filter((f) => f.startsWith('ranks-'))).toHaveLength(4);

    // `sweep status` reads the same from the folders; `report <sweep dir>` rebuilds the report.
    const status = adalora(['sweep', 'status', out, '--json']);
    const parsed = JSON.parse(status.stdout) as SweepStatus;
    expect(parsed.counts).toEqual({ done: 8, running: 0, queued: 0, interrupted: 0, failed: 0, pending: 0 });
    const again = adalora(['report', out, '--out', join(root, 'smoke-report')]);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(root, 'smoke-report', 'results.csv'), 'utf8')).toBe(readFileSync(join(out, 'report', 'results.csv'), 'utf8'));
  });

  it('retries a failing cell, then reports it as failed (exit 1) without a report', () => {
    const out = join(root, 'failing');
    const grid = join(root, 'failing.yaml');
    // lr 1e30 makes the loss NaN at the first step: the trainer exits 1 ("loss is NaN").
    writeFileSync(grid, 'name: failing\nfixed:\n  task: synth-sst2\n  model: tiny-deberta-v3\naxes:\n  lr: [0.003, 1e30]\n');
    const result = adalora(['sweep', '--grid', grid, '--out', out, '--retries', '1', '--workers', '2', '--engine', 'wasm', ...tinyCell]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/lr=1e\+30: failed \(exit 1: adalora: loss is NaN at step \d.*\); trying again, attempt 2/);
    expect(result.stderr).toMatch(/adalora: 1 of 2 cells failed .*\n {2}lr=1e\+30: exit 1: adalora: loss is NaN/);
    const attempts = record(out, 'lr=1e+30').attempts;
    expect(attempts.map((a) => [a.n, a.mode, a.exitCode, a.outcome])).toEqual([[1, 'new', 1, 'failed'], [2, 'new', 1, 'failed']]);
    expect(record(out, 'lr=0.003').attempts.map((a) => a.outcome)).toEqual(['done']);
    expect(existsSync(join(out, 'report'))).toBe(false);

    const status = adalora(['sweep', 'status', out]);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/sweep failing \(2 cells\) in .*: 1 done, 1 failed/);
    expect(status.stdout).toMatch(/lr=1e\+30\s+failed\s+2\s+exit 1: adalora: loss is NaN/);

    // The report of the sweep folder covers the finished cell and names the one left out.
    const report = adalora(['report', out, '--out', join(root, 'failing-report')]);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stderr).toContain('1 of 2 cells of sweep failing are not finished and are left out: lr=1e+30');
  });

  it('lists the cells of a dry run without writing anything', () => {
    const out = join(root, 'dry');
    const result = adalora(['sweep', '--preset', 'smoke', '--out', out, '--dry-run', '--axis', 'seed=7']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`sweep smoke: 4 cells in ${out} (dry run: nothing written or run)`);
    expect(result.stdout).toContain(`   3  task=synth-mrpc,scorer=gsnr,seed=7         new`);
    expect(result.stdout).toContain(`adalora train --out ${join(out, 'cells', 'task=synth-sst2,scorer=sensitivity,seed=7')} --model tiny-deberta-v3`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('adalora sweep, bad input (exit 2, message naming the problem)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown axis', ['--preset', 'smoke', '--axis', 'scorrer=fisher'], /Invalid config '--axis scorrer'.*Unknown axis 'scorrer'.*Did you mean 'scorer'\?/],
    ['an unknown axis value', ['--preset', 'smoke', '--axis', 'scorer=sensitivity,fishr'], /Invalid config '--axis scorer\[1\]' = 'fishr'.*Unknown score function 'fishr'/],
    ['a grid of zero cells', ['--preset', 'smoke', '--axis', 'seed='], /'--axis seed'.*an axis needs at least one value: this grid has zero cells/],
    ['a fixed flag that is an axis', ['--preset', 'smoke', '--seed', '3'], /'--seed' = '3': 'seed' is set by axis 'seed' \(1, 2\); change an axis with --axis seed=/],
    ['both --grid and --preset', ['--preset', 'smoke', '--grid', 'x.yaml'], /give exactly one of --grid <file.yaml\|json> or --preset <seed-study\|default\|smoke>/],
    ['an unknown preset', ['--preset', 'smok'], /Unknown sweep preset 'smok'\. Available: 'default', 'seed-study', 'smoke'\. Did you mean 'smoke'\?/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, () => {
      const result = adalora(['sweep', ...args, '--out', join(root, 'never'), '--dry-run']);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(join(root, 'never'))).toBe(false);
    });
  }

  it('refuses to mix a different grid into an existing sweep folder', () => {
    const out = join(root, 'mixed');
    expect(adalora(['sweep', '--preset', 'smoke', '--executor', 'slurm', '--dry-run', '--out', out]).status).toBe(0);
    const result = adalora(['sweep', '--preset', 'smoke', '--out', out, '--max-steps', '3', '--dry-run']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("this sweep folder holds a different grid (cell 'task=synth-sst2,scorer=sensitivity,seed=1' has arguments");
  });
});
