import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

it("the README's example runs against dist/ and prints what its comments say", () => {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const dist = pathToFileURL(join(packageRoot, 'dist', 'index.js')).href;
  const script = (block as string).replace("from '@adalora/datasets'", `from '${dist}'`);
  const file = join(mkdtempSync(join(tmpdir(), 'adalora-readme-')), 'example.mjs');
  writeFileSync(file, script);
  const lines = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim().split('\n');
  // Each expected line is the comment after the console.log in the README.
  const expected = [...(block as string).matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
  expect(expected).toHaveLength(5);
  expect(lines).toEqual(expected);
});
