import { GatherV2, UnsortedSegmentSum, util, zerosLike } from '@tensorflow/tfjs-core';
import type { KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { fusedKernelNames, hasKernel, runKernel } from './fused-ops.js';
import { overrideGradient } from './gradient-overrides.js';
import type { NativeAddon } from './native-addon.js';
import type { Previous } from './native-elementwise.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap-backend.js';

/**
 * A gather along `axis` with `batchDims` leading batch axes, as blocks: x is [batch, outer, size, inner],
 * indices [batch, count], out [batch, outer, count, inner].
 */
function gatherLayout(xShape: number[], indicesShape: number[], axis: number, batchDims: number) {
  return {
    batch: util.sizeFromShape(xShape.slice(0, batchDims)),
    outer: util.sizeFromShape(xShape.slice(batchDims, axis)),
    size: xShape[axis] as number,
    inner: util.sizeFromShape(xShape.slice(axis + 1)),
    count: util.sizeFromShape(indicesShape.slice(batchDims)),
  };
}

/** Normalised (axis, batchDims) as tfjs's gather op does: negative values count from the end. */
function parseGather(xShape: number[], indicesShape: number[], axis: number, batchDims: number | undefined) {
  const parsedAxis = util.parseAxisParam(axis, xShape)[0] as number;
  const dims = batchDims ?? 0;
  const parsedBatch = dims < 0 ? dims + indicesShape.length : dims;
  util.assert(parsedBatch <= parsedAxis && util.arraysEqual(xShape.slice(0, parsedBatch), indicesShape.slice(0, parsedBatch)),
    () => `GatherV2: batchDims ${dims} must be ≤ axis ${parsedAxis} and the first batchDims axes of x [${xShape}] and indices [${indicesShape}] must match`);
  return { axis: parsedAxis, batchDims: parsedBatch };
}

/**
 * `GatherV2` on 4-byte elements: out[b, o, i, :] = x[b, o, idx[b, i], :] along `axis` (b over `batchDims`
 * leading axes), one row copy (or one element, for the last axis) per index. DeBERTa's relative-position
 * gathers pick single elements along the last axis of [heads·batch, L·2k] scores, which stock wasm does element
 * by element through generic strides; stock wasm also reads garbage when batchDims > 0 (tfjs 4.22). Other
 * dtypes go to the kernel this one replaced.
 */
export function nativeGather(addon: NativeAddon, previous: Previous): KernelConfig {
  return {
    kernelName: GatherV2,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const backend = args.backend as WasmHeapBackend;
      const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
      const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
      if ((x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32') {
        const kernel = previous(GatherV2);
        if (kernel === undefined) throw new Error('tensor-native: no wasm kernel GatherV2 to fall back to');
        return kernel(args);
      }
      const parsed = parseGather(x.shape, indices.shape, axis, batchDims);
      const { batch, outer, size, inner, count } = gatherLayout(x.shape, indices.shape, parsed.axis, parsed.batchDims);
      const out = backend.makeOutput([...x.shape.slice(0, parsed.axis), ...indices.shape.slice(parsed.batchDims), ...x.shape.slice(parsed.axis + 1)], x.dtype);
      const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
      const [xOffset, indicesOffset, outOffset] = [heapOffset(backend, x), heapOffset(backend, indices), heapOffset(backend, out)];
      for (let b = 0; b < batch; b++) {
        const status = addon.gather(heap, xOffset + 4 * b * outer * size * inner, indicesOffset + 4 * b * count, count, outer, size, inner, outOffset + 4 * b * outer * count * inner);
        if (status < 0) {
          backend.disposeData(out.dataId);
          const bad = new Int32Array(heap, indicesOffset + 4 * b * count, count)[-1 - status];
          throw new Error(`GatherV2: the index value ${bad} is not in [0, ${size - 1}]`);
        }
      }
      return out;
    },
  };
}

/**
 * `UnsortedSegmentSum` on float32: out[s, ...] = Σ_{i : ids[i] = s} x[i, ...], ids outside [0, numSegments)
 * dropped, in one native pass (replaces @adalora/tensor's JavaScript kernel when installed).
 */
export function nativeUnsortedSegmentSum(addon: NativeAddon, previous: Previous): KernelConfig {
  return {
    kernelName: UnsortedSegmentSum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const backend = args.backend as WasmHeapBackend;
      const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
      const { numSegments } = args.attrs as unknown as { numSegments: number };
      const prefix = util.arraysEqual(x.shape.slice(0, segmentIds.shape.length), segmentIds.shape);
      if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || !prefix) {
        const kernel = previous(UnsortedSegmentSum);
        if (kernel === undefined) throw new Error(`UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} must be a prefix of x shape ${x.shape} (float32 x, int32 ids)`);
        return kernel(args);
      }
      const count = util.sizeFromShape(segmentIds.shape);
      const inner = util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
      const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32');
      addon.scatterAdd(backend.wasm.HEAPU8.buffer as ArrayBuffer, heapOffset(backend, x), heapOffset(backend, segmentIds), count, 1, numSegments, inner, heapOffset(backend, out));
      return out;
    },
  };
}

/**
 * The fused gather gradient: dx = 0, then dx[b, o, idx[b, i], :] += dy[b, o, i, :] along the gathered axis, in
 * place of the stock gradient's transpose → UnsortedSegmentSum → transpose (three passes over a tensor the size
 * of x, which for DeBERTa's relative scores is [heads·batch, L·2k]). Also right for batchDims > 0, where the
 * stock gradient is not (tfjs 4.22).
 */
export function nativeGatherGrad(addon: NativeAddon): KernelConfig {
  return {
    kernelName: fusedKernelNames.gatherGrad,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const backend = b as WasmHeapBackend;
      const { dy, indices } = inputs as { dy: TensorInfo; indices: TensorInfo };
      const { axis, batchDims, xShape } = attrs as unknown as { axis: number; batchDims: number; xShape: number[] };
      const { batch, outer, size, inner, count } = gatherLayout(xShape, indices.shape, axis, batchDims);
      const out = backend.makeOutput(xShape, 'float32');
      const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
      const [dyOffset, indicesOffset, outOffset] = [heapOffset(backend, dy), heapOffset(backend, indices), heapOffset(backend, out)];
      for (let b = 0; b < batch; b++) {
        addon.scatterAdd(heap, dyOffset + 4 * b * outer * count * inner, indicesOffset + 4 * b * count, count, outer, size, inner, outOffset + 4 * b * outer * size * inner);
      }
      return out;
    },
  };
}

/** Routes the gradient of `GatherV2` (float32) to the fused kernel where it exists. */
export function installGatherGradient(): void {
  overrideGradient(GatherV2, (stock) => ({
    kernelName: GatherV2,
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved as [Tensor, Tensor];
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      if (!hasKernel(fusedKernelNames.gatherGrad) || x.dtype !== 'float32' || indices.dtype !== 'int32') {
        return stock.gradFunc(dy, saved, attrs);
      }
      const parsed = parseGather(x.shape, indices.shape, axis, batchDims);
      return {
        x: () => runKernel(fusedKernelNames.gatherGrad, { dy: dy as Tensor, indices }, { ...parsed, xShape: x.shape }) as Tensor,
        indices: () => zerosLike(indices),
      };
    },
  }));
}
