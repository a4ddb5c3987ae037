import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { readByteLines, tabFields } from './byte-lines.js';
import { checkGlueSplit, glueConfig } from './glue-configs.js';
import type { GlueConfigSpec, GlueExample } from './glue-configs.js';
import { defaultWarningSink } from './warnings.js';
import type { WarningSink } from './warnings.js';

/** Where and what to read: the GLUE data directory (holding `CoLA/`, `MNLI/`, ...), an HF config and split. */
export interface GlueTsvOptions {
  /** The GLUE data root (the folder the GLUE zips extract into), or directly the task's folder. */
  readonly dir: string;
  /** HF config name: `cola`, `sst2`, `mrpc`, `qqp`, `stsb`, `mnli`, `mnli_matched`, `mnli_mismatched`, `qnli`, `rte`, `wnli`, `ax`. */
  readonly config: string;
  /** HF split name: `train`, `validation`, `test`; MNLI: `validation_matched`, `test_mismatched`, ... */
  readonly split: string;
  readonly onWarning?: WarningSink;
}

/**
 * Streams the examples of one GLUE split from the original TSV files, yielding exactly what HF's GLUE loader
 * yields (text columns, label id in HF order, `idx`): tab-separated with no quoting at all, universal newlines,
 * header looked up by name (CoLA train/dev have none), blank lines skipped without using an `idx`, test
 * splits labelled −1, STS-B scores as float32. Rows missing a field the example needs are dropped **after**
 * `idx` is assigned, as the official loader does, and reported in one warning listing file, lines and idx.
 * MRPC is built like HF from `msr_paraphrase_{train,test}.txt` + `mrpc_dev_ids.tsv` when present (then
 * `idx` is the source-file row), else from GLUE-format `train/dev/test.tsv` (with a warning: `idx` then
 * numbers rows of those files, and `test.tsv` has no labels).
 * Unknown labels, short CoLA rows, missing header columns and invalid UTF-8 are errors naming file and line.
 * Only the text columns of the current row are decoded, so memory holds one copy of the used text.
 */
export async function* readGlueTsv(options: GlueTsvOptions): AsyncGenerator<GlueExample> {
  const spec = glueConfig(options.config);
  checkGlueSplit(spec, options.split);
  const onWarning = options.onWarning ?? defaultWarningSink;
  if (spec.name === 'mrpc') {
    const folder = taskFolder(options.dir, spec);
    const sources = mrpcSources(folder, options.split);
    if (sources !== null) {
      yield* readMrpcSource(sources, options.split);
      return;
    }
    onWarning({
      code: 'idx-differs',
      source: taskFolder(options.dir, spec),
      message:
        'MRPC read from GLUE-format train/dev/test.tsv: idx numbers the rows of that file (HF numbers rows of msr_paraphrase_train.txt) and test.tsv has no labels (-1). Put msr_paraphrase_train.txt, msr_paraphrase_test.txt and mrpc_dev_ids.tsv in this folder to get HF\'s rows.',
    });
  }
  const path = resolveFile(options.dir, spec, options.split);
  yield* readGlueFile(path, spec, spec.name === 'cola' && options.split !== 'test', onWarning);
}

/** Reads a whole GLUE split into memory (see `readGlueTsv` for the rules). */
export async function loadGlueTsv(options: GlueTsvOptions): Promise<GlueExample[]> {
  const rows: GlueExample[] = [];
  for await (const row of readGlueTsv(options)) rows.push(row);
  return rows;
}

/** `<dir>/<Folder>` when it exists (dir is the GLUE root), else `dir` itself (dir is the task folder). */
function taskFolder(dir: string, spec: GlueConfigSpec): string {
  const nested = join(dir, spec.folder);
  return existsSync(nested) ? nested : dir;
}

function resolveFile(dir: string, spec: GlueConfigSpec, split: string): string {
  const names = spec.files[split] ?? [];
  const candidates = names.flatMap((name) => [join(dir, spec.folder, name), join(dir, name)]);
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new UnsupportedInputError({
      source: `GLUE ${spec.name}/${split}`,
      expected: `the file ${join(dir, spec.folder, names[0] ?? '')} (from the GLUE ${spec.folder} download, unzipped)`,
      found: 'no such file',
    });
  }
  return found;
}

async function* readGlueFile(path: string, spec: GlueConfigSpec, headerless: boolean, onWarning: WarningSink): AsyncGenerator<GlueExample> {
  let header: Map<string, number> | null = null;
  let headerWidth = 0;
  let idx = 0;
  const dropped: Array<{ line: number; idx: number }> = [];
  const extra: number[] = [];
  const textEntries = Object.entries(spec.textColumns);
  let textIndex: Array<[string, number]> = [];
  let labelIndex = -1;
  for await (const { line, bytes } of readByteLines(path)) {
    if (headerless) {
      // CoLA train/dev: plain csv.reader, columns source, label, original mark, sentence; a short or blank
      // row makes the official loader fail with IndexError.
      const fields = tabFields(bytes);
      if (fields.length < 4) {
        throw new UnsupportedInputError({ source: `${path}:${line}`, expected: '4 tab-separated fields (source, label, mark, sentence)', found: `${bytes.length === 0 ? 0 : fields.length}` });
      }
      const [, labelField, , sentenceField] = fields as [[number, number], [number, number], [number, number], [number, number]];
      const label = parseLabel(decode(bytes, labelField), spec, `${path}:${line}`);
      const rowIdx = idx++;
      if (label === null) {
        dropped.push({ line, idx: rowIdx });
        continue;
      }
      yield { sentence: decode(bytes, sentenceField), label, idx: rowIdx };
      continue;
    }
    if (bytes.length === 0) continue; // DictReader skips blank lines; they use no idx
    const fields = tabFields(bytes);
    if (header === null) {
      header = new Map(fields.map((f, i) => [decode(bytes, f), i]));
      headerWidth = fields.length;
      textIndex = textEntries.map(([feature, column]) => {
        const i = header?.get(column);
        if (i === undefined) {
          throw new UnsupportedInputError({
            source: `${path}:${line}`,
            expected: `a header with column '${column}'`,
            found: `columns ${[...(header?.keys() ?? [])].map((c) => `'${c}'`).join(', ')}`,
          });
        }
        return [feature, i];
      });
      labelIndex = spec.labelColumn === '' ? -1 : (header.get(spec.labelColumn) ?? -1);
      continue;
    }
    if (fields.length > headerWidth) extra.push(line);
    const example: Record<string, string | number> = {};
    let complete = true;
    for (const [feature, i] of textIndex) {
      const field = fields[i];
      if (field === undefined) complete = false;
      else example[feature] = decode(bytes, field);
    }
    let label: number | null = -1;
    if (labelIndex >= 0) {
      const field = fields[labelIndex];
      label = field === undefined ? null : parseLabel(decode(bytes, field), spec, `${path}:${line}`);
    }
    const rowIdx = idx++;
    if (!complete || label === null) {
      dropped.push({ line, idx: rowIdx });
      continue;
    }
    example['label'] = label;
    example['idx'] = rowIdx;
    yield example as GlueExample;
  }
  if (dropped.length > 0) {
    const shown = dropped.slice(0, 10).map((d) => `line ${d.line} (idx ${d.idx})`).join(', ');
    onWarning({
      code: 'dropped-row',
      source: path,
      message: `dropped ${dropped.length} row(s) with missing fields or an empty label, as the official loader does (their idx stay unused): ${shown}${dropped.length > 10 ? ', …' : ''}`,
      ids: dropped.map((d) => String(d.idx)),
    });
  }
  if (extra.length > 0) {
    onWarning({
      code: 'extra-fields',
      source: path,
      message: `${extra.length} row(s) have more fields than the header (${headerWidth}); the extra fields are ignored as the official loader does: line(s) ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ', …' : ''}`,
    });
  }
}

function decode(bytes: Buffer, [start, end]: [number, number]): string {
  return bytes.toString('utf8', start, end);
}

const PYTHON_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
const PYTHON_FLOAT = /^\s*[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+\.|inf(?:inity)?|nan)\s*$/i;

/**
 * HF's label rule: a class name → its id; otherwise `int(label)` (an empty label → the row is dropped,
 * returned as `null`); the id must then be a valid `ClassLabel` value (−1 … n−1). STS-B: `float32(label)`.
 */
function parseLabel(raw: string, spec: GlueConfigSpec, where: string): number | null {
  if (spec.labelNames === null) {
    if (!PYTHON_FLOAT.test(raw)) {
      throw new UnsupportedInputError({ source: `${where} column '${spec.labelColumn}'`, expected: 'a number (STS-B score)', found: `'${raw}'` });
    }
    return Math.fround(Number(raw.trim().replaceAll('_', '').replace(/^([+-]?)inf(inity)?$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN')));
  }
  const named = spec.labelNames.indexOf(raw);
  if (named !== -1) return named;
  if (raw === '') return null;
  const allowed = `one of ${spec.labelNames.map((n, i) => `'${n}' or ${i}`).join(', ')}`;
  if (!PYTHON_INT.test(raw)) {
    throw new UnsupportedInputError({ source: `${where} column '${spec.labelColumn}'`, expected: `a ${spec.name} label: ${allowed}`, found: `'${raw}'` });
  }
  const value = Number(raw.trim().replaceAll('_', ''));
  if (value < -1 || value >= spec.labelNames.length) {
    throw new UnsupportedInputError({ source: `${where} column '${spec.labelColumn}'`, expected: `a ${spec.name} label: ${allowed} (or -1)`, found: `${value}` });
  }
  return value;
}

interface MrpcSources {
  readonly source: string;
  readonly devIds?: string;
}

function mrpcSources(folder: string, split: string): MrpcSources | null {
  if (split === 'test') {
    const source = join(folder, 'msr_paraphrase_test.txt');
    return existsSync(source) ? { source } : null;
  }
  const source = join(folder, 'msr_paraphrase_train.txt');
  const devIds = join(folder, 'mrpc_dev_ids.tsv');
  return existsSync(source) && existsSync(devIds) ? { source, devIds } : null;
}

/** HF's `_generate_example_mrpc_files`: train/validation split the source file by the dev id list; idx = source row. */
async function* readMrpcSource({ source, devIds }: MrpcSources, split: string): AsyncGenerator<GlueExample> {
  const dev = new Set<string>();
  if (devIds !== undefined) {
    for await (const { line, bytes } of readByteLines(devIds)) {
      const fields = tabFields(bytes);
      if (fields.length < 2) {
        throw new UnsupportedInputError({ source: `${devIds}:${line}`, expected: 'two tab-separated ids (#1 ID, #2 ID)', found: `${bytes.length === 0 ? 0 : fields.length} field(s)` });
      }
      dev.add(`${decode(bytes, fields[0] as [number, number])}\t${decode(bytes, fields[1] as [number, number])}`);
    }
  }
  const spec = glueConfig('mrpc');
  let header: Map<string, number> | null = null;
  let n = 0;
  const column = (name: string, where: string): number => {
    const i = header?.get(name);
    if (i === undefined) throw new UnsupportedInputError({ source: where, expected: `a header with column '${name}'`, found: [...(header?.keys() ?? [])].join(', ') });
    return i;
  };
  let cols: number[] = [];
  for await (const { line, bytes } of readByteLines(source)) {
    if (bytes.length === 0) continue;
    const fields = tabFields(bytes);
    const where = `${source}:${line}`;
    if (header === null) {
      header = new Map(fields.map((f, i) => [decode(bytes, f), i]));
      cols = ['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'].map((name) => column(name, where));
      continue;
    }
    const values = cols.map((i) => fields[i]);
    if (values.some((v) => v === undefined)) {
      throw new UnsupportedInputError({ source: where, expected: `${header.size} tab-separated fields`, found: `${fields.length}` });
    }
    const [quality, id1, id2, s1, s2] = (values as Array<[number, number]>).map((f) => decode(bytes, f)) as [string, string, string, string, string];
    const idx = n++;
    if (devIds !== undefined && dev.has(`${id1}\t${id2}`) !== (split === 'validation')) continue;
    const label = parseLabel(quality, spec, where);
    if (label === null) throw new UnsupportedInputError({ source: `${where} column 'Quality'`, expected: '0 or 1', found: "''" });
    yield { sentence1: s1, sentence2: s2, label, idx };
  }
}
