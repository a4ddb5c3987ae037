import { Erf, Exp, Identity, Sum, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './native-addon.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap-backend.js';

/** Operation codes of the addon's `unary`. */
export const unaryOp = { exp: 0, erf: 1, gelu: 2 } as const;

/** The kernel a native one replaces, called for the cases it does not handle (other dtypes, other axes). */
export type Previous = (name: string) => KernelFunc | undefined;

function delegate(previous: Previous, name: string): KernelFunc {
  return (args) => {
    const kernel = previous(name);
    if (kernel === undefined) throw new Error(`tensor-native: no wasm kernel ${name} to fall back to`);
    return kernel(args);
  };
}

function nativeUnary(addon: NativeAddon, previous: Previous, kernelName: string, op: number): KernelConfig {
  const fallback = delegate(previous, kernelName);
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const backend = args.backend as WasmHeapBackend;
      const { x } = args.inputs as { x: TensorInfo };
      if (x.dtype !== 'float32') return fallback(args);
      const out = backend.makeOutput(x.shape, 'float32');
      addon.unary(backend.wasm.HEAPU8.buffer as ArrayBuffer, op, heapOffset(backend, x), heapOffset(backend, out), util.sizeFromShape(x.shape));
      return out;
    },
  };
}

/** `Exp` vectorised natively (e^x, ~1 ulp): stock wasm evaluates it one element at a time. */
export function nativeExp(addon: NativeAddon, previous: Previous): KernelConfig {
  return nativeUnary(addon, previous, Exp, unaryOp.exp);
}

/** `Erf` vectorised natively (~1 ulp): stock wasm evaluates it one element at a time. */
export function nativeErf(addon: NativeAddon, previous: Previous): KernelConfig {
  return nativeUnary(addon, previous, Erf, unaryOp.erf);
}

/**
 * `Sum` over a contiguous block of axes of a float32 tensor, in one pass without a transpose:
 * x viewed as [outer, reduce, inner], out[o, i] = Σ_r x[o, r, i]. Reducing the leading axes is the gradient of
 * every broadcast bias add (db = Σ_rows dy), which stock wasm computes by transposing first. Other cases
 * (non-contiguous axes, other dtypes) go to the kernel this one replaced.
 */
export function nativeSum(addon: NativeAddon, previous: Previous): KernelConfig {
  const fallback = delegate(previous, Sum);
  return {
    kernelName: Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const backend = args.backend as WasmHeapBackend;
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const axes = [...new Set(util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
      const first = axes[0];
      const last = axes[axes.length - 1];
      if (x.dtype !== 'float32' || first === undefined || last === undefined || last - first + 1 !== axes.length) return fallback(args);
      const outer = util.sizeFromShape(x.shape.slice(0, first));
      const reduce = util.sizeFromShape(x.shape.slice(first, last + 1));
      const inner = util.sizeFromShape(x.shape.slice(last + 1));
      const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
      const out = backend.makeOutput(outShape, 'float32');
      addon.sum(backend.wasm.HEAPU8.buffer as ArrayBuffer, heapOffset(backend, x), heapOffset(backend, out), outer, reduce, inner);
      return out;
    },
  };
}

/**
 * `Identity` without a copy: the output shares the input's memory (reference-counted, as the cpu backend and
 * wasm's own `Reshape` do). tfjs calls it for every tensor the tape saves for the backward pass, so stock
 * wasm copies most activations once more during training. tfjs never writes into an existing tensor's
 * memory (variables re-point on `assign`), so sharing is safe. Not native: it is installed with the others.
 */
export function sharedIdentity(previous: Previous): KernelConfig {
  const fallback = delegate(previous, Identity);
  return {
    kernelName: Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      if (x.dtype === 'string') return fallback(args);
      (args.backend as WasmHeapBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}
