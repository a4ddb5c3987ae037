import { UnsupportedInputError } from '@adalora/core';
import { checkGlueSplit, glueConfig } from './glue-configs.js';
import type { GlueConfigSpec, GlueExample } from './glue-configs.js';
import { hubShardPath, hubSplitFiles } from './hub-layout.js';
import { parquetFileInfo, readParquetRows } from './parquet-rows.js';

/** The hub dataset repo that holds GLUE as parquet. */
export const GLUE_HUB_REPO = 'nyu-mll/glue';

/** Where and what to read: a local copy of the `nyu-mll/glue` repo (e.g. an HF cache snapshot folder). */
export interface GlueParquetOptions {
  /** Folder holding `<config>/<split>-*.parquet`. */
  readonly root: string;
  readonly config: string;
  readonly split: string;
}

/**
 * Streams one GLUE split from the hub's parquet layout (`nyu-mll/glue/<config>/<split>-*.parquet`), one row
 * group at a time: text columns, `label` (int64 class id or float32 score, −1 on test) and `idx`, the same
 * rows HF's loader gives. The label names in the file's `huggingface` metadata must equal HF's order for
 * that config (WNLI's differs from RTE's), else it is an error naming the file and both lists. A missing
 * split names the file to put where and the address to get it from.
 */
export async function* readGlueParquet({ root, config, split }: GlueParquetOptions): AsyncGenerator<GlueExample> {
  const spec = glueConfig(config);
  checkGlueSplit(spec, split);
  const files = hubSplitFiles(root, config, split);
  if (files.length === 0) {
    const path = hubShardPath(config, split);
    throw new UnsupportedInputError({
      source: `GLUE ${config}/${split} (parquet)`,
      expected: `${root}/${path} (from https://huggingface.co/datasets/${GLUE_HUB_REPO}/resolve/main/${path})`,
      found: 'no such file',
    });
  }
  const textColumns = Object.keys(spec.textColumns);
  for (const path of files) {
    checkLabelNames(spec, path, (await parquetFileInfo(path)).hfFeatures);
    let row = 0;
    for await (const record of readParquetRows(path, { columns: [...textColumns, 'label', 'idx'] })) {
      yield toExample(spec, record, path, row++);
    }
  }
}

/** Reads a whole GLUE split from parquet into memory (see `readGlueParquet`). */
export async function loadGlueParquet(options: GlueParquetOptions): Promise<GlueExample[]> {
  const rows: GlueExample[] = [];
  for await (const row of readGlueParquet(options)) rows.push(row);
  return rows;
}

function checkLabelNames(spec: GlueConfigSpec, path: string, features: Record<string, unknown> | undefined): void {
  const label = features?.['label'] as { names?: unknown } | undefined;
  if (spec.labelNames === null || label?.names === undefined) return;
  const names = label.names;
  if (!Array.isArray(names) || names.length !== spec.labelNames.length || names.some((n, i) => n !== spec.labelNames?.[i])) {
    throw new UnsupportedInputError({
      source: `${path} huggingface metadata label names`,
      expected: JSON.stringify(spec.labelNames),
      found: JSON.stringify(names),
    });
  }
}

function toExample(spec: GlueConfigSpec, record: Record<string, unknown>, path: string, row: number): GlueExample {
  const example: Record<string, string | number> = {};
  const where = `${path} row ${row}`;
  for (const column of Object.keys(spec.textColumns)) {
    const value = record[column];
    if (typeof value !== 'string') throw new UnsupportedInputError({ source: `${where} column '${column}'`, expected: 'a string', found: String(value) });
    example[column] = value;
  }
  const label = record['label'];
  const n = spec.labelNames?.length;
  if (typeof label !== 'number' || (n !== undefined && (!Number.isInteger(label) || label < -1 || label >= n))) {
    throw new UnsupportedInputError({
      source: `${where} column 'label'`,
      expected: n === undefined ? 'a float score' : `a class id -1…${n - 1}`,
      found: String(label),
    });
  }
  const idx = record['idx'];
  if (typeof idx !== 'number' || !Number.isInteger(idx)) throw new UnsupportedInputError({ source: `${where} column 'idx'`, expected: 'an integer', found: String(idx) });
  example['label'] = label;
  example['idx'] = idx;
  return example as GlueExample;
}
