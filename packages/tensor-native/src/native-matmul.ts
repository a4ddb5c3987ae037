import { _FusedMatMul, BatchMatMul, broadcast_util, getKernel, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './native-addon.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap-backend.js';

/** Activation codes of native/matmul.h. */
const activationCode: Record<string, number> = { linear: 0, relu: 1, relu6: 2, prelu: 3, leakyrelu: 4, elu: 5, sigmoid: 6 };
/** Broadcast modes of native/matmul.h. */
const bcast = { none: 0, column: 1, scalar: 2 } as const;

interface Product {
  out: TensorInfo;
  rows: number;
  n: number;
}

/**
 * `out[..., i, j] = Σ_k op(a)[..., i, k] · op(b)[..., k, j]`, op = transpose when asked, batch dimensions
 * broadcast as `tf.matMul` does. One `cblas_sgemm` per batch element (or one for all when the right operand
 * is a single matrix), reading the operands where they lie in the wasm heap: transposes are cblas flags,
 * broadcasting is a zero stride, nothing is copied.
 */
function nativeProduct(addon: NativeAddon, backend: WasmHeapBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Product {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error(`matMul on wasm supports float32 only (got ${a.dtype} and ${b.dtype})`);
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = (transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2]) as number;
  const k = (transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1]) as number;
  const kB = (transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2]) as number;
  const n = (transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1]) as number;
  util.assert(k === kB, () => `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const batch = util.sizeFromShape(batchShape);
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  const aOffset = heapOffset(backend, a);
  const bOffset = heapOffset(backend, b);
  const outOffset = heapOffset(backend, out);
  // Read the heap only after makeOutput: allocating may grow the wasm memory and detach the old buffer.
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const aSize = util.sizeFromShape(aBatch);
  const bSize = util.sizeFromShape(bBatch);
  if ((aSize === batch || aSize === 1) && (bSize === batch || bSize === 1)) {
    const aStride = aSize === 1 ? 0 : m * k;
    const bStride = bSize === 1 ? 0 : k * n;
    addon.gemm(heap, transposeA, transposeB, m, n, k, batch, aOffset, aStride, bOffset, bStride, outOffset);
  } else {
    // Both sides broadcast along different axes (e.g. [2, 1] with [1, 3]): one GEMM per output matrix.
    const aIndex = broadcastIndex(aBatch, batchShape);
    const bIndex = broadcastIndex(bBatch, batchShape);
    for (let i = 0; i < batch; i++) {
      addon.gemm(heap, transposeA, transposeB, m, n, k, 1, aOffset + aIndex(i) * m * k * 4, 0, bOffset + bIndex(i) * k * n * 4, 0, outOffset + i * m * n * 4);
    }
  }
  return { out, rows: batch * m, n };
}

/** Maps a flat index over `outShape` to the flat index of the element of `shape` that broadcasts to it. */
function broadcastIndex(shape: number[], outShape: number[]): (flat: number) => number {
  const padded = [...new Array<number>(outShape.length - shape.length).fill(1), ...shape];
  const strides = padded.map((_, d) => util.sizeFromShape(padded.slice(d + 1)));
  return (flat) => {
    let index = 0;
    let rest = flat;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const dim = outShape[d] as number;
      const coord = rest % dim;
      rest = Math.floor(rest / dim);
      if ((padded[d] as number) !== 1) index += coord * (strides[d] as number);
    }
    return index;
  };
}

/** How a bias / PReLU-alpha operand applies to a [rows, n] product natively, or null when it needs a broadcast kernel. */
function broadcastMode(operand: TensorInfo | undefined, n: number): number | null {
  if (operand === undefined) return bcast.none;
  const size = util.sizeFromShape(operand.shape);
  if (size === 1) return bcast.scalar;
  if (size === n && operand.shape[operand.shape.length - 1] === n) return bcast.column;
  return null;
}

function runWasmKernel(backend: WasmHeapBackend, name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** `BatchMatMul` on OpenBLAS. */
export function nativeBatchMatMul(addon: NativeAddon): KernelConfig {
  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      return nativeProduct(addon, backend as WasmHeapBackend, a, b, transposeA, transposeB).out;
    },
  };
}

/**
 * `_FusedMatMul` on OpenBLAS: act(op(a)·op(b) + bias). A bias or PReLU alpha that is a scalar or one value per
 * output column is applied with the activation in one native pass over the product; other broadcast shapes use
 * the wasm `Add` / `Prelu` kernels.
 */
export function nativeFusedMatMul(addon: NativeAddon): KernelConfig {
  return {
    kernelName: _FusedMatMul,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: kernelBackend, attrs }) => {
      const backend = kernelBackend as WasmHeapBackend;
      const { a, b, bias, preluActivationWeights: prelu } = inputs as Record<string, TensorInfo | undefined>;
      const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as {
        transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number;
      };
      const code = activationCode[activation];
      if (code === undefined) throw new Error(`_FusedMatMul: activation '${activation}' is not supported (expected one of ${Object.keys(activationCode).join(', ')})`);
      if (code === activationCode.prelu && prelu === undefined) throw new Error('_FusedMatMul: prelu activation needs preluActivationWeights');
      const product = nativeProduct(addon, backend, a as TensorInfo, b as TensorInfo, transposeA, transposeB);
      let result = product.out;
      let biasMode = broadcastMode(bias, product.n);
      if (biasMode === null) {
        const sum = runWasmKernel(backend, 'Add', { a: result, b: bias as TensorInfo });
        backend.disposeData(result.dataId);
        result = sum;
        biasMode = bcast.none;
      }
      let preluMode = code === activationCode.prelu ? broadcastMode(prelu, product.n) : bcast.none;
      if (preluMode === null) {
        // Bias first (natively), then the general-broadcast PReLU kernel.
        if (biasMode !== bcast.none) {
          addon.epilogue(backend.wasm.HEAPU8.buffer as ArrayBuffer, heapOffset(backend, result), product.rows, product.n,
            heapOffset(backend, bias as TensorInfo), biasMode, 0, 0, 0, bcast.none);
        }
        const activated = runWasmKernel(backend, 'Prelu', { x: result, alpha: prelu as TensorInfo });
        backend.disposeData(result.dataId);
        return activated;
      }
      if (biasMode === bcast.none && code === activationCode.linear) return result;
      addon.epilogue(backend.wasm.HEAPU8.buffer as ArrayBuffer, heapOffset(backend, result), product.rows, product.n,
        biasMode === bcast.none ? 0 : heapOffset(backend, bias as TensorInfo), biasMode, code, leakyreluAlpha ?? 0.2,
        preluMode === bcast.none ? 0 : heapOffset(backend, prelu as TensorInfo), preluMode);
      return result;
    },
  };
}
