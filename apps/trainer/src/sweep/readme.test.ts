import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { adalora } from './test-support/cli.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'README.md'), 'utf8');
const block = (lang: string) => readme.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'))?.[1] ?? '';
const dir = mkdtempSync(join(tmpdir(), 'adalora-sweep-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the README grid gives the README dry-run listing (built CLI)', () => {
  writeFileSync(join(dir, 'lr-study.yaml'), block('yaml'));
  const result = adalora(['sweep', '--grid', 'lr-study.yaml', '--dry-run'], { cwd: dir });
  expect(result.status, result.stderr).toBe(0);
  expect(block('text')).toContain('variant=fisher,lr=0.001,seed=2');
  expect(result.stdout).toBe(block('text'));
});
