import { InvalidConfigError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { codePointToUtf16 } from './code-point-offsets.js';
import { longestFirstLengths, strideWindows, truncationWindows, windowPairs } from './truncation.js';

describe('strideWindows (featurize.md: 1 + ceil((N − room)/(room − stride)) windows)', () => {
  it('cuts 10 tokens into windows of 4 overlapping by 1', () => {
    expect(strideWindows(10, 4, 1)).toEqual([
      { start: 0, end: 4 },
      { start: 3, end: 7 },
      { start: 6, end: 10 },
    ]);
  });

  it('counts windows by the formula on long contexts', () => {
    for (const [n, room, stride] of [[1088, 381, 128], [1088, 100, 99], [60, 9, 8], [500, 253, 128], [107, 29, 8]] as const) {
      const windows = strideWindows(n, room, stride);
      expect(windows.length).toBe(1 + Math.ceil((n - room) / (room - stride)));
      expect(windows.at(-1)?.end).toBe(n);
      windows.slice(1).forEach((w, k) => expect(w.start).toBe((k + 1) * (room - stride)));
    }
  });

  it('one window when the text fits; stride ≥ room is an error naming the option', () => {
    expect(strideWindows(5, 5, 10)).toEqual([{ start: 0, end: 5 }]);
    expect(() => strideWindows(10, 4, 4)).toThrow(InvalidConfigError);
    expect(() => strideWindows(10, 4, 4)).toThrow(/'stride' = 4: must be strictly less than the 4 tokens/);
  });
});

describe('longestFirstLengths (the Rust rule of featurize.md §2)', () => {
  it('hand-derived cases', () => {
    // budget 9, question 8, long context 40: s=8 ≤ 9 → l' = max(8, 1) = 8; 8+8 > 9 → s' = 4, l' = 5.
    expect(longestFirstLengths(8, 40, 9)).toEqual([4, 5]);
    // short question 2, budget 9: l' = max(2, 7) = 7 → fits: 2 + 7.
    expect(longestFirstLengths(2, 40, 9)).toEqual([2, 7]);
    // equal lengths: A counts as the shorter, the spare token goes to B.
    expect(longestFirstLengths(10, 10, 9)).toEqual([4, 5]);
    // longer first text: roles swap, the spare token goes to A.
    expect(longestFirstLengths(40, 8, 9)).toEqual([5, 4]);
    // fits: untouched.
    expect(longestFirstLengths(3, 4, 9)).toEqual([3, 4]);
    // short text longer than the budget.
    expect(longestFirstLengths(12, 20, 9)).toEqual([4, 5]);
    // even budget.
    expect(longestFirstLengths(30, 30, 10)).toEqual([5, 5]);
    // one side ends up shorter than its share: never lengthened.
    expect(longestFirstLengths(1, 3, 3)).toEqual([1, 2]);
  });
});

describe('truncationWindows', () => {
  it('only_second keeps the first text whole and windows the second', () => {
    expect(truncationWindows(5, 20, 13, 'only_second', 2)).toEqual({
      a: [{ start: 0, end: 5 }],
      b: [
        { start: 0, end: 8 },
        { start: 6, end: 14 },
        { start: 12, end: 20 },
      ],
    });
  });

  it('only_second on a single text and a first text leaving no room are errors', () => {
    expect(() => truncationWindows(20, null, 10, 'only_second', 0)).toThrow(/needs a pair of texts/);
    expect(() => truncationWindows(12, 3, 10, 'only_second', 0)).toThrow(/the second text has 3 tokens but 5 must be removed/);
  });

  it('longest_first on a single text is a plain cut', () => {
    expect(truncationWindows(20, null, 10, 'longest_first', 0)).toEqual({ a: [{ start: 0, end: 10 }, { start: 10, end: 20 }], b: null });
  });

  it('windowPairs follows Encoding::merge_with order', () => {
    expect(windowPairs(1, 3)).toEqual([[0, 0], [0, 1], [0, 2]]);
    expect(windowPairs(2, 2)).toEqual([[0, 0], [1, 0], [1, 1], [0, 1]]);
  });
});

describe('codePointToUtf16', () => {
  it('maps code-point offsets past an emoji to UTF-16 indices', () => {
    const text = 'é😀 the license';
    const map = codePointToUtf16(text);
    // the tokenizers binding gives "▁license" the code-point span [6, 14]
    expect(text.slice(map(6), map(14))).toBe(' license');
    expect(map(2)).toBe(3);
    expect(codePointToUtf16('plain')(3)).toBe(3);
  });
});
