import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import { createAdaLora } from '@adalora/adapters';
import { AdaLoraError } from '@adalora/core';
import type { Registry } from '@adalora/core';
import { loadTaskSplit, pretokenize, qaQuestionText, seededRandom, tasks } from '@adalora/datasets';
import type { TaskSpec } from '@adalora/datasets';
import { featurizationAdapter, loadPretrained, loadTokenizer } from '@adalora/models';
import type { ScoreFunctionFactory } from '@adalora/scores';
import { initBackend } from '@adalora/tensor';
import { presetPaperSchedule } from '../config/presets.js';
import type { TrainOptions } from '../config/train-options.js';
import { appendMetrics, runFiles, truncateMetrics, writeJsonAtomic } from '../run/run-folder.js';
import type { RunResult } from '../run/run-result.js';
import { saveHead } from '../run/head-file.js';
import { createAdamW, hfDecayRule } from './adamw.js';
import { clipByGlobalNorm } from './clip.js';
import { linearWarmupDecay } from './lr-schedule.js';
import type { Progress } from './progress.js';
import { fitSchedule } from './schedule-fit.js';
import { scorerOptions, scorerRegistry } from './scorer-options.js';
import { classificationHead, questionAnsweringHead, type TaskHead, type TrainableModel } from './task-heads.js';
import { loadCheckpoint, saveCheckpoint, type StatefulController } from './train-state.js';

/** The training run failed (NaN loss, ...): the CLI exits with code 1. */
export class RunFailedError extends AdaLoraError {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailedError';
  }
}

/** How `runTraining` is called. */
export interface RunContext {
  out: string;
  resume: boolean;
  preset?: string;
  progress: Progress;
  /** Score-function registry to resolve `--scorer` in (the built-ins, possibly extended). */
  scorers?: Registry<string, ScoreFunctionFactory>;
  /** Test hook: called after every optimizer step (e.g. to kill the process mid-run). */
  afterStep?: (step: number) => void;
}

/** A permutation of `[0, n)` for `epoch`, from the run's seed (Fisher–Yates). */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  const random = seededRandom((seed * 1_000_003 + epoch * 7919) >>> 0);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

function limit<T>(rows: T[], n: number): T[] {
  return n >= 0 ? rows.slice(0, n) : rows;
}

/** Engine, task data, model, tokenizer and the task head of a run: shared by `train` and `eval`. */
export async function prepareTaskAndModel(options: TrainOptions, progress: Progress) {
  const { engine, reason } = await initBackend({ engine: options.engine });
  progress.log(`engine: ${engine} (${reason})`);
  const task: TaskSpec = tasks.resolve(options.task);
  // Without --data-dir the data comes from the caches, downloaded when online (GLUE: the hub's parquet
  // files through @adalora/hub; SQuAD: the official JSON with its checksum); offline, a miss names the file.
  const source = { ...(options.dataDir === '' ? { download: {} } : { glueDir: options.dataDir, squadDir: options.dataDir, hubRoot: options.dataDir }), seed: options.seed };
  const train = await loadTaskSplit(task, task.trainSplit, source);
  const evalSplits = await Promise.all(task.evalSplits.map(async (split) => ({ split, data: await loadTaskSplit(task, split, source) })));
  const model = await loadPretrained(options.model, {
    task: task.kind === 'qa' ? 'question-answering' : 'sequence-classification',
    ...(task.kind === 'qa' ? {} : { numLabels: task.numLabels }),
    seed: options.seed,
  });
  if (options.gradientCheckpointing !== 'auto') model.gradientCheckpointing = options.gradientCheckpointing === 'true';
  if (model.origin.tokenizerDirectory === null) throw new RunFailedError(`model '${options.model}' has no tokenizer files`);
  const trainRows = limit<Record<string, unknown>>(train.rows as never, options.trainLimit);
  const evalSets = evalSplits.map(({ split, data }) => ({ split, rows: limit<Record<string, unknown>>(data.rows as never, options.evalLimit) }));
  const textsOf = (row: Record<string, unknown>): unknown[] => (task.kind === 'qa' ? [qaQuestionText(row.question as string), row.context] : task.textColumns.map((c) => row[c]));
  const texts = [trainRows, ...evalSets.map((e) => e.rows)].flatMap((rows) => rows.flatMap((row) => textsOf(row).filter((t): t is string => typeof t === 'string')));
  // The tokenizers binding only encodes asynchronously: tokenize every text once, featurize synchronously.
  const tokenizer = await pretokenize(featurizationAdapter(await loadTokenizer(model.origin.tokenizerDirectory)), texts);
  const trainHead: TaskHead = train.kind === 'qa'
    ? questionAnsweringHead(task, tokenizer, trainRows as never, options.maxLength)
    : classificationHead(task, tokenizer, trainRows as never, options.maxLength);
  return { engine, task, model, trainHead, evalSets };
}

/** Evaluates on every eval split with the task's official metric. */
export function evaluateSplits(head: TaskHead, model: unknown, evalSets: Array<{ split: string; rows: unknown[] }>, batchSize: number): Record<string, Record<string, number>> {
  const evals: Record<string, Record<string, number>> = {};
  for (const { split, rows } of evalSets) evals[split] = head.evaluate(model as TrainableModel, rows, batchSize);
  return evals;
}

/**
 * Fine-tunes a model with AdaLoRA (or LoRA) on a task and writes the run folder. The loop per optimizer
 * step t: `gradAccum` micro-batches of `(task loss + orth reg) / gradAccum` → clip → AdamW at
 * lr(t) → `updateAndAllocate(t, grads)` (scores, budget, masks) → log. Evaluation with the official
 * metric at every `evalEvery` steps (or epoch end) and at the end; checkpoints at evaluations.
 */
export async function runTraining(options: TrainOptions, context: RunContext): Promise<RunResult> {
  const started = Date.now();
  const { engine, task, model, trainHead, evalSets } = await prepareTaskAndModel(options, context.progress);
  const scorers = context.scorers ?? (await scorerRegistry(options.scorerModule));
  const scorerFactory = options.method === 'adalora' ? scorers.resolve(options.scorer) : null;
  const perStep = options.batchSize * options.gradAccum;
  const stepsPerEpoch = Math.ceil(trainHead.size / perStep);
  const totalSteps = options.maxSteps > 0 ? options.maxSteps : Math.max(1, Math.ceil(options.epochs * stepsPerEpoch));
  const schedule = fitSchedule(totalSteps, options, presetPaperSchedule(context.preset, options.task));
  const warmupSteps = options.warmupSteps >= 0 ? options.warmupSteps : Math.round(options.warmupRatio * totalSteps);

  const controller = createAdaLora(model, {
    targetModules: options.targetModules,
    method: options.method,
    initR: options.method === 'lora' ? options.targetR : options.initR,
    alpha: options.alpha,
    dropout: options.dropout,
    orthRegWeight: options.method === 'lora' ? 0 : options.orthReg,
    seed: options.seed,
    onWarning: (message) => context.progress.log(`warning: ${message}`),
    ...(scorerFactory === null ? {} : {
      targetR: options.targetR,
      scorer: scorerFactory(scorerOptions(options)),
      budget: { ...schedule, finalPhase: options.finalPhase },
    }),
  });
  const variables: Variable[] = [...controller.trainableVariables(), ...model.trainableVariables()];
  const optimizer = createAdamW({ weightDecay: options.weightDecay, decays: hfDecayRule });
  const trainable = variables.reduce((sum, v) => sum + v.size, 0);

  const writeConfig = () => writeJsonAtomic(join(context.out, runFiles.config), {
    ...options, preset: context.preset ?? null, totalSteps, stepsPerEpoch, warmupSteps, schedule, engine, trainableParameters: trainable,
  });
  let firstStep = 0;
  let lastEval: Record<string, Record<string, number>> = {};
  if (context.resume) {
    const meta = await loadCheckpoint(join(context.out, runFiles.checkpoint), { variables, optimizer, controller: controller as unknown as StatefulController });
    firstStep = meta.step;
    lastEval = (meta.loop.lastEval as typeof lastEval | undefined) ?? {};
    truncateMetrics(context.out, firstStep);
    context.progress.log(`resuming at step ${firstStep}/${totalSteps}`);
  } else {
    writeConfig();
  }

  const evaluate = (step: number) => {
    const evals = evaluateSplits(trainHead, model, evalSets, options.evalBatchSize);
    const primary = evals[task.evalSplits[0] as string]?.[task.primaryMetric] ?? Number.NaN;
    appendMetrics(context.out, { step, eval: evals, eval_primary: primary });
    context.progress.log(`step ${step}: ${Object.entries(evals).map(([s, m]) => `${s} ${Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')}`).join('; ')}`);
    return evals;
  };
  const checkpointNow = (step: number) => {
    // Never replace the last good checkpoint with parameters that have diverged.
    const bad = variables.filter((v) => tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(v))).dataSync()[0] === 1));
    if (bad.length > 0) {
      throw new RunFailedError(`parameters became NaN/Infinity at step ${step} (${bad.slice(0, 3).map((v) => v.name).join(', ')}${bad.length > 3 ? ', ...' : ''}): training stopped. The last good checkpoint is in ${join(context.out, runFiles.checkpoint)} (try a lower --lr)`);
    }
    return saveCheckpoint(join(context.out, runFiles.checkpoint), {
      variables, optimizer, controller: controller as unknown as StatefulController, meta: { step, loop: { lastEval } },
    });
  };
  const evalEvery = options.evalEvery > 0 ? options.evalEvery : stepsPerEpoch;
  const checkpointEvery = options.checkpointEvery > 0 ? options.checkpointEvery : evalEvery;

  context.progress.start(totalSteps, firstStep, `${options.method === 'lora' ? 'lora' : options.scorer} ${task.id}`);
  // The epoch's permutation, drawn once per epoch rather than once per step (a function of seed and epoch,
  // so a resumed run draws the same one).
  let shuffled: { epoch: number; order: number[] } = { epoch: -1, order: [] };
  for (let step = firstStep; step < totalSteps; step++) {
    let loss = 0;
    let grads: Record<string, Tensor> = {};
    for (let micro = 0; micro < options.gradAccum; micro++) {
      const position = (step * options.gradAccum + micro) * options.batchSize;
      const epoch = Math.floor(position / trainHead.size);
      if (shuffled.epoch !== epoch) shuffled = { epoch, order: epochOrder(trainHead.size, options.seed, epoch) };
      const order = shuffled.order;
      const offset = position % trainHead.size;
      const indices = order.slice(offset, Math.min(offset + options.batchSize, trainHead.size));
      const dropoutSeed = (options.seed * 7_919 + step * 131 + micro) >>> 0;
      const { value, grads: microGrads } = tf.variableGrads(
        () => tf.tidy(() => tf.div(tf.add(trainHead.loss(model as unknown as TrainableModel, indices, dropoutSeed), controller.orthRegularization()), options.gradAccum) as Scalar),
        variables,
      );
      loss += (value.dataSync()[0] as number) * options.gradAccum;
      value.dispose();
      for (const [name, g] of Object.entries(microGrads)) {
        const previous = grads[name];
        grads[name] = previous === undefined ? g : tf.tidy(() => tf.add(previous, g));
        if (previous !== undefined) {
          previous.dispose();
          g.dispose();
        }
      }
    }
    loss /= options.gradAccum;
    if (!Number.isFinite(loss)) {
      tf.dispose(Object.values(grads));
      context.progress.stop();
      throw new RunFailedError(`loss is ${loss} at step ${step}: training stopped. The last good checkpoint is in ${join(context.out, runFiles.checkpoint)} (try a lower --lr)`);
    }
    const clipped = options.maxGradNorm > 0 ? clipByGlobalNorm(grads, options.maxGradNorm) : { grads, norm: Number.NaN };
    grads = clipped.grads;
    const lr = linearWarmupDecay(step, { base: options.lr, warmupSteps, totalSteps: totalSteps });
    optimizer.apply(variables, grads, lr);
    const allocation = controller.updateAndAllocate(step, grads);
    tf.dispose(Object.values(grads));

    const done = step + 1;
    if (done % options.logEvery === 0 || done === totalSteps || allocation.keep !== null) {
      appendMetrics(context.out, {
        step: done, loss, lr, grad_norm: clipped.norm, budget: allocation.budget, threshold: allocation.threshold, phase: allocation.phase,
        ...(allocation.keep === null ? {} : { ranks: Object.fromEntries(Object.entries(allocation.keep).map(([name, keep]) => [name, keep.filter(Boolean).length])) }),
      });
    }
    context.progress.update(done, { loss, lr });
    if (done % evalEvery === 0 && done !== totalSteps) lastEval = evaluate(done);
    if (done % checkpointEvery === 0 && done !== totalSteps) await checkpointNow(done);
    context.afterStep?.(done);
  }
  context.progress.stop();
  lastEval = evaluate(totalSteps);

  const pattern = controller.rankPattern();
  const modules = controller.modules();
  const finalRanks = Object.fromEntries(modules.map((name) => {
    const keep = pattern === null ? undefined : Object.entries(pattern).find(([key]) => key === name || key.startsWith(`${name}.`))?.[1];
    return [name, keep === undefined ? (options.method === 'lora' ? options.targetR : options.initR) : keep.filter(Boolean).length];
  }));
  await controller.save(join(context.out, runFiles.adapter));
  await saveHead(model, join(context.out, runFiles.head));
  writeJsonAtomic(join(context.out, runFiles.rankPattern), { rank_pattern: pattern, ranks: finalRanks });
  const firstSplit = task.evalSplits[0] as string;
  const result: RunResult = {
    task: task.id, model: options.model, method: options.method, scorer: options.method === 'lora' ? null : options.scorer, seed: options.seed, engine,
    steps: totalSteps, evals: lastEval,
    primary: { split: firstSplit, key: task.primaryMetric, value: lastEval[firstSplit]?.[task.primaryMetric] ?? Number.NaN },
    finalRanks, initR: options.method === 'lora' ? options.targetR : options.initR, trainableParameters: trainable,
    trainSeconds: (Date.now() - started) / 1000,
  };
  writeJsonAtomic(join(context.out, runFiles.result), result);
  controller.dispose();
  optimizer.dispose();
  model.dispose();
  return result;
}
