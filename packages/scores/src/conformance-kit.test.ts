import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The kit must fail for scorers that break the contract, not only pass for good ones. This runs the
// kit on src/__fixtures__/broken-scorers.kit.ts in a child vitest and reads which checks failed.
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const vitestCli = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const outDir = mkdtempSync(join(tmpdir(), 'scores-kit-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

interface Report {
  testResults: Array<{ assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }> }>;
}

function failedChecks(): Map<string, string[]> {
  const outputFile = join(outDir, 'report.json');
  try {
    execFileSync(process.execPath, [vitestCli, 'run', '--config', 'src/__fixtures__/kit.vitest.config.ts', '--reporter=json', `--outputFile=${outputFile}`], {
      cwd: packageRoot,
      stdio: 'pipe',
      env: { ...process.env, CI: '' },
    });
  } catch {
    // vitest exits 1 because the broken scorers fail: expected; the report says which.
  }
  const report = JSON.parse(readFileSync(outputFile, 'utf8')) as Report;
  const failed = new Map<string, string[]>();
  for (const result of report.testResults.flatMap((r) => r.assertionResults)) {
    const id = result.ancestorTitles[0]?.match(/'(.+)'/)?.[1] ?? '?';
    if (!failed.has(id)) failed.set(id, []);
    if (result.status !== 'passed') failed.get(id)?.push(result.title);
  }
  return failed;
}

describe('the conformance kit rejects broken scorers', () => {
  const failed = failedChecks();
  const titles = (id: string) => (failed.get(id) ?? []).join('\n');

  it('runs every scorer of the fixture and passes the correct one (fisher) completely', () => {
    expect([...failed.keys()].sort()).toEqual(['broadcaster', 'fisher', 'flattener', 'grad-disposer', 'leaky', 'nan-on-zero', 'overflow', 'random']);
    expect(failed.get('fisher')).toEqual([]);
  });

  it.each([
    ['leaky', /live-tensor count unchanged[\s\S]*releases every tensor/],
    ['random', /bit-identical/],
    ['overflow', /gradients of size 1000000000000000 give finite scores/],
    ['nan-on-zero', /all-zero gradients give finite scores/],
    ['broadcaster', /rejects a gradient or value whose shape differs/],
    ['grad-disposer', /neither disposes nor modifies/],
    ['flattener', /has the parameter's shape/],
  ])("catches '%s'", (id, expected) => {
    expect(titles(id)).toMatch(expected);
  });
});
