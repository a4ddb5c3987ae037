#!/usr/bin/env node
// Adds up the vitest JSON reports (`packages/*/.vitest/results.json`, `apps/*/.vitest/results.json`)
// into the one closing line CI reads: `N passed, N failed` (`, N skipped` when some were skipped).
// Exits 1 when a test failed, when a report is missing for a package that has tests, or when no test ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
let problems = 0;
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const report = join(dir, name, '.vitest', 'results.json');
    if (!existsSync(report)) {
      if (existsSync(join(dir, name, 'package.json'))) {
        console.error(`test-summary: no report from ${group}/${name} (its tests did not run or did not load): counted as 1 failed`);
        problems++;
        failed++;
      }
      continue;
    }
    const results = JSON.parse(readFileSync(report, 'utf8'));
    passed += results.numPassedTests ?? 0;
    failed += results.numFailedTests ?? 0;
    skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
    // A file that failed to load has no tests in it, but it did fail.
    for (const file of results.testResults ?? []) {
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++;
    }
  }
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
if (failed > 0 || problems > 0 || passed === 0) process.exit(1);
