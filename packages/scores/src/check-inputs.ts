import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Throws `UnsupportedInputError` unless `value` and `grad` are float32 tensors of exactly `shape`.
 *
 * Every elementwise score would otherwise broadcast silently: an E of shape `[r, 1]` times a gradient
 * of shape `[r]` is an `[r, r]` tensor, a wrong result with no error. Call it first in `update`.
 */
export function checkUpdateInputs(scorerId: string, shape: readonly number[], value: Tensor, grad: Tensor): void {
  for (const [name, tensor] of [['value', value], ['grad', grad]] as const) {
    if (tensor.isDisposed) {
      throw new UnsupportedInputError({ source: `${scorerId}.update: ${name}`, expected: 'a live tensor', found: 'a disposed tensor' });
    }
    if (!sameShape(tensor.shape, shape)) {
      throw new UnsupportedInputError({
        source: `${scorerId}.update: ${name}`,
        expected: `shape [${shape.join(', ')}] (the shape the state was initialised with)`,
        found: `[${tensor.shape.join(', ')}]`,
      });
    }
    if (tensor.dtype !== 'float32') {
      throw new UnsupportedInputError({ source: `${scorerId}.update: ${name}`, expected: 'dtype float32', found: tensor.dtype });
    }
  }
}

/** Throws `InvalidConfigError` unless `value` is a number strictly between 0 and 1 (an EMA coefficient). */
export function checkBeta(field: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new InvalidConfigError({ field, value, reason: 'must be a number in the open interval (0, 1)' });
  }
  return value;
}

/** Rejects option keys a factory does not know (a misspelt `beta` would otherwise fall back silently). */
export function checkOptionKeys(scorerId: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidConfigError({
        field: `${scorerId}.${key}`,
        value: (options as Record<string, unknown>)[key],
        reason: `unknown option; ${scorerId} takes ${known.length > 0 ? known.join(', ') : 'no options'}`,
      });
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
