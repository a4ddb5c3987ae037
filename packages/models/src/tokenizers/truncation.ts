import { InvalidConfigError } from '@adalora/core';

/**
 * How a pair (or a single text) is cut to `maxLength`, with the names of transformers' `truncation` argument.
 * `longest_first` is `truncation=True`.
 */
export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

/** One window of a sequence: token indices `[start, end)`. */
export interface TokenRange {
  start: number;
  end: number;
}

/**
 * The windows `Encoding::truncate(maxLen, stride)` of Hugging Face `tokenizers` (Rust, ≤ 0.22) cuts a
 * sequence of `length` tokens into: window k covers `[k·(maxLen − stride), k·(maxLen − stride) + maxLen)`,
 * clipped to the length, and windows are made until one reaches the end, so there are
 * `1 + ceil((length − maxLen) / (maxLen − stride))` of them. A sequence that fits gives one window.
 * `field` names the option in errors.
 */
export function strideWindows(length: number, maxLen: number, stride: number, field = 'stride'): TokenRange[] {
  if (maxLen >= length) return [{ start: 0, end: length }];
  if (maxLen <= 0) {
    throw new InvalidConfigError({
      field: 'maxLength',
      value: maxLen,
      reason: `no room is left for the text to truncate (${length} tokens) once the other text and the special tokens are counted`,
    });
  }
  if (stride >= maxLen) {
    throw new InvalidConfigError({
      field,
      value: stride,
      reason: `must be strictly less than the ${maxLen} tokens left for the truncated text in each window (maxLength minus the other text and the special tokens)`,
    });
  }
  const step = maxLen - stride;
  const windows: TokenRange[] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(start + maxLen, length);
    windows.push({ start, end });
    if (end === length) break;
  }
  return windows;
}

/**
 * Target lengths of the two texts of a pair under `longest_first`, exactly as the Rust `truncate_encodings`
 * of `tokenizers` (the fast tokenizers transformers uses) computes them, with `budget = maxLength − specials`:
 * let `s` be the shorter and `l` the longer length (when equal, the first text counts as the shorter).
 * Nothing is cut when `s + l ≤ budget`. Otherwise `l' = s` if `s > budget`, else `max(s, budget − s)`; if
 * `s + l' > budget` then `s' = ⌊budget/2⌋` and `l' = s' + budget mod 2`. (The slow Python tokenizers instead
 * drop one token at a time from the longer text, which can hand the spare token to the other text.)
 */
export function longestFirstLengths(lengthA: number, lengthB: number, budget: number): [number, number] {
  if (lengthA + lengthB <= budget) return [lengthA, lengthB];
  const swap = lengthA > lengthB;
  let short = swap ? lengthB : lengthA;
  let long: number;
  if (short > budget) long = short;
  else long = Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  const [newShort, newLong] = [Math.min(short, swap ? lengthB : lengthA), Math.min(long, swap ? lengthA : lengthB)];
  return swap ? [newLong, newShort] : [newShort, newLong];
}

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
