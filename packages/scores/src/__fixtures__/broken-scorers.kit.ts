// Deliberately broken score functions, each violating one rule of the v1 contract, plus a correct one.
// Run by conformance-kit.test.ts in a child vitest process to show the kit catches each violation.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { describeScoreFunction } from '../conformance.js';
import { fisher } from '../fisher.js';
import type { ScoreFunction } from '../score-function.js';
import { checkUpdateInputs } from '../check-inputs.js';

type S = { acc: Tensor };
const base = (id: string, element: (w: Tensor, g: Tensor) => Tensor, opts: { check?: boolean; dispose?: boolean } = {}): ScoreFunction<S> => ({
  id,
  specificationVersion: 'v1',
  init: (param) => ({ acc: tf.zeros(param.shape) }),
  update(state, value, grad) {
    if (opts.check ?? true) checkUpdateInputs(id, state.acc.shape, value, grad);
    const acc = tf.tidy(() => tf.add(tf.mul(state.acc, 0.5), element(value, grad)));
    if (opts.dispose ?? true) state.acc.dispose();
    return { acc };
  },
  score: (state) => tf.clone(state.acc),
  dispose: (state) => state.acc.dispose(),
});

describeScoreFunction(fisher());
describeScoreFunction(base('leaky', (w, g) => tf.mul(w, g), { dispose: false }));
describeScoreFunction(base('random', (w, g) => tf.add(tf.mul(w, g), Math.random())));
describeScoreFunction(base('overflow', (_w, g) => tf.pow(g, 4)));
describeScoreFunction(base('nan-on-zero', (w, g) => tf.div(tf.mul(w, g), tf.abs(g))));
describeScoreFunction(base('broadcaster', (w, g) => tf.mul(w, g), { check: false }));
describeScoreFunction({ ...base('grad-disposer', (w, g) => tf.mul(w, g)), update: (state, _value, grad) => (grad.dispose(), state) });
const flattener: ScoreFunction<S> = { ...base('flattener', (w, g) => tf.mul(w, g)), score: (state) => tf.reshape(state.acc, [-1]) };
describeScoreFunction(flattener);
