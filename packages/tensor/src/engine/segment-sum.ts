import { registerKernel, UnsortedSegmentSum, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-backend.js';

/**
 * `out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]` for `s` in `[0, numSegments)`, in one pass over `x`;
 * ids outside the range are dropped, as in TensorFlow. `out` must be zero-filled.
 */
export function accumulateSegments(
  values: ArrayLike<number>, ids: ArrayLike<number>, inner: number, numSegments: number, out: { [i: number]: number },
): void {
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i] as number;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) out[to + j] = (out[to + j] as number) + (values[from + j] as number);
  }
}

function shapes(x: TensorInfo, segmentIds: TensorInfo, numSegments: number) {
  const idsShape = segmentIds.shape;
  util.assert(
    util.arraysEqual(x.shape.slice(0, idsShape.length), idsShape),
    () => `UnsortedSegmentSum: segmentIds shape ${idsShape} must be a prefix of x shape ${x.shape}`,
  );
  return { inner: util.sizeFromShape(x.shape.slice(idsShape.length)), outShape: [numSegments, ...x.shape.slice(idsShape.length)] };
}

/**
 * `UnsortedSegmentSum` — the gradient of `gather` (trainable embeddings, DeBERTa's relative-position
 * gathers) — as a linear-time kernel on both engines without a native one: tfjs-backend-wasm 4.22 has
 * none at all, and tfjs-backend-cpu 4.22's loops over every segment keeping every intermediate (a
 * DeBERTa-base backward on cpu grew past 17 GB).
 */
export function installUnsortedSegmentSum(backendName: 'wasm' | 'cpu'): void {
  const kernelFunc: KernelConfig['kernelFunc'] = ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = (attrs as { numSegments: number }).numSegments;
    const { inner, outShape } = shapes(x, segmentIds, numSegments);
    if (backendName === 'wasm') {
      const wasm = backend as WasmBackend;
      const out = wasm.makeOutput(outShape, x.dtype);
      const target = wasm.typedArrayFromHeap(out);
      target.fill(0);
      accumulateSegments(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(segmentIds), inner, numSegments, target);
      return out;
    }
    const cpu = backend as KernelBackend & { data: { get(id: object): { values: ArrayLike<number> } }; makeTensorInfo(shape: number[], dtype: string, values: ArrayLike<number>): TensorInfo };
    const target = util.getTypedArrayFromDType(x.dtype as 'float32' | 'int32', util.sizeFromShape(outShape));
    accumulateSegments(cpu.data.get(x.dataId).values, cpu.data.get(segmentIds.dataId).values, inner, numSegments, target);
    return cpu.makeTensorInfo(outShape, x.dtype, target);
  };
  registerKernel({ kernelName: UnsortedSegmentSum, backendName, kernelFunc });
}
