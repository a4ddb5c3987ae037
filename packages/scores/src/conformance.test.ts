import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll } from 'vitest';
import { describeScoreFunction } from './conformance.js';
import { fisher } from './fisher.js';
import { gsnr } from './gsnr.js';
import { magnitude } from './magnitude.js';
import { movement } from './movement.js';
import { sensitivity } from './sensitivity.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Every built-in, in its default form and in each variant an option switches to.
describeScoreFunction(sensitivity());
describeScoreFunction(sensitivity({ uncertainty: false }));
describeScoreFunction(movement());
describeScoreFunction(movement({ accumulate: 'sum' }));
describeScoreFunction(fisher());
describeScoreFunction(gsnr());
describeScoreFunction(magnitude());
describeScoreFunction(magnitude({ onlyE: false }));
