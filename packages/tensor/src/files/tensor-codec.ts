import { UnsupportedInputError } from '@adalora/core';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './half-float.js';
import { elementSize, type TensorData, type TensorFileDType } from './tensor-file.js';

/**
 * Little-endian bytes of a tensor file ⇄ the typed arrays of `TensorData`.
 * Typed arrays use the platform's byte order; every platform Node supports in practice is
 * little-endian, and `assertLittleEndianHost` refuses to run anywhere else rather than return
 * byte-swapped numbers.
 */

/** Fails on a big-endian machine, where typed-array views of little-endian file bytes would be wrong. */
export function assertLittleEndianHost(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new UnsupportedInputError({
      source: 'this machine',
      expected: 'a little-endian CPU (tensor files are little-endian and are read through typed arrays)',
      found: 'a big-endian CPU',
    });
  }
}

/**
 * Decodes `count` elements of `dtype` from `bytes` into the `TensorData` array for that dtype.
 * Where the layout already matches (F32, F64, I32, ...) the result is a view of `bytes`' buffer, so
 * the caller must hand over a buffer nobody else uses. `source` names the tensor in error messages.
 */
export function decodeTensorBytes(
  dtype: TensorFileDType,
  bytes: Uint8Array,
  count: number,
  int64: 'int32' | 'bigint',
  source: string,
): TensorData {
  const size = elementSize[dtype];
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset } = aligned;
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer, byteOffset, count);
    case 'F64':
      return new Float64Array(buffer, byteOffset, count);
    case 'F16':
      return float16ToFloat32(new Uint16Array(buffer, byteOffset, count));
    case 'BF16':
      return bfloat16ToFloat32(new Uint16Array(buffer, byteOffset, count));
    case 'I64':
      return int64 === 'bigint' ? new BigInt64Array(buffer, byteOffset, count) : narrowInt64(aligned, count, source);
    case 'I32':
      return new Int32Array(buffer, byteOffset, count);
    case 'I16':
      return new Int16Array(buffer, byteOffset, count);
    case 'I8':
      return new Int8Array(buffer, byteOffset, count);
    case 'U8':
      return new Uint8Array(buffer, byteOffset, count);
    case 'BOOL': {
      const values = new Uint8Array(buffer, byteOffset, count);
      const bad = values.findIndex((v) => v > 1);
      if (bad >= 0) {
        throw new UnsupportedInputError({ source, expected: 'BOOL bytes of 0 or 1', found: `element ${bad} = ${values[bad]}` });
      }
      return values;
    }
  }
}

/** I64 → Int32Array; a value fits iff its high word is the sign extension of its low word. */
function narrowInt64(bytes: Uint8Array, count: number, source: string): Int32Array {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, 2 * count);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const low = words[2 * i]!;
    if (words[2 * i + 1] !== low >> 31) {
      const value = new BigInt64Array(bytes.buffer, bytes.byteOffset + 8 * i, 1)[0];
      throw new UnsupportedInputError({
        source,
        expected: `I64 values within int32 [-2147483648, 2147483647] (TensorFlow.js has no int64; read with { int64: 'bigint' } to get a BigInt64Array)`,
        found: `element ${i} = ${value}`,
      });
    }
    out[i] = low;
  }
  return out;
}

/** Which typed arrays `writeSafetensors` accepts for each dtype (the reader's output types, plus widening/narrowing floats). */
const accepted: Readonly<Record<TensorFileDType, readonly string[]>> = {
  F64: ['Float64Array', 'Float32Array'],
  F32: ['Float32Array', 'Float64Array'],
  F16: ['Float32Array'],
  BF16: ['Float32Array'],
  I64: ['Int32Array', 'BigInt64Array'],
  I32: ['Int32Array'],
  I16: ['Int16Array'],
  I8: ['Int8Array'],
  U8: ['Uint8Array'],
  BOOL: ['Uint8Array'],
};

/** The typed array kind (`'Float32Array'`, ...), by its `Symbol.toStringTag`: true for subclasses (a Buffer is a Uint8Array) and across realms. */
function typedArrayName(data: unknown): string {
  if (ArrayBuffer.isView(data)) return (data as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
  if (Array.isArray(data)) return 'a plain Array';
  return data === null ? 'null' : typeof data;
}

/**
 * Checks that `data` can be stored as `dtype` (right typed array, BOOL values 0/1), so a writer can
 * validate every tensor before it creates a file. F16/BF16 take only a Float32Array: rounding a float64
 * to float32 first and then to half precision could round twice.
 */
export function checkTensorData(dtype: TensorFileDType, data: unknown, source: string): asserts data is TensorData {
  const name = typedArrayName(data);
  const allowed = accepted[dtype];
  if (!allowed.includes(name)) {
    throw new UnsupportedInputError({ source, expected: `data as ${allowed.join(' or ')} for dtype ${dtype}`, found: name });
  }
  if (dtype === 'BOOL') {
    const values = data as Uint8Array;
    const bad = values.findIndex((v) => v > 1);
    if (bad >= 0) throw new UnsupportedInputError({ source, expected: 'BOOL values of 0 or 1', found: `element ${bad} = ${values[bad]}` });
  }
}

/** The little-endian bytes of `data` stored as `dtype` (a view when no conversion is needed). Call `checkTensorData` first. */
export function encodeTensorData(dtype: TensorFileDType, data: TensorData): Uint8Array {
  const kind = typedArrayName(data);
  let out: ArrayBufferView;
  switch (dtype) {
    case 'F16':
      out = float32ToFloat16(data as Float32Array);
      break;
    case 'BF16':
      out = float32ToBfloat16(data as Float32Array);
      break;
    case 'F32':
      out = kind === 'Float32Array' ? data : Float32Array.from(data as Float64Array);
      break;
    case 'F64':
      out = kind === 'Float64Array' ? data : Float64Array.from(data as Float32Array);
      break;
    case 'I64':
      out = kind === 'BigInt64Array' ? data : BigInt64Array.from(data as Int32Array, (v) => BigInt(v));
      break;
    default:
      out = data;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
