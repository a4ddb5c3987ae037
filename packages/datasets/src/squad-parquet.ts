import { UnsupportedInputError } from '@adalora/core';
import { hubShardPath, hubSplitFiles } from './hub-layout.js';
import { readParquetRows } from './parquet-rows.js';
import { createAnswerChecker } from './squad-examples.js';
import type { SquadExample } from './squad-examples.js';
import { defaultWarningSink } from './warnings.js';
import type { WarningSink } from './warnings.js';

/** Hub repos and configs of SQuAD: `rajpurkar/squad` (config `plain_text`) and `rajpurkar/squad_v2` (config `squad_v2`). */
export const SQUAD_HUB = {
  squad: { repo: 'rajpurkar/squad', config: 'plain_text' },
  squad_v2: { repo: 'rajpurkar/squad_v2', config: 'squad_v2' },
} as const;

/** Where and what to read: a local copy of the hub repo (its root, holding `<config>/<split>-*.parquet`). */
export interface SquadParquetOptions {
  readonly root: string;
  readonly version: keyof typeof SQUAD_HUB;
  /** `train` or `validation`. */
  readonly split: string;
  readonly onWarning?: WarningSink;
}

/**
 * Streams SQuAD rows from the hub parquet (`answers` as `struct<text: list<string>, answer_start:
 * list<int32>>`), one row group at a time; same rows as `loadSquadJson` on the official JSON. Answers whose
 * `answer_start` misses their text are reported by id.
 */
export async function* readSquadParquet({ root, version, split, onWarning = defaultWarningSink }: SquadParquetOptions): AsyncGenerator<SquadExample> {
  const { repo, config } = SQUAD_HUB[version];
  const files = hubSplitFiles(root, config, split);
  if (files.length === 0) {
    const path = hubShardPath(config, split);
    throw new UnsupportedInputError({
      source: `${version}/${split} (parquet)`,
      expected: `${root}/${path} (from https://huggingface.co/datasets/${repo}/resolve/main/${path})`,
      found: 'no such file',
    });
  }
  for (const path of files) {
    const checker = createAnswerChecker(path, onWarning);
    let row = 0;
    for await (const record of readParquetRows(path, { columns: ['id', 'title', 'context', 'question', 'answers'] })) {
      const example = toSquadExample(record, `${path} row ${row++}`);
      checker.check(example);
      yield example;
    }
    checker.finish();
  }
}

/** Reads a whole SQuAD split from parquet into memory (see `readSquadParquet`). */
export async function loadSquadParquet(options: SquadParquetOptions): Promise<SquadExample[]> {
  const rows: SquadExample[] = [];
  for await (const row of readSquadParquet(options)) rows.push(row);
  return rows;
}

function toSquadExample(record: Record<string, unknown>, where: string): SquadExample {
  const str = (key: string): string => {
    const value = record[key];
    if (typeof value !== 'string') throw new UnsupportedInputError({ source: `${where} column '${key}'`, expected: 'a string', found: String(value) });
    return value;
  };
  const answers = record['answers'] as { text?: unknown; answer_start?: unknown } | null | undefined;
  const text = answers?.text;
  const starts = answers?.answer_start;
  if (
    !Array.isArray(text) ||
    !Array.isArray(starts) ||
    text.length !== starts.length ||
    text.some((t) => typeof t !== 'string') ||
    starts.some((s) => typeof s !== 'number' || !Number.isInteger(s))
  ) {
    throw new UnsupportedInputError({ source: `${where} column 'answers'`, expected: '{text: string[], answer_start: int[]} of equal length', found: JSON.stringify(answers) });
  }
  return { id: str('id'), title: str('title'), context: str('context'), question: str('question'), answers: { text: text as string[], answer_start: starts as number[] } };
}
