import { describe, expect, it } from 'vitest';
import { readmeExample } from '../../../test-support/readme-example.ts';

const { block, run } = readmeExample(new URL('..', import.meta.url));

describe('README example', () => {
  it('runs against the built package (dist/) and prints what the README says', () => {
    expect(run()).toBe(block('text'));
  });
});
