import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { UnsupportedInputError } from '@adalora/core';

/** A JSON description of a state object whose tensors are stored apart, by key. */
export type StateSkeleton = null | boolean | number | string | { tensor: string } | StateSkeleton[] | { [key: string]: StateSkeleton };

/**
 * Splits a score function's state (any tree of plain objects, arrays, numbers, strings, booleans and
 * tensors) into a JSON skeleton and the tensors it references, keyed `<prefix>/<path>`. This is how a
 * controller checkpoint saves score EMAs without knowing each scorer's state type.
 */
export function flattenState(value: unknown, prefix: string, tensors: Record<string, Tensor>): StateSkeleton {
  if (value instanceof tf.Tensor) {
    tensors[prefix] = value;
    return { tensor: prefix };
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item, i) => flattenState(item, `${prefix}/${i}`, tensors));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, flattenState(item, `${prefix}/${key}`, tensors)]));
  }
  throw new UnsupportedInputError({ source: `score state '${prefix}'`, expected: 'plain objects, arrays, numbers, strings, booleans or tensors (so it can be checkpointed)', found: String(value) });
}

/** Rebuilds a state from `flattenState`'s skeleton, taking ownership of the referenced tensors. */
export function unflattenState(skeleton: StateSkeleton, tensors: Record<string, Tensor>): unknown {
  if (skeleton === null || typeof skeleton !== 'object') return skeleton;
  if (Array.isArray(skeleton)) return skeleton.map((item) => unflattenState(item, tensors));
  if ('tensor' in skeleton && typeof skeleton.tensor === 'string' && Object.keys(skeleton).length === 1) {
    const tensor = tensors[skeleton.tensor];
    if (tensor === undefined) throw new UnsupportedInputError({ source: 'controller checkpoint', expected: `tensor '${skeleton.tensor}'`, found: 'none' });
    return tf.keep(tensor);
  }
  return Object.fromEntries(Object.entries(skeleton).map(([key, item]) => [key, unflattenState(item as StateSkeleton, tensors)]));
}
