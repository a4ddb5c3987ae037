import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quickTrain, runCli, startCli, tempDir } from './cli-helpers.js';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('adalora train (built CLI)', () => {
  it('writes the run folder: config, metrics, PEFT adapter, rank pattern, result', () => {
    const out = join(tempDir('train'), 'run');
    const { code, stderr } = runCli(['train', ...quickTrain, '--max-steps', '12', '--tinit', '2', '--tfinal', '4', '--log-every', '1', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const config = json(join(out, 'config.json'));
    expect(config.totalSteps).toBe(12);
    expect(config.schedule).toEqual({ totalStep: 12, tinit: 2, tfinal: 4, deltaT: 1 });
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = metrics.filter((m) => typeof m.loss === 'number');
    expect(steps.map((m) => m.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // b_init = 12 matrices × 4 = 48 until tinit, then the cubic decay to b_target = 12 × 2 = 24 from T − tfinal = 8 on.
    expect(steps[0].budget).toBe(48);
    expect(steps.at(-1).budget).toBe(24);
    expect(steps.at(-1).ranks).toBeDefined();
    const adapterConfig = json(join(out, 'adapter', 'adapter_config.json'));
    expect(adapterConfig.peft_type).toBe('ADALORA');
    expect(adapterConfig.init_r).toBe(4);
    const pattern = json(join(out, 'rank_pattern.json'));
    expect(Object.values(pattern.ranks as Record<string, number>).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(24);
    const result = json(join(out, 'result.json'));
    expect(result.evals.validation.accuracy).toBeGreaterThanOrEqual(0);
    expect(result.primary.key).toBe('accuracy');
  });

  it('refuses an existing run folder unless --overwrite or --resume (exit 2)', () => {
    const out = tempDir('exists');
    writeFileSync(join(out, 'something'), 'x');
    const { code, stderr } = runCli(['train', ...quickTrain, '--max-steps', '2', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain('the run folder exists and is not empty: pass --resume to continue it or --overwrite to replace it');
  });

  it('bad input: unknown scorer/task/model list the known ones; a schedule that does not fit says what would (exit 2)', () => {
    const out = join(tempDir('bad'), 'run');
    const scorer = runCli(['train', ...quickTrain, '--scorer', 'fishr', '--out', out]);
    expect(scorer.code).toBe(2);
    expect(scorer.stderr).toContain("Unknown score function 'fishr'. Available: 'fisher', 'gsnr', 'magnitude', 'movement', 'sensitivity'. Did you mean 'fisher'?");
    const task = runCli(['train', ...quickTrain, '--task', 'sst3', '--out', out, '--overwrite']);
    expect(task.code).toBe(2);
    expect(task.stderr).toMatch(/Unknown task 'sst3'\. Available: .*'sst2'/);
    const model = runCli(['train', ...quickTrain, '--model', './no-such-model', '--out', out, '--overwrite']);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain('./no-such-model');
    const schedule = runCli(['train', ...quickTrain, '--max-steps', '10', '--tinit', '6', '--tfinal', '5', '--out', out, '--overwrite']);
    expect(schedule.code).toBe(2);
    expect(schedule.stderr).toContain("tinit + tfinal must be < the run's 10 optimizer steps to leave a decay phase; e.g. --tinit 1 --tfinal 3");
    const flag = runCli(['train', ...quickTrain, '--init-r', 'x', '--out', out, '--overwrite']);
    expect(flag.code).toBe(2);
  });

  it('a model folder without weights is a clear error naming the folder', () => {
    const dir = tempDir('noweights');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8, vocab_size: 10 }));
    const { code, stderr } = runCli(['train', ...quickTrain, '--model', dir, '--out', join(dir, 'run')]);
    expect(code).toBe(2);
    expect(stderr).toContain(dir);
    expect(stderr).toMatch(/model\.safetensors/);
  });

  it('resume after SIGKILL ends with the same metrics and adapter as an uninterrupted run', async () => {
    const root = tempDir('resume');
    const args = [...quickTrain, '--max-steps', '24', '--tinit', '4', '--tfinal', '8', '--checkpoint-every', '4', '--eval-every', '12'];
    const straight = runCli(['train', ...args, '--out', join(root, 'straight')]);
    expect(straight.code).toBe(0);

    const killed = join(root, 'killed');
    const child = startCli(['train', ...args, '--out', killed]);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        // Kill once a checkpoint past the middle of the run exists (the run is then mid-way).
        const meta = join(killed, 'checkpoint', 'state.json');
        if (existsSync(meta) && JSON.parse(readFileSync(meta, 'utf8')).step >= 12) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(poll);
        resolve();
      });
    });
    expect(existsSync(join(killed, 'result.json'))).toBe(false);
    const resumed = runCli(['train', '--resume', '--out', killed, '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(json(join(killed, 'result.json')).evals).toEqual(json(join(root, 'straight', 'result.json')).evals);
    expect(readFileSync(join(killed, 'adapter', 'adapter_model.safetensors'))).toEqual(readFileSync(join(root, 'straight', 'adapter', 'adapter_model.safetensors')));
    const losses = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => typeof m.loss === 'number').map((m) => [m.step, m.loss]);
    expect(losses(killed)).toEqual(losses(join(root, 'straight')));
  });
});
