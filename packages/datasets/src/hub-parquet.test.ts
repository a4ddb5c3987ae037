import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsupportedInputError } from '@adalora/core';
import { loadGlueParquet } from './glue-parquet.js';
import { readParquetRows } from './parquet-rows.js';
import { loadSquadParquet } from './squad-parquet.js';
import { expectedRowCounts, fixturePath, readJsonl } from './testing/fixtures.js';
import type { DataWarning } from './warnings.js';

const glueRoot = fixturePath('hub_parquet/nyu-mll__glue');

describe('GLUE hub parquet equals the official loader output on every fixture', () => {
  const glueSplits = Object.entries(expectedRowCounts()).filter(([key]) => key.startsWith('glue/'));
  for (const [key, count] of glueSplits) {
    const [, config, split] = key.split('/') as [string, string, string];
    it(`${config}/${split}`, async () => {
      const rows = await loadGlueParquet({ root: glueRoot, config, split });
      expect(rows).toHaveLength(count);
      expect(rows).toEqual(readJsonl(`expected/${key}.jsonl`));
    });
  }
  it('reads the refs/convert/parquet layout (<config>/<split>/0000.parquet) too', async () => {
    const root = mkdtempSync(join(tmpdir(), 'adalora-pq-'));
    mkdirSync(join(root, 'rte', 'train'), { recursive: true });
    copyFileSync(join(glueRoot, 'rte', 'train-00000-of-00001.parquet'), join(root, 'rte', 'train', '0000.parquet'));
    expect(await loadGlueParquet({ root, config: 'rte', split: 'train' })).toEqual(readJsonl('expected/glue/rte/train.jsonl'));
  });
  it('label names that differ from HF order are an error (RTE file read as WNLI)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'adalora-pq-'));
    mkdirSync(join(root, 'wnli'));
    copyFileSync(join(glueRoot, 'rte', 'train-00000-of-00001.parquet'), join(root, 'wnli', 'train-00000-of-00001.parquet'));
    await expect(loadGlueParquet({ root, config: 'wnli', split: 'train' })).rejects.toThrow(
      /label names: expected \["not_entailment","entailment"\], found \["entailment","not_entailment"\]/,
    );
  });
  it('a missing split names the file to put where and where to get it', async () => {
    await expect(loadGlueParquet({ root: '/nowhere', config: 'qqp', split: 'train' })).rejects.toThrow(
      '/nowhere/qqp/train-00000-of-00001.parquet (from https://huggingface.co/datasets/nyu-mll/glue/resolve/main/qqp/train-00000-of-00001.parquet)',
    );
  });
  it('a file that is not parquet is an error naming it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'adalora-pq-'));
    mkdirSync(join(root, 'cola'));
    writeFileSync(join(root, 'cola', 'test-00000-of-00001.parquet'), 'not parquet at all');
    const load = loadGlueParquet({ root, config: 'cola', split: 'test' });
    await expect(load).rejects.toThrow(UnsupportedInputError);
    await expect(loadGlueParquet({ root, config: 'cola', split: 'test' })).rejects.toThrow(/test-00000-of-00001\.parquet: expected a parquet file/);
  });
});

describe('SQuAD hub parquet', () => {
  for (const [version, repo, config] of [
    ['squad', 'rajpurkar__squad', 'plain_text'],
    ['squad_v2', 'rajpurkar__squad_v2', 'squad_v2'],
  ] as const) {
    for (const split of ['train', 'validation']) {
      it(`${version}/${split} equals the official loader output`, async () => {
        const warnings: DataWarning[] = [];
        const rows = await loadSquadParquet({ root: fixturePath(`hub_parquet/${repo}`), version, split, onWarning: (w) => warnings.push(w) });
        expect(config.length).toBeGreaterThan(0);
        expect(rows).toEqual(readJsonl(`expected/${version}/${split}.jsonl`));
        expect(warnings).toEqual([]);
      });
    }
  }
});

describe('parquet codecs and layouts (parquet_variants)', () => {
  const dir = fixturePath('parquet_variants');
  const expected = JSON.parse(readFileSync(join(dir, 'glue_like_expected.json'), 'utf8')) as unknown[];
  const variants = readdirSync(dir).filter((name) => name.startsWith('glue_like_') && name.endsWith('.parquet'));
  it('has the 10 variants', () => expect(variants).toHaveLength(10));
  for (const name of variants) {
    it(name, async () => {
      const rows: unknown[] = [];
      for await (const row of readParquetRows(join(dir, name), { columns: ['sentence', 'label', 'idx'] })) rows.push(row);
      expect(rows).toEqual(expected);
    });
  }
  it('nested SQuAD-like table: struct of lists, empty lists, float32 column', async () => {
    const want = JSON.parse(readFileSync(join(dir, 'squad_like_expected.json'), 'utf8')) as Array<Record<string, unknown>>;
    const rows: Array<Record<string, unknown>> = [];
    for await (const row of readParquetRows(join(dir, 'squad_like_snappy.parquet'))) rows.push(row);
    // `score` is float32 in the file; the expected JSON holds the decimal it was written from.
    expect(rows).toEqual(want.map((r) => ({ ...r, score: Math.fround(r['score'] as number) })));
  });
  it('asking for a column the file lacks names the columns it has', async () => {
    const gen = readParquetRows(join(dir, 'glue_like_zstd.parquet'), { columns: ['question'] });
    await expect(gen.next()).rejects.toThrow(/expected columns 'question', found columns 'sentence', 'label', 'idx'/);
  });
});
