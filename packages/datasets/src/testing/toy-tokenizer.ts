// Test-only: a small deterministic tokenizer implementing TokenizerAdapter. Words are runs of letters and
// digits, cut into pieces of at most 4 code points ("1790s" → "1790", "s"); every other non-space code
// point is its own token. Ids: [PAD]=0, [CLS]=1, [SEP]=2, others 10 + FNV-1a(lower-cased piece) mod 990.
// Offsets count code points, like the Rust tokenizers.
import type { TokenizedText, TokenizerAdapter } from '../tokenizer.js';

function pieceId(piece: string): number {
  let h = 2166136261;
  for (const ch of piece.toLowerCase()) h = Math.imul(h ^ (ch.codePointAt(0) as number), 16777619) >>> 0;
  return 10 + (h % 990);
}

export function toyTokenize(text: string): TokenizedText & { pieces: string[] } {
  const points = [...text];
  const ids: number[] = [];
  const offsets: Array<[number, number]> = [];
  const pieces: string[] = [];
  const emit = (start: number, end: number) => {
    const piece = points.slice(start, end).join('');
    pieces.push(piece);
    ids.push(pieceId(piece));
    offsets.push([start, end]);
  };
  let i = 0;
  while (i < points.length) {
    const ch = points[i] as string;
    if (/\s/u.test(ch)) {
      i++;
    } else if (/[\p{L}\p{N}]/u.test(ch)) {
      let end = i;
      while (end < points.length && /[\p{L}\p{N}]/u.test(points[end] as string)) end++;
      for (let s = i; s < end; s += 4) emit(s, Math.min(s + 4, end));
      i = end;
    } else {
      emit(i, i + 1);
      i++;
    }
  }
  return { ids, offsets, pieces };
}

export function toyTokenizer(template: 'bert' | 'roberta' = 'bert', modelMaxLength?: number): TokenizerAdapter {
  return {
    tokenize: toyTokenize,
    specialTokens: { cls: 1, sep: 2, pad: 0 },
    template,
    ...(modelMaxLength === undefined ? {} : { modelMaxLength }),
  };
}

export const id = pieceId;
