/** Python's `string.punctuation` (ASCII only): `` !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ ``. */
const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/**
 * `\b(a|an|the)\b` with Python's Unicode word boundaries: a word character is a letter, a number or `_`
 * (Python's `\w` on `str`). JavaScript's `\b` is ASCII-only, so it would strip the `a` of `ça`.
 */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * The characters Python's `str.split()` splits on: includes U+001C–U+001F and U+0085 (which JS `\s` lacks)
 * and excludes U+FEFF (which JS `\s` has).
 */
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/**
 * Splits like Python's `str.split()` with no argument: on runs of Python whitespace, dropping empty
 * strings at either end.
 */
export function pythonSplit(text: string): string[] {
  return text.split(PYTHON_WHITESPACE).filter((part) => part.length > 0);
}

/**
 * The official SQuAD answer normalisation (v1.1 and v2.0 scripts):
 * `white_space_fix(remove_articles(remove_punc(lower(s))))`, i.e. full Unicode lower-casing (Python
 * `str.lower()`, which JS `toLowerCase()` matches), deletion of ASCII punctuation only, articles replaced by a
 * space using Unicode word boundaries, then whitespace runs (Python's whitespace set) collapsed to one space
 * and trimmed. No Unicode normalisation (NFC/NFKC) is applied.
 */
export function normalizeAnswer(text: string): string {
  const lowered = text.toLowerCase();
  const noPunctuation = lowered.replace(ASCII_PUNCTUATION, '');
  const noArticles = noPunctuation.replace(ARTICLES, ' ');
  return pythonSplit(noArticles).join(' ');
}

/** The tokens of a normalised answer (`normalize_answer(s).split()`). */
export function answerTokens(text: string): string[] {
  const normalized = normalizeAnswer(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** Size of the multiset intersection of two token lists (`sum((Counter(a) & Counter(b)).values())`). */
export function commonTokenCount(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const token of a) counts.set(token, (counts.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of b) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      same++;
      counts.set(token, left - 1);
    }
  }
  return same;
}
