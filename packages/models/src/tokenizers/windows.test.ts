import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tokenizers, { type TruncationOptions } from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './load-tokenizer.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const FAMILIES = ['deberta-v3-tiny-spm', 'bert-tiny-wordpiece', 'roberta-tiny-bpe'] as const;
const SENTENCE = 'The GNU General Public License is a free, copyleft license for software and other kinds of works. ';
// A long context with an emoji early on, so every later offset differs between code points and UTF-16 units.
const CONTEXT = `Preamble 😀 ${SENTENCE.repeat(12)}End.`;
const QUESTION = 'What is the license?';

describe.each(FAMILIES)('%s: only_second stride windows on a long context (featurize.md formula)', (name) => {
  it('window count, window contents, offsets into the context and sequence ids', async () => {
    const tok = await loadTokenizer(join(fixtures, name));
    const q = await tok.encode(QUESTION, null, { addSpecialTokens: false });
    const c = await tok.encode(CONTEXT, null, { addSpecialTokens: false });
    const maxLength = 48;
    const stride = 10;
    const specials = tok.numSpecialTokens(true);
    expect(specials).toBe(name === 'roberta-tiny-bpe' ? 4 : 3);
    const room = maxLength - q.ids.length - specials;
    const expectedWindows = 1 + Math.ceil((c.ids.length - room) / (room - stride));
    expect(expectedWindows).toBeGreaterThan(5);

    const enc = await tok.encode(QUESTION, CONTEXT, { maxLength, truncation: 'only_second', stride, returnOverflowing: true, padding: 'max_length' });
    const windows = [enc, ...enc.overflowing];
    expect(windows.length).toBe(expectedWindows);
    windows.forEach((w, k) => {
      expect(w.ids.length).toBe(maxLength);
      const ctxPositions = w.sequenceIds.flatMap((s, i) => (s === 1 ? [i] : []));
      const start = k * (room - stride);
      const expectedIds = c.ids.slice(start, start + room);
      expect(ctxPositions.map((i) => w.ids[i])).toEqual(expectedIds);
      // question tokens are repeated whole in every window
      expect(w.sequenceIds.flatMap((s, i) => (s === 0 ? [w.ids[i]] : []))).toEqual(q.ids);
      // offsets of context tokens are the context's own, in UTF-16 units
      expect(ctxPositions.map((i) => w.offsets[i])).toEqual(c.offsets.slice(start, start + room));
      // padding: attention 0, offsets [0,0], sequence id null
      const real = w.attentionMask.filter((m) => m === 1).length;
      expect(w.attentionMask.slice(real).every((m) => m === 0)).toBe(true);
      expect(w.ids.slice(real).every((id) => id === tok.padTokenId)).toBe(true);
      expect(w.sequenceIds.slice(real).every((s) => s === null)).toBe(true);
    });
    expect(windows.at(-1)?.sequenceIds.filter((s) => s === 1).length).toBe(c.ids.length - (expectedWindows - 1) * (room - stride));
  });

  it('offsets are UTF-16: slicing the JS string gives what slicing the code points gives', async () => {
    const tok = await loadTokenizer(join(fixtures, name));
    const native = tokenizers.Tokenizer.fromFile(join(fixtures, name, 'tokenizer.json'));
    const theirs = await native.encode(CONTEXT, null, { addSpecialTokens: false });
    const ours = await tok.encode(CONTEXT, null, { addSpecialTokens: false });
    const points = [...CONTEXT];
    const emojiAt = CONTEXT.indexOf('😀');
    let shifted = 0;
    theirs.getOffsets().forEach(([s, e], i) => {
      const [us, ue] = ours.offsets[i] as [number, number];
      expect(CONTEXT.slice(us, ue)).toBe(points.slice(s, e).join(''));
      if (us > emojiAt) {
        expect(us).toBe((s as number) + 1);
        shifted += 1;
      }
    });
    expect(shifted).toBeGreaterThan(10);
  });

  it('the first window equals the tokenizers binding; its overflow stops early (issue #2091), ours goes on', async () => {
    const tok = await loadTokenizer(join(fixtures, name));
    const native = tokenizers.Tokenizer.fromFile(join(fixtures, name, 'tokenizer.json'));
    // The binding's TruncationStrategy is an ambient const enum; its value is the string 'OnlySecond'.
    native.setTruncation(40, { strategy: 'OnlySecond' as unknown as NonNullable<TruncationOptions['strategy']>, stride: 8 });
    const theirs = await native.encode(QUESTION, CONTEXT);
    const ours = await tok.encode(QUESTION, CONTEXT, { maxLength: 40, truncation: 'only_second', stride: 8, returnOverflowing: true });
    expect(ours.ids).toEqual(theirs.getIds());
    expect(ours.typeIds).toEqual(theirs.getTypeIds());
    expect(ours.sequenceIds).toEqual(theirs.getSequenceIds().map((s) => s ?? null));
    // The binding's single overflow window starts where our second window starts, but is cut short.
    const theirWindow = theirs.getOverflowing()[0];
    const ourWindow = ours.overflowing[0];
    const context = (ids: number[], seq: Array<number | null | undefined>) => ids.filter((_, i) => seq[i] === 1);
    const theirContext = context(theirWindow?.getIds() ?? [], theirWindow?.getSequenceIds() ?? []);
    const ourContext = context(ourWindow?.ids ?? [], ourWindow?.sequenceIds ?? []);
    expect(theirContext.length).toBeGreaterThan(0);
    expect(ourContext.slice(0, theirContext.length)).toEqual(theirContext);
    expect(ours.overflowing.length).toBeGreaterThan(theirs.getOverflowing().length);
  });
});

describe('encodeBatch, padding and errors', () => {
  it('flattens windows with overflowToSampleMapping and pads to the longest feature', async () => {
    const tok = await loadTokenizer(join(fixtures, 'bert-tiny-wordpiece'));
    const batch = await tok.encodeBatch(
      [
        ['Who?', 'Permission is hereby granted.'],
        [QUESTION, CONTEXT],
      ],
      { maxLength: 40, truncation: 'only_second', stride: 8, returnOverflowing: true, padding: 'longest' },
    );
    const second = await tok.encode(QUESTION, CONTEXT, { maxLength: 40, truncation: 'only_second', stride: 8, returnOverflowing: true });
    expect(batch.overflowToSampleMapping).toEqual([0, ...Array.from({ length: 1 + second.overflowing.length }, () => 1)]);
    expect(new Set(batch.encodings.map((e) => e.ids.length))).toEqual(new Set([40]));
    const first = await tok.encode('Who?', 'Permission is hereby granted.');
    expect(batch.encodings[0]?.ids.slice(0, first.ids.length)).toEqual(first.ids);
    expect(batch.encodings[0]?.ids.slice(first.ids.length).every((id) => id === tok.padTokenId)).toBe(true);
  });

  it('padding max_length with padToMultipleOf, and typeIds 0 on padding', async () => {
    const tok = await loadTokenizer(join(fixtures, 'bert-tiny-wordpiece'));
    const enc = await tok.encode('Hello world!', 'x', { padding: 'max_length', maxLength: 20, padToMultipleOf: 8 });
    expect(enc.ids.length).toBe(24);
    expect(enc.typeIds.slice(-8)).toEqual(Array.from({ length: 8 }, () => 0));
    expect(enc.tokens.at(-1)).toBe('[PAD]');
  });

  it('clear errors for impossible settings', async () => {
    const tok = await loadTokenizer(join(fixtures, 'bert-tiny-wordpiece'));
    // 'What is the license?' is 8 tokens here: 16 − 8 − 3 specials leaves 5 context tokens per window
    await expect(tok.encode(QUESTION, CONTEXT, { maxLength: 16, truncation: 'only_second', stride: 5 })).rejects.toThrow(/'stride' = 5: must be strictly less than the 5 tokens/);
    await expect(tok.encode(CONTEXT, QUESTION, { maxLength: 12, truncation: 'only_second' })).rejects.toThrow(/the second text has \d+ tokens but \d+ must be removed/);
    await expect(tok.encode(QUESTION, null, { truncation: true })).rejects.toThrow(InvalidConfigError);
    await expect(tok.encode(QUESTION, null, { maxLength: 2, truncation: true })).rejects.toThrow(/room for text beyond the 2 special tokens/);
  });

  it('a folder without a tokenizer, and a corrupt spm.model, name the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'adalora-tok-'));
    try {
      await expect(loadTokenizer(dir)).rejects.toThrow(UnsupportedInputError);
      await expect(loadTokenizer(dir)).rejects.toThrow(/neither tokenizer\.json nor spm\.model/);
      await writeFile(join(dir, 'spm.model'), Buffer.from([0x0a, 0xff, 0xff, 0xff]));
      await expect(loadTokenizer(dir)).rejects.toThrow(new RegExp(`${join(dir, 'spm.model').replace(/[/\\.]/g, '\\$&')}: expected a SentencePiece model`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('special token ids and vocabulary size of the converted DeBERTa tokenizer', async () => {
    const expected = JSON.parse(readFileSync(join(fixtures, 'deberta-v3-tiny-spm', 'expected_encodings.json'), 'utf8')) as {
      special_ids: Record<string, number>;
      len_tokenizer: number;
    };
    const tok = await loadTokenizer(join(fixtures, 'deberta-v3-tiny-spm'));
    expect({ '[PAD]': tok.padTokenId, '[CLS]': tok.clsTokenId, '[SEP]': tok.sepTokenId, '[UNK]': tok.unkTokenId, '[MASK]': tok.maskTokenId }).toEqual(expected.special_ids);
    expect(tok.vocabSize).toBe(expected.len_tokenizer);
    expect(tok.modelMaxLength).toBe(512);
    expect(await tok.decode((await tok.encode('Hello world!')).ids, { skipSpecialTokens: true })).toBe('Hello world!');
  });
});
