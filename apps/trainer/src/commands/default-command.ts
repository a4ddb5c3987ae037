import { join } from 'node:path';
import { scoreFunctions } from '@adalora/scores';
import type { TrainOptions } from '../config/train-options.js';
import { readRuns, writeReport } from '../report/write-report.js';
import { trainCommand } from './train-command.js';

/**
 * The embedded default job (the README's main command): the tiny random DeBERTa-v3 on `synth-sst2`,
 * once with every built-in score function and once with plain LoRA, then the comparison table and the
 * report. Needs no network and no downloaded model.
 */
export async function defaultCommand(flags: { out: string; quiet?: boolean; engine?: string }): Promise<string> {
  const shared: Partial<Record<keyof TrainOptions, string>> = {
    task: 'synth-sst2', model: 'tiny-deberta-v3', initR: '8', targetR: '4', alpha: '32', lr: '2e-2', weightDecay: '0', epochs: '4',
    batchSize: '32', maxLength: '64', orthReg: '0.1', seed: '42', logEvery: '5', trainLimit: '2000', evalLimit: '500',
    // A 2-layer model at H 64 fits in memory many times over: recomputing layers would only cost time.
    gradientCheckpointing: 'false',
    ...(flags.engine === undefined ? {} : { engine: flags.engine }),
  };
  const runs: string[] = [];
  const variants: Array<{ name: string; method: string; scorer: string }> = [
    { name: 'lora', method: 'lora', scorer: 'sensitivity' },
    ...scoreFunctions.ids().map((scorer) => ({ name: `adalora-${scorer}`, method: 'adalora', scorer })),
  ];
  for (const variant of variants) {
    const out = join(flags.out, variant.name);
    await trainCommand({ ...shared, method: variant.method, scorer: variant.scorer, out, overwrite: true, quiet: flags.quiet === true });
    runs.push(out);
  }
  return writeReport(readRuns(runs), join(flags.out, 'report'));
}
