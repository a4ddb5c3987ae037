import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { quickTrain, runCli, tempDir } from './cli-helpers.js';

const taylor2 = fileURLToPath(new URL('./fixtures/taylor2.mjs', import.meta.url));
const short = [...quickTrain, '--max-steps', '6', '--tinit', '1', '--tfinal', '2'];

describe('score functions from the command line', () => {
  it('every built-in scorer trains with its own options from --beta1/--beta2', () => {
    const root = tempDir('scorers');
    for (const scorer of ['sensitivity', 'movement', 'fisher', 'gsnr', 'magnitude']) {
      const { code, stderr } = runCli(['train', ...short, '--scorer', scorer, '--beta1', '0.9', '--out', join(root, scorer)]);
      expect(stderr, scorer).toBe('');
      expect(code, scorer).toBe(0);
    }
  });

  it('--scorer-module adds a contributed scorer (CONTRIBUTING.md taylor2), and --scorer-options reaches it', () => {
    const out = join(tempDir('taylor2'), 'run');
    const { code, stderr } = runCli(['train', ...short, '--scorer', 'taylor2', '--scorer-module', taylor2, '--scorer-options', '{"beta":0.5}', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).scorer).toBe('taylor2');
    const bad = runCli(['train', ...short, '--scorer', 'taylor2', '--scorer-module', taylor2, '--scorer-options', '{"beta":2}', '--out', out, '--overwrite']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('taylor2: beta must be in (0, 1), got 2');
    const unknown = runCli(['train', ...short, '--scorer', 'taylor3', '--scorer-module', taylor2, '--out', out, '--overwrite']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown score function 'taylor3'");
    expect(unknown.stderr).toContain("'taylor2'");
  });
});
