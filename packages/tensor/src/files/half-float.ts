/**
 * IEEE 754 half precision (F16) and bfloat16 (BF16) ⇄ float32, bit-exact.
 *
 * Widening is exact (every F16 and BF16 value is a float32). Narrowing rounds to nearest, ties to even,
 * like PyTorch's `tensor.half()` / `tensor.bfloat16()` and numpy's `astype(float16)`: overflow gives
 * ±Infinity, values below half the smallest subnormal give ±0, NaN stays NaN.
 * Node 20 has no `Float16Array`, hence these few lines.
 */

let f16Table: Float32Array | undefined;

/** float32 value of every one of the 65536 F16 bit patterns, built once on first use. */
function float16Table(): Float32Array {
  if (f16Table !== undefined) return f16Table;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >>> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    // value = (-1)^s · 2^(e-15) · (1 + m/1024); subnormals (e = 0): (-1)^s · 2^-14 · m/1024
    if (exponent === 0) table[bits] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) table[bits] = mantissa === 0 ? sign * Infinity : NaN;
    else table[bits] = sign * (1024 + mantissa) * 2 ** (exponent - 25);
  }
  f16Table = table;
  return table;
}

/** Widens F16 bit patterns to float32 values. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

/** Widens BF16 bit patterns to float32: a BF16 value is the upper half of a float32's bits. */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i]! << 16;
  return new Float32Array(out.buffer);
}

/** Rounds one float32 (given as its bits) to the nearest F16 bit pattern, ties to even. */
function float32BitsToFloat16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200 | (mantissa >>> 13));
  const e = exponent - 127 + 15; // the F16 biased exponent before rounding
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // F16 subnormal: value / 2^-24 = (2^23 + m) · 2^(e - 14), so shift the 24-bit significand right by 14 - e.
    if (e < -10) return sign; // below 2^-25: rounds to zero
    const significand = mantissa | 0x800000;
    const shift = 14 - e;
    let half = significand >>> shift;
    const rest = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half; // may carry into the smallest normal, which is the right bit pattern
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++; // a carry may reach Infinity: correct
  return sign | half;
}

/** Rounds float32 values to F16 bit patterns (nearest, ties to even). */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32BitsToFloat16(bits[i]!);
  return out;
}

/** Rounds float32 values to BF16 bit patterns (nearest, ties to even; NaN stays a quiet NaN). */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    if ((x & 0x7fffffff) > 0x7f800000) out[i] = (x >>> 16) | 0x40;
    else out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16; // x ≤ 0xFF800000 here: the sum stays below 2^32
  }
  return out;
}
