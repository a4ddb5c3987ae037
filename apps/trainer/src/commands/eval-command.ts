import { join } from 'node:path';
import { createAdaLora } from '@adalora/adapters';
import { scoreFunctions } from '@adalora/scores';
import { mergeOptions } from '../config/resolve-options.js';
import type { TrainOptions } from '../config/train-options.js';
import { readJson, runFiles } from '../run/run-folder.js';
import { loadHead } from '../run/head-file.js';
import { createProgress } from '../train/progress.js';
import { evaluateSplits, prepareTaskAndModel } from '../train/run-training.js';

/**
 * `adalora eval --run <dir>`: rebuilds the run's model, loads its saved adapter (PEFT format, resized
 * to the saved rank pattern) and evaluates every eval split with the official metric.
 */
export async function evalCommand(flags: { run: string; engine?: string }): Promise<Record<string, Record<string, number>>> {
  const saved = readJson<TrainOptions>(join(flags.run, runFiles.config), 'the config.json of a run');
  const options = mergeOptions(saved, flags.engine === undefined ? {} : { engine: flags.engine as TrainOptions['engine'] });
  const { task, model, trainHead, evalSets } = await prepareTaskAndModel(options, createProgress({ quiet: true, every: 1 }));
  void task;
  const controller = createAdaLora(model, {
    targetModules: options.targetModules,
    method: options.method,
    initR: options.method === 'lora' ? options.targetR : options.initR,
    alpha: options.alpha,
    ...(options.method === 'lora' ? {} : { targetR: options.targetR, scorer: scoreFunctions.resolve('magnitude')({}), budget: { totalStep: 2, tinit: 0, tfinal: 0, deltaT: 1 } }),
  });
  await controller.load(join(flags.run, runFiles.adapter));
  await loadHead(model, join(flags.run, runFiles.head));
  const evals = evaluateSplits(trainHead, model, evalSets, options.evalBatchSize);
  controller.dispose();
  model.dispose();
  return evals;
}
