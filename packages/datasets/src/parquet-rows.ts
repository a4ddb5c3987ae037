import { UnsupportedInputError } from '@adalora/core';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

/** What a parquet file holds: row count, top-level columns, and HF's `huggingface` schema metadata if any. */
export interface ParquetFileInfo {
  readonly path: string;
  readonly numRows: number;
  readonly columns: readonly string[];
  /** `info.features` of the `huggingface` key-value metadata that `datasets` writes (ClassLabel names live here). */
  readonly hfFeatures: Record<string, unknown> | undefined;
}

interface OpenParquet {
  readonly info: ParquetFileInfo;
  readonly file: AsyncBuffer;
  readonly metadata: FileMetaData;
}

async function openParquet(path: string): Promise<OpenParquet> {
  try {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    const columns = parquetSchema(metadata).children.map((child) => child.element.name);
    const hfValue = metadata.key_value_metadata?.find((kv) => kv.key === 'huggingface')?.value;
    let hfFeatures: Record<string, unknown> | undefined;
    if (hfValue !== undefined) {
      const parsed = JSON.parse(hfValue) as { info?: { features?: Record<string, unknown> } };
      hfFeatures = parsed.info?.features;
    }
    return { info: { path, numRows: Number(metadata.num_rows), columns, hfFeatures }, file, metadata };
  } catch (error) {
    if (UnsupportedInputError.isInstance(error)) throw error;
    throw new UnsupportedInputError({ source: path, expected: 'a parquet file', found: (error as Error).message });
  }
}

/** Reads a parquet file's footer: rows, columns and HF feature metadata. */
export async function parquetFileInfo(path: string): Promise<ParquetFileInfo> {
  return (await openParquet(path)).info;
}

/**
 * Streams a parquet file's rows as plain objects, one row group at a time (so memory holds one row group,
 * not the file), with `hyparquet` and the codecs of `hyparquet-compressors` (Snappy, GZIP, ZSTD, Brotli,
 * LZ4). INT64 values come back as numbers (an error if one exceeds 2^53). Missing requested columns are an
 * error naming the file and the columns it has.
 */
export async function* readParquetRows(path: string, { columns }: { columns?: readonly string[] } = {}): AsyncGenerator<Record<string, unknown>> {
  const { info, file, metadata } = await openParquet(path);
  const absent = (columns ?? []).filter((c) => !info.columns.includes(c));
  if (absent.length > 0) {
    throw new UnsupportedInputError({ source: path, expected: `columns ${absent.map((c) => `'${c}'`).join(', ')}`, found: `columns ${info.columns.map((c) => `'${c}'`).join(', ')}` });
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({
      file,
      metadata,
      rowStart,
      rowEnd,
      compressors,
      ...(columns === undefined ? {} : { columns: [...columns] }),
    });
    for (let i = 0; i < rows.length; i++) yield toNumbers(rows[i] as Record<string, unknown>, path, rowStart + i) as Record<string, unknown>;
    rowStart = rowEnd;
  }
}

function toNumbers(value: unknown, path: string, row: number): unknown {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new UnsupportedInputError({ source: `${path} row ${row}`, expected: 'an integer within ±2^53', found: value.toString() });
    }
    return Number(value);
  }
  if (Array.isArray(value)) return value.map((v) => toNumbers(v, path, row));
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toNumbers(v, path, row);
    return out;
  }
  return value;
}
