import { describe, expect, it } from 'vitest';
import { AdaLoraError, InvalidConfigError, UnknownImplementationError, UnsupportedInputError, editDistance } from './errors.js';

describe('AdaLoraError identity', () => {
  it('recognises errors by marker, also from another copy of the class', () => {
    // A second copy of the package defines a structurally separate class with the same Symbol.for marker.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('adalora.error')]: true });
    expect(AdaLoraError.isInstance(foreign)).toBe(true);
    expect(AdaLoraError.isInstance(new Error('plain'))).toBe(false);
    expect(AdaLoraError.isInstance(null)).toBe(false);
    expect(AdaLoraError.isInstance('adalora.error')).toBe(false);
  });

  it('subclasses are base instances but not each other', () => {
    const e = new InvalidConfigError({ field: 'tinit', value: 10, reason: 'must be < 5' });
    expect(AdaLoraError.isInstance(e)).toBe(true);
    expect(InvalidConfigError.isInstance(e)).toBe(true);
    expect(UnknownImplementationError.isInstance(e)).toBe(false);
    expect(e).toBeInstanceOf(Error);
  });
});

describe('error data', () => {
  it('UnknownImplementationError lists the ids and suggests near ones', () => {
    const e = new UnknownImplementationError({ kind: 'score function', id: 'fisherr', available: ['gsnr', 'fisher', 'movement'] });
    expect(e.available).toEqual(['fisher', 'gsnr', 'movement']);
    expect(e.message).toBe("Unknown score function 'fisherr'. Available: 'fisher', 'gsnr', 'movement'. Did you mean 'fisher'?");
  });

  it('InvalidConfigError names the field, the value and the reason', () => {
    const e = new InvalidConfigError({ field: 'deltaT', value: 0, reason: 'must be an integer ≥ 1' });
    expect(e.field).toBe('deltaT');
    expect(e.value).toBe(0);
    expect(e.message).toBe("Invalid config 'deltaT' = 0: must be an integer ≥ 1");
  });

  it('UnsupportedInputError names the source and what was expected', () => {
    const e = new UnsupportedInputError({ source: 'train.tsv:12', expected: '3 columns', found: '2' });
    expect(e.message).toBe('train.tsv:12: expected 3 columns, found 2');
    expect(UnsupportedInputError.isInstance(e)).toBe(true);
  });
});

describe('editDistance', () => {
  it('matches hand-computed distances', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
