import { registerKernel, UnsortedSegmentSum, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-backend.js';

/**
 * Registers `UnsortedSegmentSum` on the wasm backend, which tfjs-backend-wasm 4.22 lacks. It is the
 * gradient of `gather` (trainable embeddings, relative-position gathers), so without it those models
 * cannot be trained on wasm.
 *
 * `out[s, ...] = Σ_{i : segmentIds[i] = s} x[i, ...]` for `s` in `[0, numSegments)`; ids outside that
 * range are dropped, as in TensorFlow. Runs in JavaScript directly on the wasm heap.
 */
export function installWasmUnsortedSegmentSum(): void {
  const config: KernelConfig = {
    kernelName: UnsortedSegmentSum,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as WasmBackend;
      const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const idsShape = segmentIds.shape;
      util.assert(
        util.arraysEqual(x.shape.slice(0, idsShape.length), idsShape),
        () => `UnsortedSegmentSum: segmentIds shape ${idsShape} must be a prefix of x shape ${x.shape}`,
      );
      const inner = util.sizeFromShape(x.shape.slice(idsShape.length));
      const outShape = [numSegments, ...x.shape.slice(idsShape.length)];
      const out = wasm.makeOutput(outShape, x.dtype);
      const target = wasm.typedArrayFromHeap(out);
      target.fill(0);
      const values = wasm.typedArrayFromHeap(x);
      const ids = wasm.typedArrayFromHeap(segmentIds);
      for (let i = 0; i < ids.length; i++) {
        const segment = ids[i] as number;
        if (segment < 0 || segment >= numSegments) continue;
        const from = i * inner;
        const to = segment * inner;
        for (let j = 0; j < inner; j++) target[to + j] = (target[to + j] as number) + (values[from + j] as number);
      }
      return out;
    },
  };
  registerKernel(config);
}
