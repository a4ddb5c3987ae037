import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './load-tokenizer.js';
import { readSentencePieceModel } from './sentencepiece-model.js';
import { debertaV2TokenizerJson } from './spm-to-tokenizer-json.js';

const dir = fileURLToPath(new URL('./__fixtures__/deberta-v3-tiny-spm/', import.meta.url));
const expected = JSON.parse(readFileSync(join(dir, 'expected_encodings.json'), 'utf8')) as {
  spm_piece_size: number;
  raw_spm: Array<{ text: string; pieces: string[]; ids: number[] }>;
};

describe('readSentencePieceModel (protobufjs)', () => {
  it('reads the pieces, the DeBERTa special layout and the nmt_nfkc normalizer of spm.model', () => {
    const model = readSentencePieceModel(readFileSync(join(dir, 'spm.model')));
    expect(model.pieces.length).toBe(expected.spm_piece_size);
    expect(model.pieces.slice(0, 4).map((p) => [p.piece, p.type])).toEqual([
      ['[PAD]', 'control'],
      ['[CLS]', 'control'],
      ['[SEP]', 'control'],
      ['[UNK]', 'unknown'],
    ]);
    expect(model).toMatchObject({ modelType: 'unigram', unkId: 3, byteFallback: false, normalizerName: 'nmt_nfkc', addDummyPrefix: true, removeExtraWhitespaces: true });
    expect(model.precompiledCharsmap.byteLength).toBeGreaterThan(1000);
  });
});

describe('debertaV2TokenizerJson (DebertaV2Converter layout)', () => {
  it('equals the reference tokenizer.json made from the same spm.model (shared/js/spm_to_tokenizer_json.mjs)', () => {
    const converted = debertaV2TokenizerJson(readSentencePieceModel(readFileSync(join(dir, 'spm.model'))));
    const reference = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    // scores are float32 in the protobuf; compare after a JSON round trip, as both were written
    expect(JSON.parse(JSON.stringify(converted))).toEqual(reference);
  });

  it('do_lower_case and split_by_punct add Lowercase and Punctuation as the converter does', () => {
    const json = debertaV2TokenizerJson(readSentencePieceModel(readFileSync(join(dir, 'spm.model'))), { doLowerCase: true, splitByPunct: true });
    expect((json.normalizer as { normalizers: Array<{ type: string }> }).normalizers.map((n) => n.type)).toEqual(['Lowercase', 'Strip', 'Precompiled', 'Replace']);
    expect((json.pre_tokenizer as { pretokenizers: Array<{ type: string; behavior?: string }> }).pretokenizers).toEqual([
      { type: 'Punctuation', behavior: 'Isolated' },
      { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    ]);
  });

  it('segments like raw sentencepiece (raw_spm of expected_encodings.json)', async () => {
    const tok = await loadTokenizer(dir);
    // Raw sentencepiece knows nothing of [MASK] (an added token of the HF tokenizer), so that text differs by
    // design; the HF-level cases in tokenizer.test.ts cover it.
    const cases = expected.raw_spm.filter((c) => !c.text.includes('[MASK]'));
    expect(cases.length).toBe(expected.raw_spm.length - 1);
    for (const c of cases) {
      const enc = await tok.encode(c.text, null, { addSpecialTokens: false });
      expect(enc.ids, c.text).toEqual(c.ids);
    }
  });
});
