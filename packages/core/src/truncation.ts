import { InvalidConfigError } from './errors.js';

/**
 * Truncation rules of Hugging Face's fast tokenizers (Rust `tokenizers` ≤ 0.22), as pure functions over
 * token counts. `@adalora/models` (its tokenizer) and `@adalora/datasets` (featurization) both cut
 * sequences with them, so the rule lives once, here.
 */

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
