import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The parts of tfjs-backend-wasm's `BackendWasm` our kernels use. The class is not exported with
 * these members typed, so this is the contract we rely on (checked against 4.22.0).
 */
export interface WasmBackend extends KernelBackend {
  wasm: {
    cwrap(name: string, returnType: null, argTypes: string[]): (...args: unknown[]) => void;
    HEAPU8: Uint8Array;
    tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void };
  };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number; shape: number[]; dtype: string } };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Registers a view of `size` elements at `memoryOffset` of the wasm heap as a tensor id the C++ kernels
 * accept, runs `use(id)`, and unregisters it. No data is copied; the memory stays owned by its tensor.
 */
export function withHeapView<T>(backend: WasmBackend, memoryOffset: number, size: number, use: (id: number) => T): T {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, memoryOffset);
  try {
    return use(id);
  } finally {
    backend.wasm.tfjs.disposeData(id);
  }
}
