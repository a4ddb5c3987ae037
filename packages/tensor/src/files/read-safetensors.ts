import { open } from 'node:fs/promises';
import { readRange } from './read-range.js';
import { readSafetensorsHeader } from './safetensors-header.js';
import { isShardIndex, readShardedCheckpoint } from './sharded-index.js';
import { assertLittleEndianHost, decodeTensorBytes } from './tensor-codec.js';
import { elementCount, type ReadTensorsOptions, type TensorEntry, type TensorFile } from './tensor-file.js';

/**
 * Reads a safetensors file (or every shard of a `model.safetensors.index.json`) into typed arrays.
 *
 * The header is validated in full before any tensor is read (see `readSafetensorsHeader`: bounded
 * header, known dtypes, byte counts = prod(shape) · sizeof(dtype), offsets inside the file, no
 * overlap or gap); a corrupt or truncated file fails with an `UnsupportedInputError` naming the file,
 * the tensor and what was expected. Each tensor is then read with its own positioned read, straight
 * into the memory of the returned array where no conversion is needed, so the whole file is never held
 * twice. F16 and BF16 become float32, I64 becomes int32 (checked) unless `{ int64: 'bigint' }`.
 *
 * @example
 * const { tensors, metadata } = await readSafetensors('model.safetensors', { filter: (n) => n.startsWith('encoder.') });
 * const w = tensors.get('encoder.layer.0.attention.self.query_proj.weight'); // { dtype: 'F32', shape: [768, 768], data: Float32Array }
 */
export async function readSafetensors(path: string, options: ReadTensorsOptions = {}): Promise<TensorFile> {
  if (isShardIndex(path)) return readShardedCheckpoint(path, options, readSafetensors);
  assertLittleEndianHost();
  const keep = options.filter ?? (() => true);
  const int64 = options.int64 ?? 'int32';
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = await readSafetensorsHeader(handle, size, path);
    const tensors = new Map<string, TensorEntry>();
    for (const { name, dtype, shape, begin, end } of header.tensors) {
      if (!keep(name)) continue;
      const source = `${path}, tensor '${name}'`;
      const bytes = await readRange(handle, header.dataStart + begin, end - begin, source);
      tensors.set(name, { dtype, shape, data: decodeTensorBytes(dtype, bytes, elementCount(shape), int64, source) });
    }
    return { tensors, metadata: header.metadata };
  } finally {
    await handle.close();
  }
}
