import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { movement } from './movement.js';
import { expectClose, take } from './test-support.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('movement() by hand', () => {
  const steps: Array<[number[], number[]]> = [
    [[2, -1], [3, 0.5]], // −w·g = [−6, 0.5]
    [[1, 4], [-2, 1]], // −w·g = [2, −4]
  ];

  const run = (scorer: ReturnType<typeof movement>) => {
    let state = scorer.init(tf.zeros([2]));
    for (const [w, g] of steps) {
      const [value, grad] = [tf.tensor1d(w), tf.tensor1d(g)];
      state = scorer.update(state, value, grad);
      tf.dispose([value, grad]);
    }
    const out = take(scorer.score(state));
    scorer.dispose(state);
    return out;
  };

  it("'sum' accumulates −w·g over steps (movement pruning's form): [−6 + 2, 0.5 − 4]", () => {
    expectClose(run(movement({ accumulate: 'sum' })), [-4, -3.5], 'sum');
  });

  it("'ema' (default) smooths it: 0.85·(0.15·x₀) + 0.15·x₁ = [−0.465, −0.53625]", () => {
    expectClose(run(movement()), [0.85 * 0.15 * -6 + 0.15 * 2, 0.85 * 0.15 * 0.5 + 0.15 * -4], 'ema');
    expectClose(run(movement({ beta: 0.5 })), [0.5 * 0.5 * -6 + 0.5 * 2, 0.5 * 0.5 * 0.5 + 0.5 * -4], 'ema β=0.5');
  });

  it('rejects an unknown accumulation and β outside (0, 1)', () => {
    expect(() => movement({ accumulate: 'mean' as never })).toThrow(/'movement.accumulate' = 'mean': must be 'ema' or 'sum'/);
    expect(() => movement({ beta: 1.5 })).toThrow(/'movement.beta' = 1.5/);
  });
});
