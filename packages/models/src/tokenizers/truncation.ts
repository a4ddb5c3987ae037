import { InvalidConfigError, longestFirstLengths, strideWindows } from '@adalora/core';
import type { TokenRange } from '@adalora/core';

export { longestFirstLengths, strideWindows };
export type { TokenRange };

/**
 * How a pair (or a single text) is cut to `maxLength`, with the names of transformers' `truncation` argument.
 * `longest_first` is `truncation=True`.
 */
export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

/**
 * Windows of each text after truncation to `budget` tokens (maxLength minus the specials), as the Rust
 * `truncate_encodings` + `Encoding::truncate` do; right-side truncation only. `b` is null for a single text.
 */
export function truncationWindows(
  lengthA: number,
  lengthB: number | null,
  budget: number,
  strategy: TruncationStrategy,
  stride: number,
): { a: TokenRange[]; b: TokenRange[] | null } {
  const total = lengthA + (lengthB ?? 0);
  if (total <= budget) return { a: [{ start: 0, end: lengthA }], b: lengthB === null ? null : [{ start: 0, end: lengthB }] };
  const toRemove = total - budget;
  if (strategy === 'longest_first') {
    if (lengthB === null) return { a: strideWindows(lengthA, budget, stride), b: null };
    const [la, lb] = longestFirstLengths(lengthA, lengthB, budget);
    return { a: strideWindows(lengthA, la, stride), b: strideWindows(lengthB, lb, stride) };
  }
  if (strategy === 'only_second' && lengthB === null) {
    throw new InvalidConfigError({ field: 'truncation', value: strategy, reason: 'needs a pair of texts; a single text was given (use longest_first or only_first)' });
  }
  const targetLength = strategy === 'only_first' ? lengthA : (lengthB as number);
  if (targetLength <= toRemove) {
    const which = strategy === 'only_first' ? 'first' : 'second';
    throw new InvalidConfigError({
      field: 'maxLength',
      value: budget,
      reason: `the ${which} text has ${targetLength} tokens but ${toRemove} must be removed to fit (${strategy} cannot cut the other text); raise maxLength or shorten the other text`,
    });
  }
  const windows = strideWindows(targetLength, targetLength - toRemove, stride);
  if (strategy === 'only_first') return { a: windows, b: lengthB === null ? null : [{ start: 0, end: lengthB }] };
  return { a: [{ start: 0, end: lengthA }], b: windows };
}

/**
 * The order in which the Rust post-processor (`Encoding::merge_with`) emits the windows of a pair when
 * both texts overflow: first `(a0, b0)`, then for each later window of the first text `(ai, b0), (ai, b1), …`,
 * then `(a0, b1), (a0, b2), …`. With only one side overflowing this is simply window by window.
 */
export function windowPairs(aCount: number, bCount: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [[0, 0]];
  for (let i = 1; i < aCount; i++) for (let j = 0; j < bCount; j++) pairs.push([i, j]);
  for (let j = 1; j < bCount; j++) pairs.push([0, j]);
  return pairs;
}
