/**
 * Converts character offsets counted in Unicode code points (what the `tokenizers` bindings and Python
 * return) into JavaScript string (UTF-16) indices, so `text.slice(start, end)` gives the token's text.
 * They differ after every astral character (emoji, rare CJK), which is one code point but two UTF-16 units.
 * Returns the identity when the text has no surrogate pair.
 */
export function codePointToUtf16(text: string): (index: number) => number {
  if (!/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text)) return (index) => index;
  const table: number[] = [];
  let unit = 0;
  for (const char of text) {
    table.push(unit);
    unit += char.length;
  }
  table.push(unit);
  return (index) => table[Math.min(Math.max(index, 0), table.length - 1)] as number;
}
