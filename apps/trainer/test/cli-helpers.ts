import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI: tests run what users run. */
export const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** A fresh temporary folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `adalora-${prefix}-`));
}

/** Runs `adalora <args>` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `adalora <args>` and returns the child process. */
export function startCli(args: string[]) {
  return spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Small but real training settings on the tiny model and synth-sst2 (each run takes seconds). */
export const quickTrain = [
  '--model', 'tiny-deberta-v3', '--task', 'synth-sst2', '--train-limit', '256', '--eval-limit', '64', '--batch-size', '16',
  '--max-length', '48', '--init-r', '4', '--target-r', '2', '--alpha', '16', '--lr', '1e-2', '--gradient-checkpointing', 'false', '--quiet',
];
