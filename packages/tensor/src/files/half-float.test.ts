import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './half-float.js';

// Expected values are derived by hand from the IEEE 754 binary16 layout (1 sign, 5 exponent bits with
// bias 15, 10 mantissa bits) and bfloat16 (the upper 16 bits of a float32), and ties-to-even rounding.

const f16 = (bits: number[]) => float16ToFloat32(Uint16Array.from(bits));
const toF16 = (values: number[]) => [...float32ToFloat16(Float32Array.from(values))];
const bf16 = (bits: number[]) => bfloat16ToFloat32(Uint16Array.from(bits));
const toBf16 = (values: number[]) => [...float32ToBfloat16(Float32Array.from(values))];

describe('F16 → float32', () => {
  it('decodes zeros, normals, subnormals, infinities and NaN', () => {
    const out = f16([0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x3555, 0x7c00, 0xfc00, 0x7e00]);
    expect(Object.is(out[0], 0)).toBe(true);
    expect(Object.is(out[1], -0)).toBe(true);
    expect([...out.slice(2, 11)]).toEqual([
      1, // 0x3C00: exponent 15 → 2^0
      -2, // 0xC000: sign, exponent 16
      65504, // 0x7BFF: (2 − 2^-10) · 2^15, the largest finite
      2 ** -14, // 0x0400: smallest normal
      2 ** -24, // 0x0001: smallest subnormal
      1023 * 2 ** -24, // 0x03FF: largest subnormal
      0.333251953125, // 0x3555: (1 + 341/1024) · 2^-2
      Infinity,
      -Infinity,
    ]);
    expect(out[11]).toBeNaN();
  });
});

describe('float32 → F16, round to nearest even', () => {
  it('encodes exact values', () => {
    expect(toF16([1, -2, 65504, 2 ** -14, 2 ** -24, 0.333251953125, Infinity, -Infinity])).toEqual([
      0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x3555, 0x7c00, 0xfc00,
    ]);
    expect(toF16([-0])).toEqual([0x8000]);
  });

  it('rounds normals to nearest, ties to even, and overflows to Infinity', () => {
    expect(toF16([0.1])).toEqual([0x2e66]); // 0.1 = 1.6·2^-4, mantissa 0.6·1024 = 614.4 → 614 = 0x266
    expect(toF16([1 + 2 ** -11])).toEqual([0x3c00]); // halfway between 0x3C00 (even) and 0x3C01
    expect(toF16([1 + 3 * 2 ** -11])).toEqual([0x3c02]); // halfway between 0x3C01 and 0x3C02 (even)
    expect(toF16([65519])).toEqual([0x7bff]); // below the midpoint 65520
    expect(toF16([65520])).toEqual([0x7c00]); // the midpoint: 0x7BFF is odd, so up to Infinity
    expect(toF16([1e6])).toEqual([0x7c00]);
  });

  it('rounds subnormals, ties to even, and underflows to signed zero', () => {
    expect(toF16([2 ** -25])).toEqual([0x0000]); // halfway between 0 (even) and 2^-24
    expect(toF16([1.5 * 2 ** -25])).toEqual([0x0001]);
    expect(toF16([3 * 2 ** -25])).toEqual([0x0002]); // 1.5 · 2^-24: halfway between 1 and 2 (even)
    expect(toF16([1023.5 * 2 ** -24])).toEqual([0x0400]); // halfway, 1023 is odd: carries into the smallest normal
    expect(toF16([1e-10, -1e-10])).toEqual([0x0000, 0x8000]);
  });

  it('keeps NaN a NaN', () => {
    const [bits] = toF16([NaN]);
    expect((bits! & 0x7c00) === 0x7c00 && (bits! & 0x3ff) !== 0).toBe(true);
  });

  it('round-trips every non-NaN F16 bit pattern through float32', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((b) => (b & 0x7c00) !== 0x7c00 || (b & 0x3ff) === 0);
    expect(float32ToFloat16(float16ToFloat32(all))).toEqual(all);
  });
});

describe('BF16 ⇄ float32', () => {
  it('decodes as the upper half of a float32', () => {
    expect([...bf16([0x3f80, 0xc040, 0x3e4d, 0xff80, 0x0001])]).toEqual([1, -3, 0.2001953125, -Infinity, 2 ** -133]);
  });

  it('rounds to nearest, ties to even', () => {
    // 0.2 is float32 0x3E4CCCCD: the dropped half 0xCCCD > 0x8000, so round up to 0x3E4D.
    expect(toBf16([0.2, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -0])).toEqual([0x3e4d, 0x3f80, 0x3f82, 0x8000]);
    expect(toBf16([3.4028234663852886e38, -Infinity])).toEqual([0x7f80, 0xff80]); // the largest float32 rounds up to Infinity
    const [nan] = toBf16([NaN]);
    expect((nan! & 0x7f80) === 0x7f80 && (nan! & 0x7f) !== 0).toBe(true);
  });
});
