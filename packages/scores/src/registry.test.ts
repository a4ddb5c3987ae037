import { UnknownImplementationError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { fisher } from './fisher.js';
import { scoreFunctions } from './registry.js';

describe('scoreFunctions', () => {
  it('holds the five built-ins as factories, in the order of the design table', () => {
    expect(scoreFunctions.kind).toBe('score function');
    expect(scoreFunctions.ids()).toEqual(['sensitivity', 'movement', 'fisher', 'gsnr', 'magnitude']);
    for (const [id, factory] of scoreFunctions.entries()) {
      const scorer = factory();
      expect([scorer.id, scorer.specificationVersion]).toEqual([id, 'v1']);
    }
  });

  it('passes options through and validates them', () => {
    expect(() => scoreFunctions.resolve('fisher')({ beta: 2 })).toThrow(/'fisher.beta' = 2/);
    expect(scoreFunctions.get('fisher')).toBe(fisher);
  });

  it('an unknown id (a CLI flag) fails listing the known ones, with a suggestion', () => {
    let error: unknown;
    try {
      scoreFunctions.resolve('fischer');
    } catch (e) {
      error = e;
    }
    expect(UnknownImplementationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "Unknown score function 'fischer'. Available: 'fisher', 'gsnr', 'magnitude', 'movement', 'sensitivity'. Did you mean 'fisher'?",
    );
  });

  it('extend adds a scorer without changing the built-in registry', () => {
    const extended = scoreFunctions.extend({ mine: fisher });
    expect(extended.has('mine')).toBe(true);
    expect(scoreFunctions.has('mine')).toBe(false);
    // @ts-expect-error ids are part of the type: 'mine' is not a built-in
    expect(scoreFunctions.get('mine')).toBeUndefined();
  });
});
