import { join } from 'node:path';
import { InvalidConfigError } from '@adalora/core';
import type { HubOptions } from '@adalora/hub';
import { fetchGlueParquet } from './hub-data.js';
import { fetchOfficialFile } from './official-download.js';
import type { OfficialDownloadOptions } from './official-download.js';
import type { GlueExample } from './glue-configs.js';
import { loadGlueParquet } from './glue-parquet.js';
import { loadGlueTsv } from './glue-tsv.js';
import type { SquadExample } from './squad-examples.js';
import { loadSquadJson, squadRowsFromJson } from './squad-json.js';
import { loadSquadParquet } from './squad-parquet.js';
import { synthGlueRows, synthSquadJson } from './synthetic.js';
import type { SynthGlueTask } from './synthetic.js';
import { tasks } from './tasks.js';
import type { TaskSpec } from './tasks.js';
import type { WarningSink } from './warnings.js';

/** Where to read a task's data from; which fields apply depends on the task's source. */
export interface TaskDataSource {
  /** GLUE tasks: the GLUE TSV root (holding `CoLA/`, `MNLI/`, ...). */
  readonly glueDir?: string;
  /** GLUE and SQuAD: a local copy of the task's hub repo (`nyu-mll/glue`, `rajpurkar/squad[_v2]`). */
  readonly hubRoot?: string;
  /** SQuAD: the folder holding the official JSON files (`train-v1.1.json`, `dev-v2.0.json`, ...). */
  readonly squadDir?: string;
  /** Synthetic tasks: seed (default 42) and number of examples. */
  readonly seed?: number;
  readonly size?: number;
  readonly onWarning?: WarningSink;
  /**
   * When no local source is given: download into the caches. GLUE → hub parquet (`nyu-mll/glue`) through
   * `@adalora/hub` (`hub` options: endpoint, cacheDir, token, offline, ...); SQuAD → the official JSON with
   * its checksum (`official` options: cacheDir, offline, ...).
   */
  readonly download?: {
    readonly hub?: Omit<HubOptions, 'repoType'>;
    readonly official?: Omit<OfficialDownloadOptions, 'subdir' | 'url'>;
  };
}

/** A loaded split: GLUE-format rows or SQuAD rows. */
export type TaskData = { readonly kind: 'glue'; readonly rows: GlueExample[] } | { readonly kind: 'qa'; readonly rows: SquadExample[] };

/**
 * Loads one split of a task (a `TaskSpec` or a `--task` name) from the source that fits it: GLUE from
 * `glueDir` (TSV) or `hubRoot` (parquet); SQuAD from `squadDir` (official JSON) or `hubRoot` (parquet);
 * synthetic tasks from the seed; with `download` and no local source, from the caches (downloading when
 * online). A missing source is an error saying which option and files are needed.
 */
export async function loadTaskSplit(task: TaskSpec | string, split: string, source: TaskDataSource = {}): Promise<TaskData> {
  const spec = typeof task === 'string' ? tasks.resolve(task) : task;
  if (!(spec.splits as readonly string[]).includes(split)) {
    throw new InvalidConfigError({ field: 'split', value: split, reason: `task '${spec.id}' has splits ${spec.splits.join(', ')}` });
  }
  const warn = source.onWarning === undefined ? {} : { onWarning: source.onWarning };
  const s = spec.source;
  if (s.type === 'synthetic') {
    const options = { ...(source.seed === undefined ? {} : { seed: source.seed }), ...(source.size === undefined ? {} : { size: source.size }) };
    if (spec.kind === 'qa') return { kind: 'qa', rows: squadRowsFromJson(synthSquadJson(split, options), spec.id, warn) };
    return { kind: 'glue', rows: synthGlueRows(spec.id as SynthGlueTask, split, options) };
  }
  if (s.type === 'glue') {
    if (source.glueDir !== undefined) return { kind: 'glue', rows: await loadGlueTsv({ dir: source.glueDir, config: s.config, split, ...warn }) };
    if (source.hubRoot !== undefined) return { kind: 'glue', rows: await loadGlueParquet({ root: source.hubRoot, config: s.config, split }) };
    if (source.download !== undefined) {
      return { kind: 'glue', rows: await loadGlueParquet({ root: await fetchGlueParquet(s.config, split, source.download.hub), config: s.config, split }) };
    }
    throw new InvalidConfigError({
      field: 'glueDir',
      value: undefined,
      reason: `task '${spec.id}' needs its data: set glueDir to the unzipped GLUE folder (with ${s.config === 'mrpc' ? 'MRPC/msr_paraphrase_*.txt + mrpc_dev_ids.tsv' : 'the task folder'}) or hubRoot to a copy of ${s.hubRepo}, or allow a download`,
    });
  }
  const file = s.files[split as 'train' | 'validation'];
  const expectVersion = s.version === 'squad' ? '1.1' : 'v2.0';
  if (source.squadDir !== undefined) {
    return { kind: 'qa', rows: await loadSquadJson(join(source.squadDir, file.file), { expectVersion, ...warn }) };
  }
  if (source.hubRoot !== undefined) return { kind: 'qa', rows: await loadSquadParquet({ root: source.hubRoot, version: s.version, split, ...warn }) };
  if (source.download !== undefined) {
    const path = await fetchOfficialFile(file, { ...source.download.official, subdir: s.version });
    return { kind: 'qa', rows: await loadSquadJson(path, { expectVersion, ...warn }) };
  }
  throw new InvalidConfigError({
    field: 'squadDir',
    value: undefined,
    reason: `task '${spec.id}' needs its data: set squadDir to a folder with ${Object.values(s.files).map((f) => f.file).join(' and ')} or hubRoot to a copy of ${s.hub.repo}, or allow a download`,
  });
}
