import * as tf from '@tensorflow/tfjs-core';
import { InvalidConfigError, UnsupportedInputError } from '@adalora/core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';

/**
 * Makes a trainable float32 variable named `name` holding `initial` (which the caller still owns and
 * should dispose). tfjs keeps one global table of variable names, so a second live adapter under the
 * same name is refused with an error saying how to avoid it instead of tfjs's bare message.
 */
export function makeVariable(initial: Tensor, name: string): Variable {
  try {
    return tf.variable(initial.dtype === 'float32' ? initial : tf.cast(initial, 'float32'), true, name, 'float32');
  } catch (cause) {
    if (cause instanceof Error && /already registered/.test(cause.message)) {
      throw new InvalidConfigError({
        field: 'adapterName',
        value: name,
        reason: `a live variable is already called '${name}': dispose the other controller/adapter first, or give this one another adapterName`,
      });
    }
    throw cause;
  }
}

/** Checks that a tensor handed in from outside (a file, a test, a user) has the shape an adapter needs. */
export function checkShape(tensor: Tensor, expected: readonly number[], source: string): void {
  const same = tensor.shape.length === expected.length && tensor.shape.every((d, i) => d === expected[i]);
  if (!same) {
    throw new UnsupportedInputError({ source, expected: `shape [${expected.join(', ')}]`, found: `[${tensor.shape.join(', ')}]` });
  }
}
