import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adalora, startAdalora } from '../src/sweep/test-support/cli.js';

/** A fresh temporary folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `adalora-${prefix}-`));
}

/** Runs the built `adalora <args>` to completion, with `env` added to this process's environment. */
export function runCli(args: string[], env: Record<string, string> = {}) {
  const result = adalora(args, { env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the built `adalora <args>` and returns the child process. */
export function startCli(args: string[]) {
  return startAdalora(args).child;
}

/** Small but real training settings on the tiny model and synth-sst2 (each run takes seconds). */
export const quickTrain = [
  '--model', 'tiny-deberta-v3', '--task', 'synth-sst2', '--train-limit', '256', '--eval-limit', '64', '--batch-size', '16',
  '--max-length', '48', '--init-r', '4', '--target-r', '2', '--alpha', '16', '--lr', '1e-2', '--gradient-checkpointing', 'false', '--quiet',
];
