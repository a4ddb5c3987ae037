import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { UnsupportedInputError } from '@adalora/core';

/** Labels: a tensor or a plain array (`[B]`). */
export type LabelInput = Tensor | readonly number[];

function toTensor(x: LabelInput, dtype: 'int32' | 'float32'): Tensor {
  return x instanceof tf.Tensor ? tf.cast(x, dtype) : tf.tensor1d(x as number[], dtype);
}

/**
 * Mean cross-entropy of `logits` `[N, C]` against integer labels `[N]`, over the rows whose label is in
 * [0, C) (the other rows are ignored, as transformers' ignore_index / DeBERTa's `label >= 0` filter);
 * 0 when no row counts.
 */
function maskedCrossEntropy(logits: Tensor, labels: Tensor): Scalar {
  const classes = logits.shape[1] as number;
  const valid = tf.cast(tf.logicalAnd(tf.greaterEqual(labels, 0), tf.less(labels, classes)), 'float32');
  const safe = tf.where(tf.cast(valid, 'bool'), labels, tf.zerosLike(labels));
  const logProbs = tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.cast(safe, 'int32'), classes)), 1);
  const count = tf.sum(valid);
  return tf.div(tf.neg(tf.sum(tf.mul(picked, valid))), tf.maximum(count, 1)) as Scalar;
}

/**
 * The loss transformers' `*ForSequenceClassification` computes when `problem_type` is unset:
 * `numLabels` 1 (logits `[B, 1]`) → regression, mean squared error against float labels `[B]`;
 * otherwise single-label cross-entropy, mean over the rows whose integer label is ≥ 0.
 */
export function sequenceClassificationLoss(logits: Tensor, labels: LabelInput): Scalar {
  return tf.tidy(() => {
    const [batch, classes] = logits.shape as [number, number];
    const size = labels instanceof tf.Tensor ? labels.size : labels.length;
    if (logits.rank !== 2 || size !== batch) {
      throw new UnsupportedInputError({ source: 'labels', expected: `${batch} labels for logits [${logits.shape.join(', ')}]`, found: String(size) });
    }
    if (classes === 1) return tf.losses.meanSquaredError(toTensor(labels, 'float32'), tf.reshape(logits, [batch])) as Scalar;
    return maskedCrossEntropy(logits, toTensor(labels, 'int32'));
  });
}

/**
 * transformers' extractive question-answering loss: positions are clamped to [0, L], position L is
 * ignored, and the loss is (CE(start) + CE(end)) / 2 with each cross-entropy averaged over the kept rows.
 * A side whose rows are all ignored contributes 0 (PyTorch's mean over no element would be NaN).
 */
export function questionAnsweringLoss(startLogits: Tensor, endLogits: Tensor, startPositions: LabelInput, endPositions: LabelInput): Scalar {
  return tf.tidy(() => {
    const length = startLogits.shape[1] as number;
    const clamp = (p: LabelInput) => {
      const t = toTensor(p, 'int32');
      // Clamped to [0, L]: L (and everything past it) is then out of [0, L) and ignored.
      return tf.clipByValue(t, 0, length);
    };
    const start = maskedCrossEntropy(startLogits, clamp(startPositions));
    const end = maskedCrossEntropy(endLogits, clamp(endPositions));
    return tf.div(tf.add(start, end), 2) as Scalar;
  });
}
