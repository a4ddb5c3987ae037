import { join } from 'node:path';
import { loadAdaLora } from '@adalora/adapters';
import { mergeOptions } from '../config/resolve-options.js';
import type { TrainOptions } from '../config/train-options.js';
import { readJson, runFiles } from '../run/run-folder.js';
import { loadHead } from '../run/head-file.js';
import { createProgress } from '../train/progress.js';
import { evaluateSplits, prepareTaskAndModel } from '../train/run-training.js';

/**
 * `adalora eval --run <dir>`: rebuilds the run's model, loads its saved adapter with `loadAdaLora` (PEFT
 * format, resized to the saved rank pattern) and head and evaluates every eval split with the official metric.
 */
export async function evalCommand(flags: { run: string; engine?: string }): Promise<Record<string, Record<string, number>>> {
  const saved = readJson<TrainOptions>(join(flags.run, runFiles.config), 'the config.json of a run');
  const options = mergeOptions(saved, flags.engine === undefined ? {} : { engine: flags.engine as TrainOptions['engine'] });
  const { model, trainHead, evalSets } = await prepareTaskAndModel(options, createProgress({ quiet: true, every: 1 }));
  // The adapter's own adapter_config.json says how to rebuild it (method, targets, ranks, pattern).
  const controller = await loadAdaLora(model, join(flags.run, runFiles.adapter));
  await loadHead(model, join(flags.run, runFiles.head));
  const evals = evaluateSplits(trainHead, model, evalSets, options.evalBatchSize);
  controller.dispose();
  model.dispose();
  return evals;
}
