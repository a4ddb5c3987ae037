import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { magnitude } from './magnitude.js';
import { take } from './test-support.js';
import { tripletScores } from './triplet-scores.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('magnitude()', () => {
  it('scores |E| of the latest value; A and B score 0, so the triplet score is |E_i|', () => {
    const scorer = magnitude();
    const [a, e, b] = [tf.ones([2, 3]), tf.tensor2d([[0.5], [-2]]), tf.ones([4, 2])];
    const states = [scorer.init(a, 'A'), scorer.init(e, 'E'), scorer.init(b, 'B')];
    const eNext = tf.tensor2d([[-3], [0.25]]);
    states[1] = scorer.update(states[1] as never, eNext, eNext);
    const scores = states.map((s) => scorer.score(s));
    expect(Array.from(tripletScores(...(scores as [tf.Tensor, tf.Tensor, tf.Tensor])))).toEqual([3, 0.25]);
    tf.dispose([...scores, a, e, b, eNext]);
    states.forEach((s) => scorer.dispose(s));
  });

  it('keeps a copy: later changes to the parameter do not change the score', () => {
    const scorer = magnitude();
    const e = tf.variable(tf.tensor1d([1, -2]));
    const state = scorer.init(e, 'E');
    e.assign(tf.tensor1d([5, 5]));
    expect(Array.from(take(scorer.score(state)))).toEqual([1, 2]);
    scorer.dispose(state);
    e.dispose();
  });

  it("with onlyE: false, A and B score |w| too", () => {
    const scorer = magnitude({ onlyE: false });
    const a = tf.tensor2d([[-1, 2]]);
    const state = scorer.init(a, 'A');
    expect(Array.from(take(scorer.score(state)))).toEqual([1, 2]);
    scorer.dispose(state);
    a.dispose();
  });

  it('needs the role: init without it throws, naming the argument', () => {
    const a = tf.ones([2, 2]);
    expect(() => magnitude().init(a)).toThrow(/magnitude.init\(param, role\): expected role 'A', 'E' or 'B'.*found undefined/);
    a.dispose();
  });
});
