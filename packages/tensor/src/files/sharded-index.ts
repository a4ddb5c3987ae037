import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import type { ReadTensorsOptions, TensorEntry, TensorFile } from './tensor-file.js';

/** True for the index file of a sharded checkpoint (`model.safetensors.index.json`, `pytorch_model.bin.index.json`). */
export function isShardIndex(path: string): boolean {
  return path.endsWith('.index.json');
}

function fail(source: string, expected: string, found: string): never {
  throw new UnsupportedInputError({ source, expected, found });
}

/**
 * Reads a sharded checkpoint: the index's `weight_map` names the shard file (a plain file name in the
 * index's folder) of every tensor; each shard is read once with `readShard`, taking only the tensors the
 * index assigns to it. Tensors come back in `weight_map` order; a tensor the index names but its shard
 * lacks is an error. The metadata is the shards' own metadata merged.
 */
export async function readShardedCheckpoint(
  indexPath: string,
  options: ReadTensorsOptions,
  readShard: (path: string, options: ReadTensorsOptions) => Promise<TensorFile>,
): Promise<TensorFile> {
  let index: unknown;
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) fail(indexPath, 'a JSON shard index', `invalid JSON (${error.message})`);
    throw error;
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    fail(indexPath, 'a JSON object with a "weight_map" object {tensor name: shard file}', 'no such object');
  }
  const keep = options.filter ?? (() => true);
  const shards = new Map<string, Set<string>>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard === '' || /[/\\]/.test(shard) || shard === '.' || shard === '..') {
      fail(`${indexPath}, weight_map['${name}']`, 'a shard file name in the same folder (no path separators)', JSON.stringify(shard));
    }
    if (isShardIndex(shard)) fail(`${indexPath}, weight_map['${name}']`, 'a shard file, not another index', JSON.stringify(shard));
    if (!keep(name)) continue;
    const names = shards.get(shard) ?? new Set<string>();
    names.add(name);
    shards.set(shard, names);
  }

  const found = new Map<string, TensorEntry>();
  const metadata: Record<string, string> = {};
  for (const [shard, names] of shards) {
    const shardPath = join(dirname(indexPath), shard);
    const part = await readShard(shardPath, { ...options, filter: (name) => names.has(name) });
    for (const name of names) {
      const entry = part.tensors.get(name);
      if (entry === undefined) fail(shardPath, `tensor '${name}' (the index ${indexPath} puts it in this shard)`, 'no such tensor');
      found.set(name, entry);
    }
    Object.assign(metadata, part.metadata);
  }
  const tensors = new Map<string, TensorEntry>();
  for (const name of Object.keys(weightMap)) {
    const entry = found.get(name);
    if (entry !== undefined) tensors.set(name, entry);
  }
  return { tensors, metadata };
}
