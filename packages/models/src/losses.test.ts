import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureExpected, fixtureInputs } from './__fixtures__/fixtures.js';
import { questionAnsweringLoss, sequenceClassificationLoss } from './losses.js';

// Recorded transformers v4.40.2 losses of the golden fixtures, computed here from the recorded logits.
describe.each(['deberta-v3-tiny', 'bert-tiny', 'roberta-tiny'])('task losses against %s', (name) => {
  beforeAll(async () => {
    await initBackend({ engine: 'cpu' });
  });
  const inputs = fixtureInputs(name);
  const expected = fixtureExpected(name);
  const t = (key: string) => tf.tensor(expected[key]!.data, expected[key]!.shape);

  it('classification cross-entropy, regression MSE, QA (start + end) / 2', () => {
    const loss = sequenceClassificationLoss(t('seqcls_logits'), inputs.seqcls_labels!.data);
    expect(loss.dataSync()[0]).toBeCloseTo(expected.seqcls_loss!.data[0]!, 5);
    const reg = sequenceClassificationLoss(tf.reshape(t('regression_logits'), [-1, 1]), inputs.regression_labels!.data);
    expect(reg.dataSync()[0]).toBeCloseTo(expected.regression_loss!.data[0]!, 5);
    const qa = questionAnsweringLoss(t('qa_start_logits'), t('qa_end_logits'), inputs.start_positions!.data, inputs.end_positions!.data);
    expect(qa.dataSync()[0]).toBeCloseTo(expected.qa_loss!.data[0]!, 5);
  });
});

describe('ignored rows', () => {
  it('negative labels and out-of-range positions do not count; no valid row gives 0', () => {
    const logits = tf.tensor2d([[2, 0], [0, 2]]);
    const one = sequenceClassificationLoss(logits, [0, -1]).dataSync()[0]!;
    expect(one).toBeCloseTo(Math.log(1 + Math.exp(-2)), 6);
    expect(Math.abs(sequenceClassificationLoss(logits, [-1, -1]).dataSync()[0]!)).toBe(0);
    const start = tf.tensor2d([[0, 0, 5]]);
    // Position 7 clamps to L = 3, which is ignored: only the end row counts, halved.
    expect(questionAnsweringLoss(start, start, [7], [2]).dataSync()[0]).toBeCloseTo(Math.log(2 + Math.exp(5)) / 2 - 5 / 2, 5);
    expect(() => sequenceClassificationLoss(logits, [1])).toThrow(/2 labels/);
  });
});
