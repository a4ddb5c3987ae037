import { describe, expect, it } from 'vitest';
import { readmeExample } from '../../../test-support/readme-example.ts';

const { block, run } = readmeExample(new URL('..', import.meta.url));

describe('README example', () => {
  it('runs against the built package (dist/) in plain Node and prints what the README says', () => {
    // Node resolves '@adalora/adapters' to this package's own exports map (self-reference), i.e. dist/.
    const out = run();
    expect(out).toBe(block('text'));
    // The example's own checks: merging keeps the outputs; the reloaded adapter is the trained one.
    expect(out).toMatch(/merged = unmerged: true\nranks after load: 3, 1\nreloaded = trained: true/);
  });
});
