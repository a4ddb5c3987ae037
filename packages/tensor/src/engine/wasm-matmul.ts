import { _FusedMatMul, BatchMatMul, broadcast_util, getKernel, registerKernel, unregisterKernel, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { type WasmBackend, withHeapView } from './wasm-backend.js';

/** tfjs-backend-wasm's `FusableActivation` enum (`src/cc/fusable_activations.h`). */
const fusableActivation = { linear: 0, relu: 1, relu6: 2 } as const;

/** Activations applied by a separate kernel after the product (XNNPACK clamps only relu/relu6). */
const activationKernel: Record<string, string> = {
  prelu: 'Prelu',
  leakyrelu: 'LeakyRelu',
  sigmoid: 'Sigmoid',
  elu: 'Elu',
};

type FusedMatMulFn = (
  aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number,
  transposeA: boolean, transposeB: boolean, activation: number, biasId: number, preluId: number,
  leakyreluAlpha: number, outId: number,
) => void;

/**
 * Replaces the wasm backend's `BatchMatMul` and `_FusedMatMul` kernels with ones that always reach
 * XNNPACK's fast GEMM.
 *
 * Stock tfjs-backend-wasm 4.22 uses XNNPACK only when neither operand is transposed and the batch is 1;
 * every other case (all backward matmuls, all attention matmuls) runs a scalar triple loop at ~2
 * GFLOP/s. Here transposed operands are materialised once with the `Transpose` kernel, and each batch
 * element is a zero-copy view of the operands' memory handed to the fast path. Broadcasting of batch
 * dimensions follows `tf.matMul` (one side may have batch 1). Results equal the stock kernels within
 * float32 rounding (tested on random shapes against the cpu backend).
 */
export function installWasmMatMul(backend: WasmBackend): void {
  const fused = backend.wasm.cwrap(_FusedMatMul, null, [
    'number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number',
  ]) as FusedMatMulFn;

  const batchMatMul: KernelConfig = {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const { a, b: bIn } = inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      return fastMatMul(b as WasmBackend, fused, a, bIn, transposeA, transposeB, null, 'linear', null, 0);
    },
  };
  const fusedMatMul: KernelConfig = {
    kernelName: _FusedMatMul,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const { a, b: bIn, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
      const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as {
        transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number;
      };
      return fastMatMul(b as WasmBackend, fused, a as TensorInfo, bIn as TensorInfo, transposeA, transposeB,
        bias ?? null, activation, preluActivationWeights ?? null, leakyreluAlpha ?? 0);
    },
  };
  for (const config of [batchMatMul, fusedMatMul]) {
    if (getKernel(config.kernelName, 'wasm') !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
}

function runKernel(backend: WasmBackend, name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** A contiguous [batch, rows, cols] copy of `x` with its last two axes swapped (or `x` itself as 3-D). */
function asRowMajor3d(backend: WasmBackend, x: TensorInfo, transposed: boolean): { info: TensorInfo; owned: boolean } {
  const rank = x.shape.length;
  const batch = util.sizeFromShape(x.shape.slice(0, -2));
  const shape3d = [batch, x.shape[rank - 2] as number, x.shape[rank - 1] as number];
  const view: TensorInfo = { dataId: x.dataId, shape: shape3d, dtype: x.dtype };
  if (!transposed) return { info: view, owned: false };
  return { info: runKernel(backend, 'Transpose', { x: view }, { perm: [0, 2, 1] }), owned: true };
}

function fastMatMul(
  backend: WasmBackend, fused: FusedMatMulFn, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean,
  bias: TensorInfo | null, activation: string, prelu: TensorInfo | null, leakyreluAlpha: number,
): TensorInfo {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('matMul on wasm supports float32 only');
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = (transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2]) as number;
  const k = (transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1]) as number;
  const kB = (transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2]) as number;
  const n = (transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1]) as number;
  util.assert(k === kB, () => `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const batchShape = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const batch = util.sizeFromShape(batchShape);

  const aRows = asRowMajor3d(backend, a, transposeA);
  const bRows = asRowMajor3d(backend, b, transposeB);
  const out = backend.makeOutput([...batchShape, m, n], 'float32');

  const biasIsPerColumn = bias !== null && bias.shape.length === 1 && bias.shape[0] === n;
  const fusedActivation = activation in fusableActivation && (bias === null || biasIsPerColumn)
    ? fusableActivation[activation as keyof typeof fusableActivation]
    : fusableActivation.linear;
  const fusedBiasId = biasIsPerColumn && bias !== null ? backend.dataIdMap.get(bias.dataId).id : 0;

  const aOffset = backend.dataIdMap.get(aRows.info.dataId).memoryOffset;
  const bOffset = backend.dataIdMap.get(bRows.info.dataId).memoryOffset;
  const outOffset = backend.dataIdMap.get(out.dataId).memoryOffset;
  const shape = (rows: number, cols: number) => new Uint8Array(new Int32Array([1, rows, cols]).buffer);

  if (batchB === 1 && batchA === batch) {
    // One weight matrix for every batch element: fold the batch into the rows, one GEMM call.
    withHeapView(backend, aOffset, batch * m * k, (aId) =>
      withHeapView(backend, bOffset, k * n, (bId) =>
        withHeapView(backend, outOffset, batch * m * n, (outId) =>
          fused(aId, shape(batch * m, k), 3, bId, shape(k, n), 3, false, false, fusedActivation, fusedBiasId, 0, 0, outId))));
  } else {
    const aIndex = broadcastIndex(a.shape.slice(0, -2), batchShape);
    const bIndex = broadcastIndex(b.shape.slice(0, -2), batchShape);
    for (let i = 0; i < batch; i++) {
      const ai = aIndex(i);
      const bi = bIndex(i);
      withHeapView(backend, aOffset + ai * m * k * 4, m * k, (aId) =>
        withHeapView(backend, bOffset + bi * k * n * 4, k * n, (bId) =>
          withHeapView(backend, outOffset + i * m * n * 4, m * n, (outId) =>
            fused(aId, shape(m, k), 3, bId, shape(k, n), 3, false, false, fusedActivation, fusedBiasId, 0, 0, outId))));
    }
  }
  if (aRows.owned) backend.disposeData(aRows.info.dataId);
  if (bRows.owned) backend.disposeData(bRows.info.dataId);

  return finishEpilogue(backend, out, bias, biasIsPerColumn, activation, prelu, leakyreluAlpha);
}

/**
 * Maps the flat index of an output batch element to the flat index of the operand's batch element it
 * reads, under NumPy broadcasting of the operand's batch dims (right-aligned, size-1 dims repeat):
 * e.g. operand [2, 1] against output [2, 3] reads element ⌊i / 3⌋.
 */
export function broadcastIndex(operandDims: number[], outDims: number[]): (flat: number) => number {
  const offset = outDims.length - operandDims.length;
  const outStrides = util.computeStrides(outDims);
  const operandStrides = util.computeStrides(operandDims);
  return (flat) => {
    let index = 0;
    let rest = flat;
    for (let d = 0; d < outDims.length; d++) {
      const stride = d < outDims.length - 1 ? (outStrides[d] as number) : 1;
      const coordinate = Math.floor(rest / stride);
      rest -= coordinate * stride;
      const od = d - offset;
      if (od < 0 || operandDims[od] === 1) continue;
      index += coordinate * (od < operandDims.length - 1 ? (operandStrides[od] as number) : 1);
    }
    return index;
  };
}

/** Applies what the GEMM call could not fuse: a broadcast (non per-column) bias and other activations. */
function finishEpilogue(
  backend: WasmBackend, product: TensorInfo, bias: TensorInfo | null, biasFused: boolean, activation: string,
  prelu: TensorInfo | null, leakyreluAlpha: number,
): TensorInfo {
  let result = product;
  const replace = (next: TensorInfo) => {
    backend.disposeData(result.dataId);
    result = next;
  };
  if (bias !== null && !biasFused) {
    replace(runKernel(backend, 'Add', { a: result, b: bias }));
    if (activation === 'relu') replace(runKernel(backend, 'Relu', { x: result }));
    if (activation === 'relu6') replace(runKernel(backend, 'Relu6', { x: result }));
  }
  const kernel = activationKernel[activation];
  if (kernel === 'Prelu') replace(runKernel(backend, kernel, { x: result, alpha: prelu as TensorInfo }));
  else if (kernel === 'LeakyRelu') replace(runKernel(backend, kernel, { x: result }, { alpha: leakyreluAlpha }));
  else if (kernel !== undefined) replace(runKernel(backend, kernel, { x: result }));
  else if (!(activation in fusableActivation)) throw new Error(`_FusedMatMul: activation '${activation}' is not supported on wasm`);
  return result;
}
