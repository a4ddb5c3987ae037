import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// CONTRIBUTING.md shows test/taylor2/taylor2.ts and its test verbatim; those files run with this
// package's tests (against dist/, as a contributor's code would), so the guide cannot go stale.
const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('CONTRIBUTING.md', () => {
  const guide = read('../CONTRIBUTING.md');
  const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

  it('shows the tested example files verbatim', () => {
    expect(blocks).toEqual([read('../test/taylor2/taylor2.ts'), read('../test/taylor2/taylor2.test.ts')]);
  });

  it('stays under 60 lines and shows the trainer flags', () => {
    expect(guide.trimEnd().split('\n').length).toBeLessThan(60);
    expect(guide).toContain(`adalora train --task sst2 --scorer taylor2 --scorer-module ./taylor2.js --scorer-options '{"beta":0.9}'`);
    expect(guide).toContain('scoreFunctions.extend({ taylor2 })');
  });
});
