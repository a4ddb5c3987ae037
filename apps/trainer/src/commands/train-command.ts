import { join, resolve } from 'node:path';
import { presetOptions } from '../config/presets.js';
import { mergeOptions, parseFlags, readConfigFile } from '../config/resolve-options.js';
import type { TrainOptions } from '../config/train-options.js';
import { prepareRunFolder, readJson, runFiles } from '../run/run-folder.js';
import type { RunResult } from '../run/run-result.js';
import { createProgress } from '../train/progress.js';
import { runTraining, type RunContext } from '../train/run-training.js';

/** The flags of `adalora train` that are not train options. */
export interface TrainCommandFlags {
  out: string;
  config?: string;
  preset?: string;
  resume?: boolean;
  overwrite?: boolean;
  quiet?: boolean;
}

/** Resolves the options of a run: defaults < preset < `--config` file < flags; on resume, the run's saved config. */
export function resolveTrainOptions(flags: TrainCommandFlags & Record<string, unknown>): { options: TrainOptions; preset?: string } {
  if (flags.resume === true) {
    const saved = readJson<TrainOptions & { preset: string | null }>(join(flags.out, runFiles.config), 'the config.json of the run to resume');
    return { options: mergeOptions(saved), ...(saved.preset === null ? {} : { preset: saved.preset }) };
  }
  const fromFile = flags.config === undefined ? {} : readConfigFile(flags.config);
  const fromFlags = parseFlags(flags);
  const task = (fromFlags.task ?? fromFile.task ?? 'synth-sst2') as string;
  const fromPreset = flags.preset === undefined ? {} : presetOptions(flags.preset, task);
  return { options: mergeOptions(fromPreset, fromFile, fromFlags), ...(flags.preset === undefined ? {} : { preset: flags.preset }) };
}

/** `adalora train`: prepares the run folder and trains. */
export async function trainCommand(flags: TrainCommandFlags & Record<string, unknown>, extra: Partial<RunContext> = {}): Promise<RunResult> {
  const { options, preset } = resolveTrainOptions(flags);
  // Saved absolute in config.json, so --resume finds the module from any working directory.
  if (options.scorerModule !== '') options.scorerModule = resolve(options.scorerModule);
  prepareRunFolder(flags.out, { overwrite: flags.overwrite === true, resume: flags.resume === true });
  const progress = createProgress({ quiet: flags.quiet === true, every: options.logEvery });
  return runTraining(options, { out: flags.out, resume: flags.resume === true, progress, ...(preset === undefined ? {} : { preset }), ...extra });
}
