import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect } from 'vitest';
import { describeScoreFunction } from './conformance.js';
import { scoreFunctions } from './registry.js';

// The same contract on the wasm engine (the default engine without a GPU), default options.
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(tf.getBackend()).toBe('wasm');
});

for (const [, factory] of scoreFunctions.entries()) describeScoreFunction(factory());
