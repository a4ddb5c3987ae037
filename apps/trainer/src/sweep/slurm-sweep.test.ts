import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepStatus } from './sweep-status.js';
import { adalora, tinyCell, waitFor } from './test-support/cli.js';
import { localSlurmUnavailable, startLocalSlurm, type LocalSlurm } from './test-support/local-slurm.js';

// These tests start a real single-node Slurm (Debian's slurmctld, slurmd, slurm-client, munge) as root.
// Where that is impossible, the suite is skipped and its name says why (e.g. the packages are missing).
const unavailable = localSlurmUnavailable();

describe.skipIf(unavailable !== undefined)(`slurm executor against a local single-node Slurm${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`, () => {
  let root: string;
  let cluster: LocalSlurm;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'adalora-slurm-'));
    cluster = await startLocalSlurm(join(root, 'cluster'), { cpus: 2 });
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const status = (dir: string): SweepStatus => {
    const result = adalora(['sweep', 'status', dir, '--json'], { env: cluster.env });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as SweepStatus;
  };

  it('submits the smoke preset as one array plus a report job, and the report appears', async () => {
    const out = join(root, 'smoke');
    const smoke = ['sweep', '--preset', 'smoke', '--executor', 'slurm', '--out', out, '--engine', 'wasm', ...tinyCell];
    const submit = adalora([...smoke, '--workers', '2'], { env: cluster.env });
    expect(submit.status, submit.stderr).toBe(0);
    expect(submit.stdout).toMatch(/submitted array job \d+ \(8 of 8 cells\) and report job \d+/);
    const script = readFileSync(join(out, 'slurm', 'array.sbatch'), 'utf8');
    expect(script).toContain('#SBATCH --array=0-7%2');

    // While the array is queued or running, submitting again is refused (it would run cells twice).
    const again = adalora(smoke, { env: cluster.env });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/still has cells in the Slurm queue/);
    const local = adalora(smoke.filter((a, i) => !(a === '--executor' || smoke[i - 1] === '--executor')), { env: cluster.env });
    expect(local.status).toBe(2);
    expect(local.stderr).toMatch(/array job \d+ still has cells in the Slurm queue/);

    await waitFor('the report, or the report job cancelled by a failed cell', () => existsSync(join(out, 'report', 'report.md')) || /CANCELLED/.test(status(out).slurm?.reportJob ?? ''), 150_000, 250);
    const unfinished = status(out).cells.filter((c) => c.state !== 'done').map((c) => `${c.cell.name}: ${c.state} ${c.last?.message ?? ''}`);
    expect(unfinished, unfinished.join("\n")).toEqual([]);
    await waitFor('report.md', () => existsSync(join(out, 'report', 'report.md')), 30_000);
    const report = readFileSync(join(out, 'report', 'report.md'), 'utf8');
    expect(report).toContain('AdaLoRA (sensitivity)');
    expect(report).toContain('AdaLoRA (gsnr)');
    expect(report).toContain('synth-sst2');
    expect(report).toContain('synth-mrpc');

    const final = status(out);
    expect(final.counts.done).toBe(8);
    expect(final.cells.every((c) => c.slurm?.state === 'COMPLETED')).toBe(true);
    // Each cell ran inside its array task: the attempt records the task's `<array job>_<index>`.
    const arrayJob = final.slurm?.submission.arrayJob;
    expect(final.cells.map((c) => c.last?.slurmJob)).toEqual(final.cells.map((c) => `${arrayJob}_${c.cell.index}`));
  });

  it('cancels the report job when a cell fails, and shows the failure in sweep status', async () => {
    const out = join(root, 'failing');
    const grid = join(root, 'failing.yaml');
    // lr 1e30 makes the loss NaN at the first step: the trainer exits 1 ("loss is NaN").
    writeFileSync(grid, 'fixed:\n  task: synth-sst2\n  model: tiny-deberta-v3\naxes:\n  lr: [0.003, 1e30]\n');
    const submit = adalora(['sweep', '--grid', grid, '--executor', 'slurm', '--retries', '0', '--out', out, '--engine', 'wasm', ...tinyCell], { env: cluster.env });
    expect(submit.status, submit.stderr).toBe(0);
    await waitFor('the array to leave the queue and the report job to be cancelled', () => {
      const s = status(out);
      return s.cells.every((c) => c.state === 'done' || c.state === 'failed') && /CANCELLED/.test(s.slurm?.reportJob ?? '');
    }, 90_000, 250);
    const s = status(out);
    expect(s.cells.map((c) => [c.cell.name, c.state, c.slurm?.state])).toEqual([['lr=0.003', 'done', 'COMPLETED'], ['lr=1e+30', 'failed', 'FAILED']]);
    expect(s.cells[1]?.last?.message).toMatch(/exit 1: adalora: loss is NaN/);
    expect(s.slurm?.reportJob).toMatch(/CANCELLED \(DependencyNeverSatisfied\)/);
    expect(existsSync(join(out, 'report'))).toBe(false);
  });

  it('shows the message of an option the cluster refuses, and submits nothing', () => {
    const out = join(root, 'refused');
    const result = adalora(['sweep', '--preset', 'smoke', '--executor', 'slurm', '--cpus-per-task', '9', '--out', out, ...tinyCell], { env: cluster.env });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/the cluster refused the array job: sbatch: error: .*(processors|CPU)/i);
    expect(existsSync(join(out, 'slurm', 'submissions.json'))).toBe(false);
  });
});
