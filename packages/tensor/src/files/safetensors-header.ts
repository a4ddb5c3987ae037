import type { FileHandle } from 'node:fs/promises';
import { UnsupportedInputError } from '@adalora/core';
import { readRange } from './read-range.js';
import { elementCount, elementSize, isTensorFileDType, tensorFileDTypes, type TensorFileDType } from './tensor-file.js';

/**
 * Largest header accepted, in bytes: the limit of the reference (Rust) implementation. A corrupt
 * length field then fails fast instead of allocating gigabytes.
 */
export const maxSafetensorsHeaderBytes = 100_000_000;

/** Valid safetensors dtypes that TensorFlow.js cannot hold: named as such in the error. */
const unsupportedDTypes = new Set(['U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64']);

/** One tensor as the header describes it; `begin`/`end` are relative to the data section. */
export interface HeaderTensor {
  readonly name: string;
  readonly dtype: TensorFileDType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** A validated header: tensors in header order, the metadata, and where the data section starts. */
export interface SafetensorsHeader {
  readonly tensors: readonly HeaderTensor[];
  readonly metadata: Record<string, string>;
  readonly dataStart: number;
}

function fail(source: string, expected: string, found: string): never {
  throw new UnsupportedInputError({ source, expected, found });
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `the array ${JSON.stringify(value)}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Reads and validates the header of the safetensors file open as `handle` (`fileSize` bytes, named
 * `path` in errors). Checks, like the reference implementation: 8 + N ≤ file size, N ≤ 100 MB,
 * UTF-8 JSON object, known dtypes, shapes of non-negative integers, end − begin = prod(shape) ·
 * sizeof(dtype), offsets inside the data section, and tensors that tile the data section exactly
 * (no overlap, no gap, no trailing bytes).
 */
export async function readSafetensorsHeader(handle: FileHandle, fileSize: number, path: string): Promise<SafetensorsHeader> {
  if (fileSize < 8) {
    fail(path, 'a safetensors file: an 8-byte little-endian header length, a JSON header, then the tensor data', `${fileSize} bytes (truncated?)`);
  }
  const length = new DataView((await readRange(handle, 0, 8, path)).buffer).getBigUint64(0, true);
  if (length > BigInt(maxSafetensorsHeaderBytes)) {
    fail(path, `a header length of at most ${maxSafetensorsHeaderBytes} bytes in the first 8 bytes`, `${length} (not a safetensors file, or corrupt)`);
  }
  const headerLength = Number(length);
  if (8 + headerLength > fileSize) {
    fail(path, `a ${headerLength}-byte JSON header after the 8-byte length`, `only ${fileSize - 8} bytes in the file (truncated?)`);
  }
  const dataSize = fileSize - 8 - headerLength;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readRange(handle, 8, headerLength, path));
  } catch (error) {
    if (UnsupportedInputError.isInstance(error)) throw error;
    fail(path, 'a UTF-8 JSON header', 'bytes that are not UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(path, 'a JSON object as header', `invalid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(path, 'a JSON object as header', describe(parsed));
  }

  let metadata: Record<string, string> = {};
  const tensors: HeaderTensor[] = [];
  for (const [name, info] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(info, `${path}, __metadata__`);
      continue;
    }
    tensors.push(parseTensor(name, info, dataSize, `${path}, tensor '${name}'`));
  }
  checkTiling(tensors, dataSize, path);
  return { tensors, metadata, dataStart: 8 + headerLength };
}

function parseMetadata(info: unknown, source: string): Record<string, string> {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) fail(source, 'an object of strings', describe(info));
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(info)) {
    if (typeof value !== 'string') fail(source, `a string value for '${key}'`, describe(value));
    metadata[key] = value;
  }
  return metadata;
}

function parseTensor(name: string, info: unknown, dataSize: number, source: string): HeaderTensor {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    fail(source, 'an object {"dtype", "shape", "data_offsets"}', describe(info));
  }
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (!isTensorFileDType(dtype)) {
    const found = typeof dtype === 'string' && unsupportedDTypes.has(dtype)
      ? `'${dtype}' (a safetensors dtype with no TensorFlow.js equivalent)`
      : typeof dtype === 'string' ? `unknown dtype '${dtype}'` : `dtype ${describe(dtype)}`;
    fail(source, `dtype ${tensorFileDTypes.join(', ')}`, found);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) fail(source, 'a shape of non-negative integers', `shape ${describe(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0]! > offsets[1]!) {
    fail(source, 'data_offsets [begin, end] with 0 ≤ begin ≤ end', `data_offsets ${describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const count = elementCount(shape);
  const bytes = count * elementSize[dtype];
  if (end - begin !== bytes) {
    fail(
      source,
      `${bytes} bytes of data (shape [${shape.join(', ')}] = ${count} elements × ${elementSize[dtype]} bytes of ${dtype})`,
      `data_offsets [${begin}, ${end}] = ${end - begin} bytes`,
    );
  }
  if (end > dataSize) {
    fail(source, `data_offsets inside the data section of ${dataSize} bytes`, `data_offsets [${begin}, ${end}] (file truncated or offsets corrupt)`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** The tensors must cover the data section exactly once, as the format (and its reference reader) requires. */
function checkTiling(tensors: readonly HeaderTensor[], dataSize: number, path: string): void {
  const byOffset = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: HeaderTensor | undefined;
  for (const tensor of byOffset) {
    if (tensor.begin < covered && previous !== undefined) {
      fail(
        `${path}, tensor '${tensor.name}'`,
        'data that overlaps no other tensor',
        `data_offsets [${tensor.begin}, ${tensor.end}] overlapping tensor '${previous.name}' at [${previous.begin}, ${previous.end}]`,
      );
    }
    if (tensor.begin > covered) {
      fail(path, 'tensor data packed without gaps', `bytes [${covered}, ${tensor.begin}) of the data section belong to no tensor`);
    }
    covered = tensor.end;
    previous = tensor;
  }
  if (covered < dataSize) {
    fail(path, `a data section ending with the last tensor at byte ${covered}`, `${dataSize - covered} more bytes after it`);
  }
}
