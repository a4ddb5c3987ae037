/** Test helpers: run the built `adalora` CLI (dist/bin.js) in a child Node process. Test-only. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI under test. */
export const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'bin.js');

/** Train flags that make a cell tiny (a few seconds): 4 optimizer steps of 8 examples, 32 eval examples. */
export const tinyCell = ['--max-steps', '4', '--train-limit', '64', '--eval-limit', '32', '--batch-size', '8', '--max-length', '32', '--init-r', '4', '--target-r', '2', '--tinit', '1', '--tfinal', '1'];

/** Runs `adalora <args>` to the end. */
export function adalora(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: options.cwd, env: options.env ?? process.env, timeout: 240_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `adalora <args>` and returns the child (its output is collected in `output()`). */
export function startAdalora(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

/** Polls `check` every `everyMs` until it is true, or fails after `timeoutMs` naming `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}
