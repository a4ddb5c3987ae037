import { Command, CommanderError, Option } from 'commander';
import { AdaLoraError, InvalidConfigError, UnknownImplementationError, UnsupportedInputError } from '@adalora/core';
import { trainOptionSpecs } from './config/train-options.js';
import { presets } from './config/presets.js';
import { defaultCommand } from './commands/default-command.js';
import { evalCommand } from './commands/eval-command.js';
import { glueMetricsCommand, squadMetricsCommand } from './commands/metrics-command.js';
import { trainCommand } from './commands/train-command.js';
import { readRuns, writeReport } from './report/write-report.js';
import { expandReportArgs } from './sweep/report-args.js';
import { registerSweepCommand } from './sweep/sweep-command.js';

/** Exit codes of the `adalora` CLI. */
export const exitCodes = { success: 0, runFailed: 1, usage: 2 } as const;

/** Errors that come from what the user asked for (a flag, a file, a name): exit code 2. */
function isUsageError(error: unknown): boolean {
  return InvalidConfigError.isInstance(error) || UnknownImplementationError.isInstance(error) || UnsupportedInputError.isInstance(error);
}

function buildProgram(): Command {
  const program = new Command('adalora')
    .description('AdaLoRA fine-tuning on TensorFlow.js with pluggable importance scores')
    .exitOverride()
    .showHelpAfterError();

  const train = program.command('train').description('fine-tune a model with AdaLoRA (or LoRA) on a task');
  for (const spec of trainOptionSpecs) {
    const option = new Option(`--${spec.flag} <${spec.kind === 'list' ? 'a,b,...' : 'value'}>`, spec.description);
    if (spec.choices !== undefined) option.choices(spec.choices as string[]);
    train.addOption(option);
  }
  train
    .requiredOption('--out <dir>', 'run folder')
    .option('--config <file.json>', 'train options as JSON (keys: the flags in camelCase)')
    .addOption(new Option('--preset <name>', `preset: ${Object.entries(presets).map(([k, p]) => `${k} (${p.description})`).join('; ')}`))
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--overwrite', 'replace an existing run folder')
    .option('--quiet', 'no progress output')
    .action(async (flags) => {
      const result = await trainCommand(flags);
      process.stdout.write(`${JSON.stringify({ task: result.task, primary: result.primary, evals: result.evals })}\n`);
    });

  program.command('eval').description('evaluate a finished run again').requiredOption('--run <dir>', 'run folder')
    .option('--engine <engine>', 'TensorFlow.js engine')
    .action(async (flags) => {
      process.stdout.write(`${JSON.stringify(await evalCommand(flags), null, 2)}\n`);
    });

  program.command('report').description('comparison table (Markdown, CSV), rank heat-maps and curves of finished runs')
    .argument('<runs...>', 'run folders or sweep folders').option('--out <dir>', 'report folder', 'report')
    .action((runs: string[], flags: { out: string }) => {
      process.stdout.write(writeReport(readRuns(expandReportArgs(runs)), flags.out));
      process.stderr.write(`report written to ${flags.out}/report.md\n`);
    });

  const metrics = program.command('metrics').description('official GLUE / SQuAD evaluation of prediction files (JSON out)');
  metrics.command('squad').requiredOption('--data <dev.json>', 'official SQuAD dev file').requiredOption('--predictions <pred.json>', 'question id → answer')
    .option('--na-prob <na.json>', 'question id → no-answer probability (v2.0)')
    .action(async (flags) => {
      process.stdout.write(`${JSON.stringify(await squadMetricsCommand(flags))}\n`);
    });
  metrics.command('glue').requiredOption('--task <task>', 'GLUE task').requiredOption('--predictions <file>', 'JSON array or one value per line')
    .requiredOption('--references <file>', 'JSON array or one value per line')
    .action((flags) => {
      process.stdout.write(`${JSON.stringify(glueMetricsCommand(flags))}\n`);
    });

  program.command('default').description('the embedded default: tiny DeBERTa-v3 on synth-sst2 with every score function and LoRA, then the report')
    .option('--out <dir>', 'where the runs and the report go', 'runs/default').option('--engine <engine>', 'TensorFlow.js engine')
    .option('--workers <n>', 'runs at a time (default: one per core, at most 6)')
    .action(async (flags) => {
      await defaultCommand(flags);
    });
  registerSweepCommand(program);
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return exitCodes.success;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? exitCodes.success : exitCodes.usage;
    }
    process.stderr.write(`adalora: ${error instanceof Error ? error.message : String(error)}\n`);
    if (isUsageError(error)) return exitCodes.usage;
    if (!AdaLoraError.isInstance(error) && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    return exitCodes.runFailed;
  }
}
