import { describe, expect, it } from 'vitest';
import { UnknownImplementationError } from './errors.js';
import { createRegistry } from './registry.js';

describe('createRegistry', () => {
  const base = createRegistry('score function', { sensitivity: 1, movement: 2 });

  it('gets known ids and lists them in order', () => {
    expect(base.get('movement')).toBe(2);
    expect(base.ids()).toEqual(['sensitivity', 'movement']);
    expect(base.entries()).toEqual([['sensitivity', 1], ['movement', 2]]);
  });

  it('resolve throws an error listing the available ids', () => {
    expect(base.resolve('sensitivity')).toBe(1);
    let caught: unknown;
    try {
      base.resolve('fisher');
    } catch (e) {
      caught = e;
    }
    expect(UnknownImplementationError.isInstance(caught)).toBe(true);
    expect((caught as UnknownImplementationError).available).toEqual(['movement', 'sensitivity']);
    expect((caught as UnknownImplementationError).kind).toBe('score function');
  });

  it('has narrows strings; extend returns a wider registry and leaves the original alone', () => {
    const wider = base.extend({ fisher: 3 });
    expect(wider.get('fisher')).toBe(3);
    expect(wider.has('fisher')).toBe(true);
    expect(base.has('fisher')).toBe(false);
    expect(wider.ids()).toEqual(['sensitivity', 'movement', 'fisher']);
  });
});
