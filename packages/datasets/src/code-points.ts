/**
 * Index conversion between Unicode code points (what Python `str` indexing, SQuAD's `answer_start` and HF
 * tokenizer offsets count) and UTF-16 code units (what JavaScript strings index). They differ after any
 * astral character (emoji, rare scripts), which counts 1 in Python and 2 in JavaScript.
 */
export interface CodePointIndex {
  /** Number of code points in the text. */
  readonly length: number;
  /** UTF-16 index of code point `i` (0 ≤ i ≤ length). */
  toUtf16(i: number): number;
  /** `text[start:end]` with code-point indices, like Python slicing of in-range indices. */
  slice(start: number, end: number): string;
}

/** Builds a `CodePointIndex` for `text`; O(1) lookups, and no table at all for text without astral characters. */
export function codePointIndex(text: string): CodePointIndex {
  if (!/[\uD800-\uDFFF]/.test(text)) {
    return { length: text.length, toUtf16: (i) => i, slice: (s, e) => text.slice(s, e) };
  }
  const offsets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    offsets.push(i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  offsets.push(text.length);
  const toUtf16 = (i: number): number => offsets[Math.max(0, Math.min(i, offsets.length - 1))] as number;
  return { length: offsets.length - 1, toUtf16, slice: (s, e) => text.slice(toUtf16(s), toUtf16(e)) };
}

/** Number of code points in `text` (Python `len`). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
