// Helpers shared by this package's tests (not exported by the package).
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export type Nested = number | Nested[];

/** The golden file's nested lists as a float32 tensor (values rounded to float32, shape kept). */
export function tensorOf(nested: Nested): Tensor {
  return tf.tensor(nested as number[]);
}

/** Row-major flattening of a golden nested list. */
export function flat(nested: Nested): number[] {
  return Array.isArray(nested) ? nested.flatMap(flat) : [nested];
}

/**
 * Golden values are float64, ours float32. Comparison: `|ours − golden| ≤ 1e-6 · max(|golden|, scale)`
 * per entry. `scale` is the magnitude of the terms that were summed to produce the value: 0 (pure
 * relative) for quantities built from non-negative terms (no cancellation), and the size of the
 * cancelling terms for signed sums (see each test), because float32 rounding of a sum is proportional to
 * the sum of the absolute terms, not to the result. Values that are exactly 0 in float64 must be 0.
 */
export function expectClose(ours: ArrayLike<number>, golden: readonly number[], what: string, scale?: readonly number[]): number {
  expect(ours.length, `${what}: length`).toBe(golden.length);
  let worst = 0;
  for (let i = 0; i < golden.length; i++) {
    const g = golden[i] as number;
    const o = ours[i] as number;
    const denominator = Math.max(Math.abs(g), scale?.[i] ?? 0);
    const ratio = denominator === 0 ? (o === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.abs(o - g) / denominator;
    if (!(ratio <= 1e-6)) expect.fail(`${what}[${i}]: ours ${o}, golden ${g}, |Δ|/max(|golden|, scale) = ${ratio} > 1e-6`);
    worst = Math.max(worst, ratio);
  }
  return worst;
}

/** Values of a tensor (synchronous read) and dispose it. */
export function take(tensor: Tensor): Float32Array {
  const values = Float32Array.from(tensor.dataSync());
  tensor.dispose();
  return values;
}
