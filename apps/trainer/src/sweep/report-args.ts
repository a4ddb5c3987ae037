import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { isFinished } from './cell-state.js';
import { isSweepFolder, readManifest } from './manifest.js';

/**
 * Expands the arguments of `adalora report`: a sweep folder (one with `sweep.json`) becomes the run
 * folders of its finished cells, in manifest order; any other argument is kept as a run folder.
 * Unfinished cells are left out with a warning naming them; a sweep with no finished cell is an error.
 */
export function expandReportArgs(args: string[], warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): string[] {
  return args.flatMap((arg) => {
    if (!isSweepFolder(arg)) return [arg];
    const manifest = readManifest(arg);
    const finished = manifest.cells.filter((cell) => isFinished(join(arg, cell.dir)));
    const missing = manifest.cells.filter((cell) => !finished.includes(cell));
    if (finished.length === 0) {
      throw new UnsupportedInputError({ source: arg, expected: 'a sweep with at least one finished cell', found: `none of its ${manifest.cells.length} cells has finished (see adalora sweep status ${arg})` });
    }
    if (missing.length > 0) {
      warn(`report: ${missing.length} of ${manifest.cells.length} cells of sweep ${manifest.name} are not finished and are left out: ${missing.map((c) => c.name).join('; ')}`);
    }
    return finished.map((cell) => join(arg, cell.dir));
  });
}
