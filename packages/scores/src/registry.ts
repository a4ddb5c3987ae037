import { createRegistry } from '@adalora/core';
import { fisher } from './fisher.js';
import { gsnr } from './gsnr.js';
import { magnitude } from './magnitude.js';
import { movement } from './movement.js';
import type { ScoreFunctionFactory } from './score-function.js';
import { sensitivity } from './sensitivity.js';

const builtIns: Record<'sensitivity' | 'movement' | 'fisher' | 'gsnr' | 'magnitude', ScoreFunctionFactory> = {
  sensitivity,
  movement,
  fisher,
  gsnr,
  magnitude,
};

/**
 * The built-in score functions by id, as factories taking their options:
 * `scoreFunctions.resolve('fisher')({ beta: 0.9 })` returns a `ScoreFunction<unknown>` (an unknown id
 * throws `UnknownImplementationError` listing the known ones; bad options throw `InvalidConfigError`).
 * Add your own with `scoreFunctions.extend({ taylor2 })`, which returns a new registry and leaves this
 * one unchanged. For typed options, call the factories (`fisher({ beta })`) directly.
 */
export const scoreFunctions = createRegistry('score function', builtIns);
