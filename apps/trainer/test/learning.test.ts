import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRunOptions } from '../src/config/default-run.js';
import { trainOptionSpecs } from '../src/config/train-options.js';
import { runCli, tempDir } from './cli-helpers.js';

/** The embedded default's options as CLI flags. */
const defaultFlags = Object.entries(defaultRunOptions).flatMap(([key, value]) => [`--${trainOptionSpecs.find((s) => s.key === key)?.flag}`, value as string]);

describe('the embedded default learns', () => {
  it('AdaLoRA (sensitivity) on synth-sst2 with the default settings ends well above chance (accuracy ≥ 0.65, chance 0.5)', () => {
    const out = join(tempDir('learn'), 'run');
    const { code, stderr } = runCli(['train', ...defaultFlags, '--scorer', 'sensitivity', '--quiet', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.steps).toBe(152); // ⌈1200 / 32⌉ · 4 epochs
    expect(result.evals.validation.accuracy).toBeGreaterThanOrEqual(0.65);
    // The budget fell from 12 × 8 = 96 to 12 × 4 = 48 triplets.
    expect(Object.values(result.finalRanks as Record<string, number>).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(48);
  });
});

describe('adalora default', () => {
  it('is a valid sweep: six cells (LoRA + every built-in scorer) with their learning rates', () => {
    const { code, stdout, stderr } = runCli(['sweep', '--preset', 'default', '--dry-run', '--out', join(tempDir('default'), 'sweep')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const variant of ['lora', 'sensitivity', 'movement', 'fisher', 'gsnr', 'magnitude']) expect(stdout).toContain(`variant=${variant}`);
    expect(stdout).toMatch(/variant=lora .*--lr 0\.005/);
    expect(stdout).toMatch(/variant=fisher .*--lr 0\.02/);
  });
});
