/**
 * The element types a tensor file can hold, spelled as in the safetensors header. A PyTorch checkpoint's
 * storage types map onto the same names (`HalfStorage` → `'F16'`, `LongStorage` → `'I64'`, ...), so both
 * readers describe their tensors alike.
 */
export type TensorFileDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/**
 * The values of one tensor, row-major, in a typed array a TensorFlow.js tensor can be built from:
 * F32/F16/BF16 → `Float32Array` (half precision is widened exactly); F64 → `Float64Array`;
 * I64 → `Int32Array` (TensorFlow.js has no int64; every value is checked to fit) or `BigInt64Array` when
 * asked for with `{ int64: 'bigint' }`; I32 → `Int32Array`; I16 → `Int16Array`; I8 → `Int8Array`;
 * U8 → `Uint8Array`; BOOL → `Uint8Array` of 0/1.
 */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Int16Array | Int8Array | Uint8Array;

/** One tensor: its dtype as stored in the file, its shape (`[]` for a scalar) and its values. */
export interface TensorEntry {
  readonly dtype: TensorFileDType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/**
 * What a tensor file holds: tensors by name, in file order, and the string metadata of the file
 * (the safetensors `__metadata__`, e.g. `{ format: 'pt' }`; `{}` for a PyTorch checkpoint).
 */
export interface TensorFile {
  readonly tensors: Map<string, TensorEntry>;
  readonly metadata: Record<string, string>;
}

/** Options of `readSafetensors` and `readTorchCheckpoint`. */
export interface ReadTensorsOptions {
  /** Read only the tensors whose name passes; the others are validated but their bytes are never read. */
  readonly filter?: (name: string) => boolean;
  /**
   * How I64 tensors are returned: `'int32'` (default) as an `Int32Array`, failing with the tensor, index
   * and value when a value does not fit in int32; `'bigint'` as a `BigInt64Array`, exactly.
   */
  readonly int64?: 'int32' | 'bigint';
}

/** Bytes per element of each dtype. */
export const elementSize: Readonly<Record<TensorFileDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** The dtypes this package reads and writes, in the order error messages list them. */
export const tensorFileDTypes = Object.keys(elementSize) as readonly TensorFileDType[];

/** Type guard for a dtype name this package supports. */
export function isTensorFileDType(value: unknown): value is TensorFileDType {
  return typeof value === 'string' && Object.hasOwn(elementSize, value);
}

/** Number of elements of a shape: the product of its dimensions (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}
