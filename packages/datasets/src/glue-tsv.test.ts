import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnknownImplementationError, UnsupportedInputError } from '@adalora/core';
import { loadGlueTsv, readGlueTsv } from './glue-tsv.js';
import { expectedRowCounts, fixturePath, readJsonl } from './testing/fixtures.js';
import type { DataWarning } from './warnings.js';

const glueDir = fixturePath('glue');
const collect = () => {
  const warnings: DataWarning[] = [];
  return { warnings, onWarning: (w: DataWarning) => warnings.push(w) };
};

describe('GLUE TSV loader equals the official HF loader output on every fixture', () => {
  const glueSplits = Object.entries(expectedRowCounts()).filter(([key]) => key.startsWith('glue/'));
  it('covers all 34 GLUE config/splits', () => expect(glueSplits).toHaveLength(34));
  for (const [key, count] of glueSplits) {
    const [, config, split] = key.split('/') as [string, string, string];
    it(`${config}/${split}`, async () => {
      const { warnings, onWarning } = collect();
      const rows = await loadGlueTsv({ dir: glueDir, config, split, onWarning });
      expect(rows).toHaveLength(count);
      expect(rows).toEqual(readJsonl(`expected/${key}.jsonl`));
      // The only fixture row the official loader drops is QQP train's short row (line 4, idx 2).
      if (key === 'glue/qqp/train') expect(warnings).toMatchObject([{ code: 'dropped-row', ids: ['2'] }]);
      else expect(warnings).toEqual([]);
    });
  }
});

function tempGlue(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'adalora-glue-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

describe('GLUE TSV quirks and bad input', () => {
  it('blank lines use no idx; CR-only and CRLF line ends; a leading BOM is stripped; quotes are literal', async () => {
    const dir = tempGlue({ 'SST-2/train.tsv': '\uFEFFsentence\tlabel\r\n"a\t1\r\rb "\t0\n\nc\t1' });
    const rows = await loadGlueTsv({ dir, config: 'sst2', split: 'train' });
    expect(rows).toEqual([
      { sentence: '"a', label: 1, idx: 0 },
      { sentence: 'b "', label: 0, idx: 1 },
      { sentence: 'c', label: 1, idx: 2 },
    ]);
  });
  it('an unknown label is an error naming file, line, column and the allowed labels', async () => {
    const dir = tempGlue({ 'RTE/dev.tsv': 'index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\ta\tb\tneutral\n' });
    const load = () => loadGlueTsv({ dir, config: 'rte', split: 'validation' });
    await expect(load()).rejects.toThrow(UnsupportedInputError);
    await expect(load()).rejects.toThrow(/RTE\/dev\.tsv:3 column 'label': expected a rte label: one of 'entailment' or 0, 'not_entailment' or 1, found 'neutral'/);
  });
  it('an out-of-range numeric label is an error (HF ClassLabel rejects it)', async () => {
    const dir = tempGlue({ 'WNLI/train.tsv': 'index\tsentence1\tsentence2\tlabel\n0\ta\tb\t2\n' });
    await expect(loadGlueTsv({ dir, config: 'wnli', split: 'train' })).rejects.toThrow(/WNLI\/train\.tsv:2 column 'label'.*found 2/);
  });
  it('invalid UTF-8 is an error naming file, line and byte', async () => {
    const bytes = Buffer.concat([Buffer.from('sentence\tlabel\nok\t1\nbad '), Buffer.from([0xc3, 0x28]), Buffer.from('\t0\n')]);
    const dir = tempGlue({ 'SST-2/dev.tsv': bytes });
    await expect(loadGlueTsv({ dir, config: 'sst2', split: 'validation' })).rejects.toThrow(/SST-2\/dev\.tsv:3: expected UTF-8 text, found invalid byte\(s\) c3 28 09 30 at byte 5 of the line/);
  });
  it('a short CoLA row is an error (the official csv.reader path raises IndexError)', async () => {
    const dir = tempGlue({ 'CoLA/train.tsv': 'zz\t1\t\tFine.\nzz\t1\n' });
    await expect(loadGlueTsv({ dir, config: 'cola', split: 'train' })).rejects.toThrow(/CoLA\/train\.tsv:2: expected 4 tab-separated fields.*found 2/);
  });
  it('a missing header column is an error listing the columns found', async () => {
    const dir = tempGlue({ 'QNLI/train.tsv': 'index\tquestion\tsentense\tlabel\n' });
    await expect(loadGlueTsv({ dir, config: 'qnli', split: 'train' })).rejects.toThrow(/QNLI\/train\.tsv:1: expected a header with column 'sentence', found columns 'index', 'question', 'sentense', 'label'/);
  });
  it('rows with extra fields are kept with a warning; an empty label drops the row with a warning', async () => {
    const dir = tempGlue({ 'QQP/dev.tsv': 'id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t1\t2\ta\tb\t1\textra\n2\t3\t4\tc\td\t\n3\t5\t6\te\tf\t0\n' });
    const { warnings, onWarning } = collect();
    const rows = await loadGlueTsv({ dir, config: 'qqp', split: 'validation', onWarning });
    expect(rows).toEqual([
      { question1: 'a', question2: 'b', label: 1, idx: 0 },
      { question1: 'e', question2: 'f', label: 0, idx: 2 },
    ]);
    expect(warnings.map((w) => w.code).sort()).toEqual(['dropped-row', 'extra-fields']);
    expect(warnings.find((w) => w.code === 'dropped-row')?.message).toMatch(/line 3 \(idx 1\)/);
  });
  it('a missing file names the file to put where; unknown config and split list the known ones', async () => {
    await expect(loadGlueTsv({ dir: tmpdir(), config: 'rte', split: 'train' })).rejects.toThrow(/expected the file .*RTE\/train\.tsv/);
    await expect(loadGlueTsv({ dir: glueDir, config: 'sts', split: 'train' })).rejects.toThrow(UnknownImplementationError);
    await expect(loadGlueTsv({ dir: glueDir, config: 'mnli', split: 'validation' })).rejects.toThrow(/'validation_matched'/);
  });
  it('MRPC from GLUE-format files only: warns that idx and test labels differ from HF', async () => {
    const dir = tempGlue({ 'MRPC/dev.tsv': '\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t7\t8\tx\ty\n' });
    const { warnings, onWarning } = collect();
    expect(await loadGlueTsv({ dir, config: 'mrpc', split: 'validation', onWarning })).toEqual([{ sentence1: 'x', sentence2: 'y', label: 1, idx: 0 }]);
    expect(warnings).toMatchObject([{ code: 'idx-differs' }]);
  });
  it('finds AX.tsv at the root and a task folder given directly', async () => {
    const dir = tempGlue({ 'AX.tsv': 'index\tsentence1\tsentence2\n0\tp\th\n' });
    expect(await loadGlueTsv({ dir, config: 'ax', split: 'test' })).toEqual([{ premise: 'p', hypothesis: 'h', label: -1, idx: 0 }]);
    expect(await loadGlueTsv({ dir: join(glueDir, 'RTE'), config: 'rte', split: 'validation' })).toEqual(readJsonl('expected/glue/rte/validation.jsonl'));
  });
  it('streams: the async iterator yields rows one at a time', async () => {
    const it = readGlueTsv({ dir: glueDir, config: 'cola', split: 'train' })[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ sentence: 'The gardener watered the tulips before noon.', label: 1, idx: 0 });
    await it.return?.(undefined);
  });
});
