import { readFileSync } from 'node:fs';
import { mkdtemp, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tokenizers from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './load-tokenizer.js';
import type { HfTokenizer } from './tokenizer.js';
import { longestFirstLengths } from './truncation.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

interface Case {
  text: string;
  text_pair?: string;
  tokens?: string[];
  input_ids: number[];
  token_type_ids: number[] | null;
  attention_mask?: number[];
  strategy?: 'only_second' | 'longest_first';
  max_length?: number;
}
interface Expected {
  single: Case[];
  pair: Case[];
  truncation: Case[];
}

const FAMILIES = ['deberta-v3-tiny-spm', 'bert-tiny-wordpiece', 'roberta-tiny-bpe'] as const;
const expected = (name: string): Expected => JSON.parse(readFileSync(join(fixtures, name, 'expected_encodings.json'), 'utf8')) as Expected;

/** The DeBERTa folder without its tokenizer.json, so loading goes through spm.model conversion. */
async function spmOnlyFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'adalora-spm-'));
  for (const f of ['spm.model', 'tokenizer_config.json']) await copyFile(join(fixtures, 'deberta-v3-tiny-spm', f), join(dir, f));
  return dir;
}

const loaders: Array<[string, string, () => Promise<HfTokenizer>]> = [
  ['deberta-v3-tiny-spm', 'from spm.model (converted)', async () => {
    const dir = await spmOnlyFolder();
    try {
      return await loadTokenizer(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }],
  ['deberta-v3-tiny-spm', 'from tokenizer.json', () => loadTokenizer(join(fixtures, 'deberta-v3-tiny-spm'))],
  ['bert-tiny-wordpiece', 'from tokenizer.json', () => loadTokenizer(join(fixtures, 'bert-tiny-wordpiece'))],
  ['roberta-tiny-bpe', 'from tokenizer.json', () => loadTokenizer(join(fixtures, 'roberta-tiny-bpe'))],
];

/**
 * The slow tokenizers' `tokens` are `convert_ids_to_tokens(ids)`, so an unknown piece shows as `[UNK]`; the
 * fast ones (ours) keep the surface text of an unknown piece (`?`). Compare through the vocabulary, and the
 * surface tokens everywhere else.
 */
function expectTokens(tok: HfTokenizer, enc: { ids: number[]; tokens: string[] }, c: Case): void {
  expect(enc.ids.map((id) => tok.idToToken(id)), c.text).toEqual(c.tokens);
  const known = (list: string[]) => list.map((t, i) => (enc.ids[i] === tok.unkTokenId ? '<unk position>' : t));
  expect(known(enc.tokens), c.text).toEqual(known(c.tokens ?? []));
}

/** RoBERTa returns no token_type_ids (null in the fixture); its model has one token type, so ours must be all 0. */
const typeIdsOf = (c: Case, length: number) => c.token_type_ids ?? Array.from({ length }, () => 0);

describe.each(loaders)('%s %s: expected_encodings.json of the slow HF tokenizers', (name, _how, load) => {
  const data = expected(name);

  it('every single text: ids, tokens, type ids, attention mask', async () => {
    const tok = await load();
    for (const c of data.single) {
      const enc = await tok.encode(c.text);
      expect(enc.ids, c.text).toEqual(c.input_ids);
      expectTokens(tok, enc, c);
      expect(enc.typeIds, c.text).toEqual(typeIdsOf(c, c.input_ids.length));
      expect(enc.attentionMask, c.text).toEqual(c.attention_mask);
    }
  });

  it('every pair', async () => {
    const tok = await load();
    for (const c of data.pair) {
      const enc = await tok.encode(c.text, c.text_pair);
      expect(enc.ids).toEqual(c.input_ids);
      expectTokens(tok, enc, c);
      expect(enc.typeIds).toEqual(typeIdsOf(c, c.input_ids.length));
    }
  });

  it('only_second truncation cases equal the fixture', async () => {
    const tok = await load();
    const cases = data.truncation.filter((c) => c.strategy === 'only_second');
    expect(cases.length).toBe(4);
    for (const c of cases) {
      const enc = await tok.encode(c.text, c.text_pair, { maxLength: c.max_length as number, truncation: 'only_second' });
      expect(enc.ids).toEqual(c.input_ids);
      expect(enc.typeIds).toEqual(typeIdsOf(c, c.input_ids.length));
    }
  });

  it('longest_first cases: the fixture (slow tokenizer) where the rules agree, the fast rule where they differ', async () => {
    const tok = await load();
    const specials = tok.numSpecialTokens(true);
    for (const c of data.truncation.filter((x) => x.strategy === 'longest_first')) {
      const maxLength = c.max_length as number;
      const a = (await tok.encode(c.text, null, { addSpecialTokens: false })).ids;
      const b = (await tok.encode(c.text_pair as string, null, { addSpecialTokens: false })).ids;
      const budget = maxLength - specials;
      // Slow rule (transformers' Python tokenizers): remove one token at a time from the longer, ties from the second.
      let [la, lb] = [a.length, b.length];
      while (la + lb > budget) {
        if (la > lb) la -= 1;
        else lb -= 1;
      }
      const full = await tok.encode(c.text, c.text_pair);
      const withLengths = (x: number, y: number) => {
        // Rebuild the encoding from the untruncated pair: template positions around A[:x] and B[:y].
        const aStart = full.sequenceIds.indexOf(0);
        const bStart = full.sequenceIds.indexOf(1);
        const aEnd = aStart + a.length;
        const bEnd = bStart + b.length;
        return [...full.ids.slice(0, aStart), ...full.ids.slice(aStart, aStart + x), ...full.ids.slice(aEnd, bStart), ...full.ids.slice(bStart, bStart + y), ...full.ids.slice(bEnd)];
      };
      expect(withLengths(la, lb), 'the fixture follows the slow rule').toEqual(c.input_ids);
      // Fast (Rust) rule, hand-applied per featurize.md §2.
      const s = Math.min(a.length, b.length);
      const l = Math.max(a.length, b.length);
      let ls = s;
      let ll = s > budget ? s : Math.max(s, budget - s);
      if (ls + ll > budget) {
        ls = Math.floor(budget / 2);
        ll = ls + (budget % 2);
      }
      const aShorter = a.length <= b.length;
      const fast: [number, number] = aShorter ? [Math.min(ls, a.length), Math.min(ll, l)] : [Math.min(ll, l), Math.min(ls, b.length)];
      expect(longestFirstLengths(a.length, b.length, budget)).toEqual(fast);
      const enc = await tok.encode(c.text, c.text_pair, { maxLength, truncation: 'longest_first' });
      expect(enc.ids).toEqual(withLengths(fast[0], fast[1]));
      expect(enc.ids.length).toBe(maxLength);
    }
  });
});

describe('agreement with the tokenizers library on untruncated input (offsets, sequence ids, specials)', () => {
  const { Tokenizer: Native } = tokenizers;
  it.each(FAMILIES)('%s', async (name) => {
    const tok = await loadTokenizer(join(fixtures, name));
    const native = Native.fromFile(join(fixtures, name, 'tokenizer.json'));
    const data = expected(name);
    const inputs: Array<[string, string | null]> = [...data.single.map((c) => [c.text, null] as [string, null]), ...data.pair.map((c) => [c.text, c.text_pair ?? null] as [string, string])];
    for (const [text, pair] of inputs) {
      const ours = await tok.encode(text, pair);
      const theirs = await native.encode(text, pair);
      expect(ours.ids).toEqual(theirs.getIds());
      expect(ours.typeIds).toEqual(theirs.getTypeIds());
      expect(ours.specialTokensMask).toEqual(theirs.getSpecialTokensMask());
      expect(ours.sequenceIds).toEqual(theirs.getSequenceIds().map((s) => (s === undefined ? null : s)));
      if (![...text, ...(pair ?? '')].some((ch) => ch.length === 2)) {
        // without astral characters code points and UTF-16 units coincide
        expect(ours.offsets).toEqual(theirs.getOffsets());
      }
    }
  });
});
