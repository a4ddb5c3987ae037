import { open } from 'node:fs/promises';
import { UnsupportedInputError } from '@adalora/core';
import { describe, PickleCallable, unpickle, type PickleHooks } from './pickle.js';
import { readRange } from './read-range.js';
import { isShardIndex, readShardedCheckpoint } from './sharded-index.js';
import { assertLittleEndianHost, decodeTensorBytes } from './tensor-codec.js';
import { elementCount, elementSize, type ReadTensorsOptions, type TensorEntry, type TensorFile, type TensorFileDType } from './tensor-file.js';
import { openZipArchive, readZipEntry, type ZipArchive } from './zip-archive.js';

/** The storage classes a state dict refers to, by their name in the `torch` module. */
const storageDTypes: Readonly<Record<string, TensorFileDType>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

const allowedGlobals =
  'only the globals a PyTorch state dict needs (collections.OrderedDict, torch._utils._rebuild_tensor_v2, ' +
  `torch._utils._rebuild_parameter, ${Object.keys(storageDTypes).map((n) => `torch.${n}`).join(', ')})`;

/** `torch.FloatStorage` and friends: only a marker naming the element type of a persistent storage id. */
class StorageType {
  constructor(readonly name: string, readonly dtype: TensorFileDType) {}
  describe(): string {
    return `torch.${this.name}`;
  }
}

/** A storage of the archive (`<prefix>/data/<key>`), as a persistent id describes it. */
class StorageRef {
  constructor(readonly key: string, readonly dtype: TensorFileDType, readonly numel: number) {}
  describe(): string {
    return `storage '${this.key}'`;
  }
}

/** What `_rebuild_tensor_v2` returns: a strided view of a storage, materialised later. */
class TensorRef {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly size: readonly number[], readonly stride: readonly number[]) {}
  describe(): string {
    return 'a tensor';
  }
}

function fail(source: string, expected: string, found: string): never {
  throw new UnsupportedInputError({ source, expected, found });
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function indexList(value: unknown, what: string, where: string): number[] {
  if (!Array.isArray(value) || !value.every(isIndex)) fail(where, `${what} as a tuple of non-negative integers`, describe(value));
  return value as number[];
}

/** The allow-list: every global and persistent id a state dict written by `torch.save` uses, and nothing else. */
function stateDictHooks(): PickleHooks {
  const storages = new Map<string, StorageRef>();
  const orderedDict = new PickleCallable('collections.OrderedDict', (args, where) => {
    if (args.length !== 0) fail(where, 'collections.OrderedDict() called without arguments', `${args.length} arguments`);
    return new Map();
  });
  const rebuildTensor = new PickleCallable('torch._utils._rebuild_tensor_v2', (args, where) => {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (args.length !== 6 && args.length !== 7) fail(where, '6 or 7 arguments for torch._utils._rebuild_tensor_v2', `${args.length}`);
    const [storage, offset, sizeArg, strideArg] = args;
    if (!(storage instanceof StorageRef)) fail(where, 'a storage as first argument of _rebuild_tensor_v2', describe(storage));
    if (!isIndex(offset)) fail(where, 'a non-negative storage offset', describe(offset));
    const size = indexList(sizeArg, 'the size', where);
    const stride = indexList(strideArg, 'the stride', where);
    if (stride.length !== size.length) fail(where, `a stride of ${size.length} dimensions like the size`, `${stride.length}`);
    // The view must stay inside its storage: its last element is offset + Σ (size_i − 1) · stride_i.
    if (elementCount(size) > 0) {
      const last = size.reduce((sum, dim, i) => sum + (dim - 1) * stride[i]!, offset);
      if (last >= storage.numel) {
        fail(where, `a view inside ${storage.describe()} of ${storage.numel} elements`, `offset ${offset}, size [${size}], stride [${stride}] reaching element ${last}`);
      }
    }
    return new TensorRef(storage, offset, size, stride);
  });
  const rebuildParameter = new PickleCallable('torch._utils._rebuild_parameter', (args, where) => {
    // (data, requires_grad, backward_hooks): a Parameter is its data for our purposes.
    if (args.length !== 3 || !(args[0] instanceof TensorRef)) fail(where, '(tensor, requires_grad, backward_hooks) for _rebuild_parameter', `${args.length} arguments`);
    return args[0];
  });

  return {
    findGlobal(module, name, where) {
      if (module === 'collections' && name === 'OrderedDict') return orderedDict;
      if (module === 'torch._utils' && name === '_rebuild_tensor_v2') return rebuildTensor;
      if (module === 'torch._utils' && name === '_rebuild_parameter') return rebuildParameter;
      const dtype = module === 'torch' && Object.hasOwn(storageDTypes, name) ? storageDTypes[name] : undefined;
      if (dtype !== undefined) return new StorageType(name, dtype);
      return fail(where, allowedGlobals, `global '${module}.${name}', refused without evaluating it`);
    },
    persistentLoad(pid, where) {
      // ('storage', storage_type, key, location, numel)
      if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
        fail(where, "a persistent id ('storage', type, key, location, numel)", describe(pid));
      }
      const [, type, key, location, numel] = pid as unknown[];
      if (!(type instanceof StorageType)) fail(where, 'a torch.*Storage type in the persistent id', describe(type));
      if (typeof key !== 'string' || typeof location !== 'string' || !isIndex(numel)) {
        fail(where, 'a string key, a string location and an element count in the persistent id', `${describe(key)}, ${describe(location)}, ${describe(numel)}`);
      }
      const known = storages.get(key);
      if (known === undefined) {
        const storage = new StorageRef(key, type.dtype, numel);
        storages.set(key, storage);
        return storage;
      }
      if (known.dtype !== type.dtype || known.numel !== numel) {
        fail(where, `storage '${key}' described as before (${known.dtype} × ${known.numel})`, `${type.dtype} × ${numel}`);
      }
      return known; // tied weights: several tensors over one storage
    },
    build(target, state, where) {
      // OrderedDict.__reduce__ sets instance attributes (the state dict's `_metadata`) through BUILD.
      if (!(target instanceof Map) || !(state instanceof Map || state === null)) {
        fail(where, 'BUILD only of a dict with a dict of attributes (the state dict _metadata)', `${describe(target)} with ${describe(state)}`);
      }
      return target;
    },
  };
}

/** The bytes of a strided view, laid out contiguously (row-major). */
function gatherView(storage: Uint8Array, view: TensorRef, itemSize: number): Uint8Array {
  const { offset, size, stride } = view;
  const count = elementCount(size);
  let expected = 1;
  let contiguous = true;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d]! !== 1 && stride[d]! !== expected) contiguous = false;
    expected *= size[d]!;
  }
  if (contiguous || count === 0) return storage.slice(offset * itemSize, (offset + count) * itemSize);

  // Copy whole elements through a typed view (8-byte elements as two 32-bit words, so NaN payloads are kept).
  const unit = Math.min(itemSize, 4);
  const words = itemSize / unit;
  const View = unit === 1 ? Uint8Array : unit === 2 ? Uint16Array : Uint32Array;
  const from = new View(storage.buffer as ArrayBuffer, storage.byteOffset, storage.byteLength / unit);
  const out = new View(count * words);
  const index = new Array<number>(size.length).fill(0);
  let source = offset;
  for (let i = 0; i < count; i++) {
    for (let w = 0; w < words; w++) out[i * words + w] = from[source * words + w]!;
    // Odometer over the multi-index, innermost dimension fastest, moving `source` by the strides.
    for (let d = size.length - 1; d >= 0; d--) {
      index[d]!++;
      source += stride[d]!;
      if (index[d]! < size[d]!) break;
      source -= index[d]! * stride[d]!;
      index[d] = 0;
    }
  }
  return new Uint8Array(out.buffer);
}

/**
 * Reads a PyTorch checkpoint written by `torch.save(state_dict)` (PyTorch ≥ 1.6: a ZIP archive with
 * `<name>/data.pkl` and `<name>/data/<key>` storages), or every shard of a `pytorch_model.bin.index.json`,
 * into the same shape of result as `readSafetensors` (dtype named like safetensors: `HalfStorage` → `'F16'`).
 *
 * Safe by construction: the pickle runs in a restricted reader (`pickle.ts`) that knows only the
 * opcodes of a state dict and resolves only the globals in the allow-list (`collections.OrderedDict`,
 * `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`, `torch.*Storage`); any other
 * global (`os.system`, `builtins.eval`, ...) fails with an error naming it, before anything else happens.
 * ZIP entries with unsafe paths (absolute, drive letters, `..`) make the whole archive fail, and
 * compressed entries are refused. Views with a storage offset or non-contiguous strides are
 * materialised contiguously; tensors sharing a storage (tied weights) each get their own copy.
 * F16/BF16 become float32 and I64 int32 (checked), as in `readSafetensors`.
 *
 * @example
 * const { tensors } = await readTorchCheckpoint('pytorch_model.bin');
 * const emb = tensors.get('deberta.embeddings.word_embeddings.weight'); // { dtype: 'F16', shape: [128100, 768], data: Float32Array }
 */
export async function readTorchCheckpoint(path: string, options: ReadTensorsOptions = {}): Promise<TensorFile> {
  if (isShardIndex(path)) return readShardedCheckpoint(path, options, readTorchCheckpoint);
  assertLittleEndianHost();
  const keep = options.filter ?? (() => true);
  const int64 = options.int64 ?? 'int32';
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const magic = size >= 4 ? await readRange(handle, 0, 4, path) : new Uint8Array();
    if (Buffer.from(magic).toString('latin1') !== 'PK\x03\x04') {
      fail(
        path,
        'a torch.save ZIP archive (PyTorch ≥ 1.6)',
        magic[0] === 0x80
          ? 'a bare pickle: the legacy torch.save format of PyTorch < 1.6, not supported (re-save it with a newer PyTorch or convert it to safetensors)'
          : 'something else (not a PyTorch checkpoint)',
      );
    }
    const archive = await openZipArchive(handle, size, path);
    const pickles = [...archive.entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
    if (pickles.length !== 1) fail(path, 'exactly one <name>/data.pkl entry (a torch.save archive)', `${pickles.length}: [${pickles.join(', ')}]`);
    const pickleName = pickles[0]!;
    const prefix = pickleName.slice(0, -'data.pkl'.length);

    const byteOrder = archive.entries.get(`${prefix}byteorder`);
    if (byteOrder !== undefined) {
      const order = Buffer.from(await readZipEntry(archive, byteOrder)).toString('latin1');
      if (order !== 'little') fail(`${path}, zip entry '${prefix}byteorder'`, "'little' (little-endian storages)", `'${order}'`);
    }

    const pickleSource = `${path}, zip entry '${pickleName}'`;
    const stateDict = unpickle(await readZipEntry(archive, archive.entries.get(pickleName)!), stateDictHooks(), pickleSource);
    if (!(stateDict instanceof Map)) fail(pickleSource, 'a state dict (a dict of tensors) as the pickled object', describe(stateDict));

    const selected: [string, TensorRef][] = [];
    for (const [name, value] of stateDict) {
      if (typeof name !== 'string') fail(pickleSource, 'string keys in the state dict', describe(name));
      if (!(value instanceof TensorRef)) fail(`${pickleSource}, key '${name}'`, 'a tensor (a plain state dict, not a training checkpoint)', describe(value));
      if (keep(name)) selected.push([name, value]);
    }
    return { tensors: await materialise(archive, prefix, selected, int64), metadata: {} };
  } finally {
    await handle.close();
  }
}

/** Reads each storage once (dropping it after its last tensor) and cuts every tensor's view out of it. */
async function materialise(
  archive: ZipArchive,
  prefix: string,
  selected: readonly [string, TensorRef][],
  int64: 'int32' | 'bigint',
): Promise<Map<string, TensorEntry>> {
  const users = new Map<StorageRef, number>();
  for (const [, view] of selected) users.set(view.storage, (users.get(view.storage) ?? 0) + 1);
  const loaded = new Map<StorageRef, Uint8Array>();
  const tensors = new Map<string, TensorEntry>();
  for (const [name, view] of selected) {
    const { storage } = view;
    const itemSize = elementSize[storage.dtype];
    let bytes = loaded.get(storage);
    if (bytes === undefined) {
      const entryName = `${prefix}data/${storage.key}`;
      const entry = archive.entries.get(entryName);
      if (entry === undefined) fail(`${archive.path}, tensor '${name}'`, `the zip entry '${entryName}' holding its storage`, 'no such entry');
      if (entry.size !== storage.numel * itemSize) {
        fail(`${archive.path}, zip entry '${entryName}'`, `${storage.numel * itemSize} bytes (${storage.numel} × ${storage.dtype})`, `${entry.size} bytes`);
      }
      bytes = await readZipEntry(archive, entry);
      loaded.set(storage, bytes);
    }
    const remaining = users.get(storage)! - 1;
    users.set(storage, remaining);
    if (remaining === 0) loaded.delete(storage);
    const source = `${archive.path}, tensor '${name}'`;
    const data = decodeTensorBytes(storage.dtype, gatherView(bytes, view, itemSize), elementCount(view.size), int64, source);
    tensors.set(name, { dtype: storage.dtype, shape: view.size, data });
  }
  return tensors;
}
