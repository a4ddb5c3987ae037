import { availableParallelism } from 'node:os';
import { sweepCommand } from '../sweep/sweep-command.js';

/**
 * The embedded default job (the README's main command): the built-in `default` sweep — the tiny random
 * DeBERTa-v3 on `synth-sst2`, once with LoRA and once per built-in score function — run on this
 * machine with one worker process per core (at most 6), then the comparison table and the report.
 * Needs no network and no downloaded model; running it again skips finished runs.
 */
export async function defaultCommand(flags: { out: string; quiet?: boolean; engine?: string; workers?: string }): Promise<void> {
  const workers = flags.workers ?? String(Math.max(1, Math.min(6, availableParallelism())));
  await sweepCommand({ preset: 'default', out: flags.out, workers, ...(flags.engine === undefined ? {} : { engine: flags.engine }) });
}
