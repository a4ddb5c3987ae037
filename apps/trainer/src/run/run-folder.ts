import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';

/** The files of a run folder (`adalora train --out <dir>`). */
export const runFiles = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  result: 'result.json',
  rankPattern: 'rank_pattern.json',
  adapter: 'adapter',
  head: 'head.safetensors',
  checkpoint: 'checkpoint',
} as const;

/**
 * Writes a file atomically: to a temporary name in the same folder, then renamed over the target, so a
 * kill leaves either the old or the new file, never half of one.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/** `writeFileAtomic` of pretty JSON with a trailing newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a JSON file, naming the file in the error when it is missing or malformed. */
export function readJson<T>(path: string, what: string): T {
  if (!existsSync(path)) throw new UnsupportedInputError({ source: path, expected: what, found: 'no such file' });
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new UnsupportedInputError({ source: path, expected: what, found: (error as Error).message });
  }
}

/**
 * Prepares the run folder: a new or empty folder is used as is; an existing non-empty one is refused
 * unless `overwrite` (emptied) or `resume` (kept).
 */
export function prepareRunFolder(dir: string, mode: { overwrite: boolean; resume: boolean }): void {
  const exists = existsSync(dir) && readdirSync(dir).length > 0;
  if (mode.resume) {
    if (!existsSync(join(dir, runFiles.config))) {
      throw new UnsupportedInputError({ source: dir, expected: `a run folder to resume (with ${runFiles.config})`, found: exists ? 'a folder without it' : 'nothing' });
    }
    return;
  }
  if (exists && !mode.overwrite) {
    throw new InvalidConfigError({ field: 'out', value: dir, reason: 'the run folder exists and is not empty: pass --resume to continue it or --overwrite to replace it' });
  }
  if (exists) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Appends one JSON line to `metrics.jsonl`. */
export function appendMetrics(dir: string, record: Record<string, unknown>): void {
  appendFileSync(join(dir, runFiles.metrics), `${JSON.stringify(record)}\n`);
}

/** The records of `metrics.jsonl`, skipping a torn last line (a kill mid-write). */
export function readMetrics(dir: string): Array<Record<string, unknown>> {
  const path = join(dir, runFiles.metrics);
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim().length > 0);
  const records: Array<Record<string, unknown>> = [];
  lines.forEach((line, i) => {
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch (error) {
      if (i !== lines.length - 1) throw new UnsupportedInputError({ source: `${path}:${i + 1}`, expected: 'a JSON line', found: (error as Error).message });
    }
  });
  return records;
}

/** Keeps the metrics lines up to `step` (resume rewinds the log to the checkpoint it restarts from). */
export function truncateMetrics(dir: string, step: number): void {
  const kept = readMetrics(dir).filter((record) => typeof record.step !== 'number' || (record.step as number) <= step);
  writeFileAtomic(join(dir, runFiles.metrics), kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
}
