import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { UnsupportedInputError } from '@adalora/core';
import type { PreparedInputs } from './nn/backbone.js';

/** A `[batch, length]` integer input: a tensor or nested arrays. */
export type IdsInput = Tensor | readonly (readonly number[])[];

/** The inputs of `forward`, as a tokenizer's batch encoding gives them. */
export interface ModelInputs {
  /** `[B, L]` token ids. */
  readonly inputIds: IdsInput;
  /** `[B, L]`, 1 for real tokens, 0 for padding; all ones when omitted. */
  readonly attentionMask?: IdsInput;
  /** `[B, L]` segment ids; zeros when omitted (ignored by models without token types, like DeBERTa-v3). */
  readonly tokenTypeIds?: IdsInput;
}

function toTensor(x: IdsInput, name: string, dtype: 'int32' | 'float32', owned: Tensor[]): Tensor {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new UnsupportedInputError({ source: name, expected: 'a [batch, length] tensor', found: `shape [${x.shape.join(', ')}]` });
    if (x.dtype === dtype) return x;
    const cast = tf.cast(x, dtype);
    owned.push(cast);
    return cast;
  }
  if (!Array.isArray(x) || x.length === 0 || !x.every((row) => Array.isArray(row) && row.length === (x[0] as readonly number[]).length && row.length > 0)) {
    throw new UnsupportedInputError({ source: name, expected: 'a non-empty [batch, length] array of equal-length rows' });
  }
  const t = tf.tensor2d(x as number[][], undefined, dtype);
  owned.push(t);
  return t;
}

function checkRange(values: Int32Array | Float32Array | Uint8Array, name: string, limit: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new UnsupportedInputError({ source: `${name}[${i}]`, expected: `an integer in [0, ${limit}) (${what})`, found: String(v) });
    }
  }
}

/**
 * Checks and converts the inputs: ids inside the vocabulary (tfjs's gather does not check on every
 * engine, so an out-of-range id would silently read garbage), token types inside `type_vocab_size`, a
 * 0/1 mask, all of the same `[B, L]` shape. `owned` collects the tensors created here for disposal.
 */
export function prepareInputs(inputs: ModelInputs, vocabSize: number, typeVocabSize: number, owned: Tensor[]): PreparedInputs {
  const inputIds = toTensor(inputs.inputIds, 'inputIds', 'int32', owned);
  const [batch, length] = inputIds.shape as [number, number];
  const ids = inputIds.dataSync() as Int32Array;
  checkRange(ids, 'inputIds', vocabSize, 'vocab_size');
  const sameShape = (t: Tensor, name: string) => {
    if (t.shape[0] !== batch || t.shape[1] !== length) {
      throw new UnsupportedInputError({ source: name, expected: `shape [${batch}, ${length}] like inputIds`, found: `[${t.shape.join(', ')}]` });
    }
  };
  let mask: Tensor;
  if (inputs.attentionMask === undefined) {
    mask = tf.ones([batch, length]);
    owned.push(mask);
  } else {
    mask = toTensor(inputs.attentionMask, 'attentionMask', 'float32', owned);
    sameShape(mask, 'attentionMask');
    checkRange(mask.dataSync() as Float32Array, 'attentionMask', 2, '0 for padding, 1 for tokens');
  }
  let tokenTypeIds: Tensor | null = null;
  if (inputs.tokenTypeIds !== undefined && typeVocabSize > 0) {
    tokenTypeIds = toTensor(inputs.tokenTypeIds, 'tokenTypeIds', 'int32', owned);
    sameShape(tokenTypeIds, 'tokenTypeIds');
    checkRange(tokenTypeIds.dataSync() as Int32Array, 'tokenTypeIds', typeVocabSize, 'type_vocab_size');
  }
  return { inputIds, ids, mask, tokenTypeIds, batch, length };
}
