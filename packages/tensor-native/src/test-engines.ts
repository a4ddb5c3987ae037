/**
 * Test support (not exported): the cpu and stock wasm engines of tfjs with every gradient registered, seeded
 * random data, and running one computation on a chosen engine from plain arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Tensor } from '@tensorflow/tfjs-core';

export { tf };

/** Plain data of one tensor. */
export interface Data {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Switches the process to an engine (tensors made before move lazily). */
export async function useEngine(engine: 'cpu' | 'wasm'): Promise<void> {
  await tf.setBackend(engine);
  await tf.ready();
  if (engine === 'cpu') (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
}

/** mulberry32: a small seeded generator, so every test draws the same numbers. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal float32 data of `shape` (Box–Muller). */
export function randn(next: () => number, shape: number[], scale = 1): Data {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    values[i] = scale * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  }
  return { values, shape, dtype: 'float32' };
}

export function floats(values: ArrayLike<number>, shape: number[]): Data {
  return { values: Float32Array.from(values), shape, dtype: 'float32' };
}

export function ints(values: ArrayLike<number>, shape: number[]): Data {
  return { values: Int32Array.from(values), shape, dtype: 'int32' };
}

/** Runs `compute` on `engine` with tensors made from `inputs`; returns each output's values and shape. */
export async function runOn(engine: 'cpu' | 'wasm', inputs: Data[], compute: (x: Tensor[]) => Tensor | Tensor[]): Promise<Array<{ values: Float32Array | Int32Array; shape: number[] }>> {
  await useEngine(engine);
  return tf.tidy(() => {
    const tensors = inputs.map((d) => tf.tensor(d.values, d.shape, d.dtype));
    const out = compute(tensors);
    return (Array.isArray(out) ? out : [out]).map((t) => ({ values: t.dataSync().slice() as Float32Array | Int32Array, shape: t.shape }));
  });
}

/** Largest |a_i − b_i|, and whether the shapes and lengths agree. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}

/** Largest |a_i|. */
export function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] as number));
  return max;
}
