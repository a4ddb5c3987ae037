import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import {
  collateQa, featurizeClassification, featurizeQa, glueMetric, postprocessQa, squadV1Metric, squadV2Metric,
} from '@adalora/datasets';
import type { GlueExample, QaFeature, SquadExample, TaskSpec, TokenizerAdapter } from '@adalora/datasets';
import type { PaddedBatch } from '@adalora/datasets';
import { questionAnsweringLoss, sequenceClassificationLoss } from '@adalora/models';

/** The part of a model the trainer calls (sequence classification or QA). */
export interface TrainableModel {
  forward(
    inputs: { inputIds: Tensor; attentionMask: Tensor; tokenTypeIds?: Tensor },
    options: { training?: boolean; seed?: number },
  ): { logits?: Tensor; startLogits?: Tensor; endLogits?: Tensor };
}

/**
 * What differs between classification/regression and extractive QA: how examples become training
 * items and batches, the loss, and the evaluation with the official metric.
 */
export interface TaskHead {
  /** Number of training items (QA: windows). */
  readonly size: number;
  /** The loss of the training items at `indices` (mean over the batch). */
  loss(model: TrainableModel, indices: number[], seed: number): Scalar;
  /** Evaluates `model` on the rows of one eval split and returns the official metric's keys and values. */
  evaluate(model: TrainableModel, rows: readonly unknown[], batchSize: number): Record<string, number>;
}

function inputsOf(batch: PaddedBatch) {
  const shape: [number, number] = [batch.batchSize, batch.seqLength];
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, shape, 'int32'),
  };
}

/** GLUE-format tasks: classification (cross-entropy) and regression (mean squared error), the HF heads' losses. */
export function classificationHead(task: TaskSpec, tokenizer: TokenizerAdapter, trainRows: GlueExample[], maxLength: number): TaskHead {
  const featurize = (rows: GlueExample[]) => featurizeClassification(rows, { tokenizer, task, maxLength, padding: 'longest' });
  const regression = task.kind === 'regression';
  const metricConfig = task.metric.kind === 'glue' ? task.metric.config : null;
  return {
    size: trainRows.length,
    loss(model, indices, seed) {
      return tf.tidy(() => {
        const batch = featurize(indices.map((i) => trainRows[i] as GlueExample));
        const { logits } = model.forward(inputsOf(batch), { training: true, seed });
        return sequenceClassificationLoss(logits as Tensor, Array.from(batch.labels));
      });
    },
    evaluate(model, rows, batchSize) {
      const evalRows = rows as GlueExample[];
      const predictions: number[] = [];
      const references: number[] = [];
      for (let start = 0; start < evalRows.length; start += batchSize) {
        const batch = featurize(evalRows.slice(start, start + batchSize));
        const values = tf.tidy(() => {
          const { logits } = model.forward(inputsOf(batch), { training: false });
          return regression ? tf.reshape(logits as Tensor, [-1]).dataSync() : tf.argMax(logits as Tensor, 1).dataSync();
        });
        predictions.push(...Array.from(values));
        references.push(...Array.from(batch.labels));
      }
      if (metricConfig === null) throw new Error(`task ${task.id} has no GLUE metric`);
      return { ...glueMetric(metricConfig, predictions, references) } as Record<string, number>;
    },
  };
}

/** Extractive QA (SQuAD v1.1/v2.0 and synth-squad): windows, start/end cross-entropy, official EM/F1. */
export function questionAnsweringHead(task: TaskSpec, tokenizer: TokenizerAdapter, trainRows: SquadExample[], maxLength: number): TaskHead {
  const docStride = Math.min(task.docStride ?? 128, Math.floor(maxLength / 2));
  const trainFeatures = featurizeQa(trainRows, { tokenizer, maxLength, docStride });
  const version2 = task.metric.kind === 'squad_v2';
  return {
    size: trainFeatures.length,
    loss(model, indices, seed) {
      return tf.tidy(() => {
        const batch = collateQa(indices.map((i) => trainFeatures[i] as QaFeature), tokenizer.specialTokens.pad, 'longest');
        const { startLogits, endLogits } = model.forward(inputsOf(batch), { training: true, seed });
        return questionAnsweringLoss(startLogits as Tensor, endLogits as Tensor, Array.from(batch.startPositions), Array.from(batch.endPositions));
      });
    },
    evaluate(model, rows, batchSize) {
      const evalRows = rows as SquadExample[];
      const features = featurizeQa(evalRows, { tokenizer, maxLength, docStride });
      const starts: Float32Array[] = [];
      const ends: Float32Array[] = [];
      for (let first = 0; first < features.length; first += batchSize) {
        const chunk = features.slice(first, first + batchSize);
        const batch = collateQa(chunk, tokenizer.specialTokens.pad, 'max_length');
        // Read outside tf.tidy: tidy walks returned typed arrays element by element looking for tensors.
        const logits = tf.tidy(() => {
          const out = model.forward(inputsOf(batch), { training: false });
          return [out.startLogits as Tensor, out.endLogits as Tensor];
        });
        const [s, e] = logits.map((t) => t.dataSync() as Float32Array);
        tf.dispose(logits);
        for (let row = 0; row < chunk.length; row++) {
          starts.push((s as Float32Array).slice(row * batch.seqLength, (row + 1) * batch.seqLength));
          ends.push((e as Float32Array).slice(row * batch.seqLength, (row + 1) * batch.seqLength));
        }
      }
      const { predictions } = postprocessQa(evalRows, features, { start: starts, end: ends }, { version2 });
      const result = version2 ? squadV2Metric(evalRows, predictions) : squadV1Metric(evalRows, predictions);
      return Object.fromEntries(Object.entries(result).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    },
  };
}
