import { expect } from 'vitest';

type Nested = number | readonly Nested[];

/** Flattens nested row-major lists (`[[e0],[e1]]`, `[[a, b], [c, d]]`) into one array. */
export function flat(value: Nested): number[] {
  return Array.isArray(value) ? (value as readonly Nested[]).flatMap((v) => flat(v)) : [value as number];
}

/**
 * Asserts `|actual_i − expected_i| ≤ rtol · max(|expected_i|, floor)` for every element, i.e. a relative
 * tolerance that turns into an absolute one (`rtol · floor`) for entries near zero, where float32
 * rounding of the operands, not of the result, dominates. Reports the worst element on failure.
 */
export function expectClose(actual: ArrayLike<number>, expected: Nested, options: { rtol: number; floor?: number; label?: string }): void {
  const want = flat(expected);
  const floor = options.floor ?? 1;
  expect(actual.length, `${options.label ?? ''} length`).toBe(want.length);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < want.length; i++) {
    const e = want[i] as number;
    const a = actual[i] as number;
    const diff = Math.abs(a - e);
    const ratio = diff === 0 ? 0 : diff / (options.rtol * Math.max(Math.abs(e), floor));
    if (!(ratio <= worstRatio)) {
      worstRatio = Number.isNaN(ratio) ? Infinity : ratio;
      worst = i;
    }
  }
  if (worstRatio > 1) {
    expect.fail(
      `${options.label ?? 'values'}: element ${worst} is ${actual[worst]}, expected ${want[worst]} (rtol ${options.rtol}, floor ${floor}; off by ${worstRatio.toFixed(2)}× the tolerance)`,
    );
  }
}
