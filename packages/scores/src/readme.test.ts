import { describe, expect, it } from 'vitest';
import { readmeExample } from '../../../test-support/readme-example.ts';

const { block, run } = readmeExample(new URL('..', import.meta.url));

describe('README example', () => {
  it('runs against the built package (dist/) in plain Node and prints what the README says', () => {
    // Node resolves '@adalora/scores' to this package's own exports map (self-reference), i.e. dist/.
    const out = run();
    const printed = out.split('\n').filter((line) => line.startsWith('step ')).join('\n');
    expect(`${printed}\n`).toBe(block('text'));
  });
});
