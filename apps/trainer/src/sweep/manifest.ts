import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import { readJson, writeJsonAtomic } from '../run/run-folder.js';
import type { Cell, Grid } from './grid.js';

/** Version tag of `sweep.json`; a reader refuses other formats instead of guessing. */
export const manifestFormat = 'adalora-sweep/1';

/** `sweep.json`: the grid and its cells, in array-index order. Written once; every re-run checks it. */
export interface SweepManifest {
  format: typeof manifestFormat;
  name: string;
  grid: Grid;
  cells: Cell[];
  createdAt: string;
}

/** The files and folders of a sweep folder. */
export function sweepPaths(dir: string) {
  return {
    manifest: join(dir, 'sweep.json'),
    /** One run folder per cell (`adalora train --out`). */
    cells: join(dir, 'cells'),
    /** One JSON record of attempts per cell, written only by the process running that cell. */
    state: join(dir, 'state'),
    /** Output of every attempt: `logs/<cell>/attempt-<n>.log`. */
    logs: join(dir, 'logs'),
    /** Slurm scripts, their submissions and Slurm's own output files. */
    slurm: join(dir, 'slurm'),
    report: join(dir, 'report'),
    /** Held by the local executor while it runs (PID inside), so two sweeps never share a folder. */
    lock: join(dir, 'sweep.lock'),
  };
}

/** True when `dir` holds a sweep manifest. */
export function isSweepFolder(dir: string): boolean {
  return existsSync(sweepPaths(dir).manifest);
}

/** Reads `sweep.json`, naming the file when it is missing, malformed or of another format. */
export function readManifest(dir: string): SweepManifest {
  const path = sweepPaths(dir).manifest;
  if (!existsSync(path)) throw new UnsupportedInputError({ source: dir, expected: 'a sweep folder (with sweep.json)', found: existsSync(dir) ? 'a folder without sweep.json' : 'no such folder' });
  const manifest = readJson<SweepManifest>(path, 'a sweep manifest');
  if (manifest.format !== manifestFormat || !Array.isArray(manifest.cells)) {
    throw new UnsupportedInputError({ source: path, expected: `a sweep manifest of format ${manifestFormat}`, found: `format ${JSON.stringify(manifest.format)}` });
  }
  return manifest;
}

/**
 * Writes the manifest of a new sweep folder, or checks that an existing one holds the same cells (names
 * and arguments, in order): re-running a sweep must not mix results of two different grids.
 */
export function writeOrCheckManifest(dir: string, grid: Grid, cells: Cell[], options: { write: boolean } = { write: true }): SweepManifest {
  if (isSweepFolder(dir)) {
    const existing = readManifest(dir);
    const mismatch = cells.length !== existing.cells.length
      ? `it has ${existing.cells.length} cells, this grid has ${cells.length}`
      : cells.map((cell, i) => ({ cell, old: existing.cells[i] as Cell }))
        .filter(({ cell, old }) => cell.name !== old.name || cell.args.join('\u0000') !== old.args.join('\u0000'))
        .map(({ cell, old }) => (cell.name !== old.name ? `cell ${cell.index} is '${old.name}' there, '${cell.name}' here` : `cell '${cell.name}' has arguments ${old.args.join(' ')} there, ${cell.args.join(' ')} here`))[0];
    if (mismatch !== undefined) {
      throw new InvalidConfigError({ field: 'out', value: dir, reason: `this sweep folder holds a different grid (${mismatch}); re-run the grid it was made with, or use another --out` });
    }
    return existing;
  }
  const manifest: SweepManifest = { format: manifestFormat, name: grid.name, grid, cells, createdAt: new Date().toISOString() };
  if (options.write) writeJsonAtomic(sweepPaths(dir).manifest, manifest);
  return manifest;
}
