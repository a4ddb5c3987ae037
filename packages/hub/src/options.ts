import { HubError } from './hub-error.js';
import { validateRepoId, validateRevision, type RepoType } from './repo-paths.js';
import { resolveHubSettings, type Env, type HubSettings, type TokenSource } from './settings.js';

/** Options shared by every hub call. Anything not given comes from the environment, as in huggingface_hub. */
export interface HubOptions {
  /** `'model'` (default) or `'dataset'`. */
  repoType?: RepoType;
  /** Branch, tag or commit hash; default `'main'`. */
  revision?: string;
  /** Cache folder; default `HF_HUB_CACHE` / `$HF_HOME/hub` / `~/.cache/huggingface/hub`. */
  cacheDir?: string;
  /** Hub address; default `HF_ENDPOINT` or `https://huggingface.co`. */
  endpoint?: string;
  /** Access token; default `HF_TOKEN` or the token file. `null` sends no token. */
  token?: string | null;
  /** Serve from the cache only; default `HF_HUB_OFFLINE`. */
  offline?: boolean;
  /** Environment to read the defaults from; default `process.env`. */
  env?: Env;
  /** Cancels requests and downloads. */
  signal?: AbortSignal;
  /**
   * Time limit for metadata requests and for each wait on download data, in ms; default `HF_HUB_ETAG_TIMEOUT`
   * and `HF_HUB_DOWNLOAD_TIMEOUT` (10 s each, as huggingface_hub).
   */
  timeoutMs?: number;
}

/** {@link HubOptions} with every default applied. */
export interface ResolvedHubOptions {
  repoType: RepoType;
  revision: string;
  cacheDir: string;
  endpoint: string;
  token: string | null;
  tokenSource: TokenSource | null;
  offline: boolean;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  downloadTimeoutMs: number;
  settings: HubSettings;
}

/** Apply defaults from the environment and validate the repo id, repo type and revision. */
export function resolveHubOptions(repoId: string, options: HubOptions): ResolvedHubOptions {
  validateRepoId(repoId);
  const settings = resolveHubSettings(options.env ?? process.env);
  const repoType = options.repoType ?? 'model';
  if (repoType !== 'model' && repoType !== 'dataset') {
    throw new HubError(`Invalid repo type '${String(repoType)}' for ${repoId}: expected 'model' or 'dataset'.`, {
      code: 'invalid-argument',
      repoId,
    });
  }
  const revision = options.revision ?? 'main';
  validateRevision(revision);
  const tokenGiven = options.token !== undefined;
  const token = tokenGiven ? (options.token ?? null) : settings.token;
  return {
    repoType,
    revision,
    cacheDir: options.cacheDir ?? settings.cacheDir,
    endpoint: (options.endpoint ?? settings.endpoint).replace(/\/+$/, ''),
    token,
    tokenSource: tokenGiven ? (token === null ? null : 'the token option') : settings.tokenSource,
    offline: options.offline ?? settings.offline,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? settings.etagTimeoutMs,
    downloadTimeoutMs: options.timeoutMs ?? settings.downloadTimeoutMs,
    settings,
  };
}
