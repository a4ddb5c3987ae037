import '@tensorflow/tfjs-backend-cpu';
import { scoreFunctions, type ScoreFunction } from '@adalora/scores';
import { describeScoreFunction } from '@adalora/scores/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { taylor2 } from './taylor2.js';

describeScoreFunction(taylor2()); // the conformance kit: shapes, leaks, determinism, zero/huge gradients

it('scores (w·g)² smoothed by the EMA: w = 2, g = 3, β = 0.5 gives 0.5 · 36 = 18', () => {
  const scorer: ScoreFunction<unknown> = scoreFunctions.extend({ taylor2 }).resolve('taylor2')({ beta: 0.5 });
  const [w, g] = [tf.tensor1d([2]), tf.tensor1d([3])];
  const state = scorer.update(scorer.init(w), w, g);
  expect(scorer.score(state).dataSync()).toEqual(new Float32Array([18]));
});
