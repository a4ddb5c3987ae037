import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The parquet shards of one split in a local copy of a Hugging Face dataset repo, in order:
 * `<root>/<config>/<split>-NNNNN-of-NNNNN.parquet` (the main-branch layout `datasets` writes) or
 * `<root>/<config>/<split>/*.parquet` (the `refs/convert/parquet` layout). Empty when neither exists.
 */
export function hubSplitFiles(root: string, config: string, split: string): string[] {
  const folder = join(root, config);
  if (!existsSync(folder)) return [];
  const prefix = `${split}-`;
  const flat = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.parquet'))
    .sort()
    .map((name) => join(folder, name));
  if (flat.length > 0) return flat;
  const nested = join(folder, split);
  if (existsSync(nested) && statSync(nested).isDirectory()) {
    return readdirSync(nested)
      .filter((name) => name.endsWith('.parquet'))
      .sort()
      .map((name) => join(nested, name));
  }
  return [];
}

/** The repo path of a single-shard split, as `datasets` names it: `<config>/<split>-00000-of-00001.parquet`. */
export function hubShardPath(config: string, split: string): string {
  return `${config}/${split}-00000-of-00001.parquet`;
}
