import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quickTrain, runCli, tempDir } from './cli-helpers.js';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('adalora train behaviour', () => {
  it('a diverging run stops with exit 1, says why, and keeps the last good checkpoint', () => {
    const out = join(tempDir('nan'), 'run');
    const { code, stderr } = runCli(['train', ...quickTrain, '--lr', '1e20', '--max-grad-norm', '0', '--max-steps', '20', '--tinit', '2', '--tfinal', '4', '--checkpoint-every', '2', '--out', out]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/(loss is NaN|parameters became NaN\/Infinity) at step \d+: training stopped\. The last good checkpoint is in .*checkpoint/);
    expect(existsSync(join(out, 'result.json'))).toBe(false);
    const checkpoint = json(join(out, 'checkpoint', 'state.json'));
    expect(checkpoint.step).toBeGreaterThanOrEqual(2);
  });

  it('--preset adalora-paper takes the task row and rescales the paper schedule to the run', () => {
    // RTE in the paper: 3,900 steps (⌈2490/32⌉ · 50) with tinit 600, tfinal 1800, deltaT 1; rescaled to 40 steps:
    // tinit = round(600 · 40/3900) = 6, tfinal = round(1800 · 40/3900) = 18, deltaT = max(1, round(1 · 40/3900)) = 1.
    const { code, stderr } = runCli(['train', '--preset', 'adalora-paper', '--task', 'rte', '--out', join(tempDir('preset'), 'run'), '--max-steps', '40', '--data-dir', '/nonexistent-glue']);
    // The preset resolves before the data is read: the run fails on the missing GLUE folder, after validation.
    expect(code).toBe(2);
    expect(stderr).toContain('/nonexistent-glue');
  });

  it('eval --run re-evaluates the saved adapter with the same metrics', () => {
    const out = join(tempDir('eval'), 'run');
    expect(runCli(['train', ...quickTrain, '--max-steps', '8', '--tinit', '1', '--tfinal', '3', '--out', out]).code).toBe(0);
    const { code, stdout, stderr } = runCli(['eval', '--run', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(json(join(out, 'result.json')).evals);
  });

  it('plain log lines when stderr is not a terminal', () => {
    const out = join(tempDir('log'), 'run');
    const args = quickTrain.filter((a) => a !== '--quiet');
    const { code, stderr } = runCli(['train', ...args, '--max-steps', '4', '--log-every', '2', '--tinit', '1', '--tfinal', '1', '--out', out]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^engine: wasm/m);
    expect(stderr).toMatch(/^sensitivity synth-sst2 step 2\/4 loss \d\.\d{4} lr \S+ eta \d+s$/m);
    expect(stderr).toMatch(/^step 4: validation accuracy \d\.\d{4}$/m);
  });
});

describe('data from the caches (no --data-dir)', () => {
  it('offline, a missing GLUE/SQuAD file is an error naming what to put where (no network touched)', () => {
    const home = tempDir('offline');
    const env = { HF_HOME: join(home, 'hf'), XDG_CACHE_HOME: join(home, 'xdg'), HF_HUB_OFFLINE: '1' };
    const glue = runCli(['train', '--task', 'rte', '--model', 'tiny-deberta-v3', '--max-steps', '4', '--quiet', '--out', join(home, 'rte')], env);
    expect(glue.code).toBe(1);
    expect(glue.stderr).toContain("dataset repository 'nyu-mll/glue' is not in the cache");
    const squad = runCli(['train', '--task', 'squad', '--model', 'tiny-deberta-v3', '--max-steps', '4', '--quiet', '--out', join(home, 'squad')], env);
    expect(squad.code).toBe(1);
    expect(squad.stderr).toContain(`put it at ${join(home, 'xdg', 'adalora', 'datasets', 'squad', 'train-v1.1.json')}`);
  });
});
