import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The members of tfjs-backend-wasm's `BackendWasm` (4.22.0) the native kernels use: the heap, where each
 * tensor's data lives, output allocation and reference counts. The class does not type these publicly, so this is the
 * contract relied on (checked by the tests against the installed tfjs-backend-wasm).
 */
export interface WasmHeapBackend extends KernelBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: WasmHeapBackend, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('tensor-native: a kernel input is not a wasm tensor (disposed, or on another backend)');
  return data.memoryOffset;
}
