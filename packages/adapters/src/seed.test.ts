import { describe, expect, it } from 'vitest';
import { deriveSeed } from './seed.js';

describe('deriveSeed', () => {
  it('is a pure function of (seed, label) giving a positive 31-bit integer, never 0 (tfjs reads 0 as "unseeded")', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      for (const label of ['a', 'b', 'layers.0.proj.lora_A', 'layers.0.proj.lora_B', '']) {
        const s = deriveSeed(seed, label);
        expect(Number.isInteger(s) && s >= 1 && s <= 0x7fffffff).toBe(true);
        expect(deriveSeed(seed, label)).toBe(s);
        seen.add(s);
      }
    }
    expect(seen.size).toBe(250); // no collisions among these
    expect(deriveSeed(1, 'x')).not.toBe(deriveSeed(2 ** 32 + 1, 'x'));
  });
});
