// Test-only helpers (not exported from the package): paths into src/__fixtures__ and JSONL reading.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file or folder under `src/__fixtures__/`. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../__fixtures__/${relative}`, import.meta.url));
}

/** Parses a JSONL fixture into objects. */
export function readJsonl<T = Record<string, unknown>>(relative: string): T[] {
  return readFileSync(fixturePath(relative), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** `expected/row_counts.json`: every config/split the official loaders were run on, with its row count. */
export function expectedRowCounts(): Record<string, number> {
  return JSON.parse(readFileSync(fixturePath('expected/row_counts.json'), 'utf8')) as Record<string, number>;
}
