import { dirname } from 'node:path';
import { join } from 'node:path';
import { hubDownload, hubFileUrl, hubGlob, repoFolderName, resolveHubSettings } from '@adalora/hub';
import type { HubOptions } from '@adalora/hub';
import { UnsupportedInputError } from '@adalora/core';
import { checkGlueSplit, glueConfig } from './glue-configs.js';
import { GLUE_HUB_REPO } from './glue-parquet.js';
import { SQUAD_HUB } from './squad-parquet.js';

/**
 * Downloads (or finds in the Hugging Face cache, the same one Python and `@adalora/models` use) the parquet
 * shards of one split of a hub dataset, `<config>/<split>-*.parquet` at one pinned commit, and returns the
 * snapshot folder to give the parquet loaders as `root`. Offline, cached files are used and a miss is the
 * hub client's error naming the file and where it goes.
 */
export async function fetchHubSplit(repoId: string, config: string, split: string, options: Omit<HubOptions, 'repoType'> = {}): Promise<string> {
  const hub: HubOptions = { ...options, repoType: 'dataset' };
  const { commit, paths } = await hubGlob(repoId, `${config}/${split}-*.parquet`, hub);
  if (paths.length === 0) {
    const settings = resolveHubSettings(options.env);
    const snapshot = join(options.cacheDir ?? settings.cacheDir, repoFolderName(repoId, 'dataset'), 'snapshots', commit);
    const url = hubFileUrl(repoId, `${config}/${split}-00000-of-00001.parquet`, { endpoint: options.endpoint ?? settings.endpoint, repoType: 'dataset', revision: commit });
    throw new UnsupportedInputError({
      source: `${repoId}@${commit}`,
      expected: `files ${config}/${split}-*.parquet`,
      found: options.offline
        ? `none in the cache (offline mode): download ${url} while online, or put the file at ${join(snapshot, config)}/`
        : 'none in the repository',
    });
  }
  let root = '';
  for (const path of paths) {
    const file = await hubDownload(repoId, path, { ...hub, revision: commit });
    root = dirname(dirname(file.path));
  }
  return root;
}

/** `fetchHubSplit` for GLUE (`nyu-mll/glue`): returns the `root` for `loadGlueParquet`. */
export async function fetchGlueParquet(config: string, split: string, options: Omit<HubOptions, 'repoType'> = {}): Promise<string> {
  checkGlueSplit(glueConfig(config), split);
  return fetchHubSplit(GLUE_HUB_REPO, config, split, options);
}

/** `fetchHubSplit` for SQuAD (`rajpurkar/squad` config `plain_text`, `rajpurkar/squad_v2` config `squad_v2`). */
export async function fetchSquadParquet(version: keyof typeof SQUAD_HUB, split: string, options: Omit<HubOptions, 'repoType'> = {}): Promise<string> {
  const { repo, config } = SQUAD_HUB[version];
  return fetchHubSplit(repo, config, split, options);
}
