import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { readCachedCommit, repoCache, writeRef } from './cache.js';
import { HubError } from './hub-error.js';
import { allowsCacheFallback, errorFromResponse, hubHeaders, nextPageUrl, rawRequest, type RequestSubject } from './http.js';
import { resolveHubOptions, type HubOptions, type ResolvedHubOptions } from './options.js';
import { isCommitHash, validateFilename } from './repo-paths.js';

/** One entry of a repository tree, as the hub's tree API returns it. */
export interface RepoTreeEntry {
  type: 'file' | 'directory';
  /** Path inside the repository. */
  path: string;
  /** Bytes (0 for directories). */
  size: number;
  /** Git object id (blob sha1 for files). */
  oid: string;
  /** Present for LFS files: the sha256 (which is the file's etag / blob name) and size. */
  lfs?: { oid: string; size: number };
}

/** Options of {@link listRepoTree}. */
export interface ListTreeOptions extends HubOptions {
  /** Folder to list; default the repository root. */
  path?: string;
  /** List sub-folders too; default false. */
  recursive?: boolean;
}

function apiBase(repoId: string, o: ResolvedHubOptions): string {
  return `${o.endpoint}/api/${o.repoType}s/${repoId}`;
}

function subjectOf(repoId: string, o: ResolvedHubOptions, filename?: string): RequestSubject {
  return {
    repoId,
    repoType: o.repoType,
    revision: o.revision,
    endpoint: o.endpoint,
    tokenSource: o.tokenSource,
    ...(filename === undefined ? {} : { filename }),
  };
}

async function getJson(url: string, repoId: string, o: ResolvedHubOptions, filename?: string): Promise<{ json: unknown; next: string | null }> {
  const subject = subjectOf(repoId, o, filename);
  const response = await rawRequest(url, { method: 'GET', headers: hubHeaders(o.token), timeoutMs: o.timeoutMs, signal: o.signal }, subject);
  if (!response.ok) throw await errorFromResponse(response, url, subject);
  const text = await response.text();
  try {
    return { json: JSON.parse(text), next: nextPageUrl(response.headers.get('link'), url) };
  } catch (error) {
    throw new HubError(`${url} did not return JSON (got '${text.slice(0, 80)}').`, {
      code: 'bad-response',
      url,
      repoId,
      repoType: o.repoType,
      revision: o.revision,
      cause: error,
    });
  }
}

/**
 * List files and folders of a repository at a revision through the hub's tree API
 * (`GET <endpoint>/api/<models|datasets>/<repo>/tree/<revision>/<path>?recursive=...`, pages followed through
 * the `Link: <...>; rel="next"` header), as huggingface_hub's `list_repo_tree`. Needs the network.
 */
export async function listRepoTree(repoId: string, options: ListTreeOptions = {}): Promise<RepoTreeEntry[]> {
  const o = resolveHubOptions(repoId, options);
  const path = options.path?.replace(/^\/+|\/+$/g, '') ?? '';
  if (path !== '') validateFilename(path, repoId);
  if (o.offline) {
    throw new HubError(
      `Offline mode is on (HF_HUB_OFFLINE=1 or offline: true): the file list of ${o.repoType} repository '${repoId}' cannot be fetched from the hub.`,
      { code: 'offline-cache-miss', repoId, repoType: o.repoType, revision: o.revision },
    );
  }
  const encodedPath = path === '' ? '' : `/${encodeURIComponent(path)}`;
  let url: string | null =
    `${apiBase(repoId, o)}/tree/${encodeURIComponent(o.revision)}${encodedPath}?recursive=${options.recursive === true}&expand=false`;
  const entries: RepoTreeEntry[] = [];
  while (url !== null) {
    const page: { json: unknown; next: string | null } = await getJson(url, repoId, o, path === '' ? undefined : path);
    if (!Array.isArray(page.json)) {
      throw new HubError(`${url} returned ${typeof page.json} instead of a list of tree entries.`, {
        code: 'bad-response',
        url,
        repoId,
      });
    }
    for (const raw of page.json as Record<string, unknown>[]) entries.push(toEntry(raw, url, repoId));
    url = page.next;
  }
  return entries;
}

function toEntry(raw: Record<string, unknown>, url: string, repoId: string): RepoTreeEntry {
  const type = raw.type === 'file' ? 'file' : raw.type === 'directory' ? 'directory' : null;
  if (type === null || typeof raw.path !== 'string') {
    throw new HubError(`${url} returned a tree entry without a file/directory type and a path: ${JSON.stringify(raw).slice(0, 200)}`, {
      code: 'bad-response',
      url,
      repoId,
    });
  }
  const entry: RepoTreeEntry = { type, path: raw.path, size: typeof raw.size === 'number' ? raw.size : 0, oid: String(raw.oid ?? '') };
  const lfs = raw.lfs as { oid?: unknown; size?: unknown } | undefined;
  if (lfs !== undefined && lfs !== null && typeof lfs.oid === 'string') entry.lfs = { oid: lfs.oid, size: Number(lfs.size ?? entry.size) };
  return entry;
}

/**
 * The commit hash a revision points to. Online: `GET <endpoint>/api/<models|datasets>/<repo>/revision/<rev>`
 * (its `sha`, as huggingface_hub's `repo_info`), recorded in `refs/<revision>` so later offline runs find it.
 * Offline, or when the hub cannot be reached: `refs/<revision>` in the cache.
 */
export async function resolveRevision(repoId: string, options: HubOptions = {}): Promise<string> {
  const o = resolveHubOptions(repoId, options);
  const cache = repoCache(o.cacheDir, repoId, o.repoType);
  if (isCommitHash(o.revision)) return o.revision;
  const fromCache = async (cause: unknown) => {
    const commit = await readCachedCommit(cache, o.revision);
    if (commit !== null) return commit;
    throw new HubError(
      `${cause === null ? 'Offline mode is on (HF_HUB_OFFLINE=1 or offline: true)' : 'The hub could not be used'} and revision ` +
        `'${o.revision}' of ${o.repoType} repository '${repoId}' is not in the cache: ${cache.ref(o.revision)} should hold its commit hash. ` +
        `Run once while online to fill the cache.`,
      { code: 'offline-cache-miss', repoId, repoType: o.repoType, revision: o.revision, ...(cause === null ? {} : { cause }) },
    );
  };
  if (o.offline) return fromCache(null);
  try {
    const { json } = await getJson(`${apiBase(repoId, o)}/revision/${encodeURIComponent(o.revision)}`, repoId, o);
    const sha = (json as { sha?: unknown } | null)?.sha;
    if (typeof sha !== 'string' || !isCommitHash(sha)) {
      throw new HubError(`The hub's info on ${repoId}@${o.revision} has no commit sha.`, { code: 'bad-response', repoId, revision: o.revision });
    }
    await writeRef(cache, o.revision, sha);
    return sha;
  } catch (error) {
    if (!allowsCacheFallback(error) || (HubError.isInstance(error) && error.code !== 'network' && error.code !== 'http')) throw error;
    return fromCache(error);
  }
}

/** Result of {@link hubGlob}. */
export interface GlobResult {
  /** The commit the listing was made at: download the files with `revision: commit` to get one consistent snapshot. */
  commit: string;
  /** Matching file paths, sorted. */
  paths: string[];
  /** Where the list came from: the hub's tree API, or the cached snapshot (offline: only files already cached). */
  source: 'hub' | 'cache';
}

/**
 * Files of a repository matching a glob such as `cola/train-*.parquet` or `plain_text/**\/*.parquet`
 * (`picomatch` syntax: `*` stays inside one folder, `**` crosses folders). The revision is first pinned to a
 * commit ({@link resolveRevision}); the folder before the first wildcard is then listed recursively with the
 * tree API, as huggingface_hub's `HfFileSystem.glob` does. Offline, the cached snapshot of that commit is
 * listed instead, which only knows the files downloaded before.
 */
export async function hubGlob(repoId: string, pattern: string, options: HubOptions = {}): Promise<GlobResult> {
  const o = resolveHubOptions(repoId, options);
  const clean = pattern.replace(/^\/+/, '');
  const segments = clean.split('/');
  const firstWild = segments.findIndex((s) => picomatch.scan(s).isGlob);
  const base = (firstWild === -1 ? segments.slice(0, -1) : segments.slice(0, firstWild)).join('/');
  if (base !== '') validateFilename(base, repoId);
  const isMatch = picomatch(clean, { dot: true });
  const commit = await resolveRevision(repoId, options);
  let files: string[];
  let source: GlobResult['source'];
  if (o.offline) {
    const snapshot = repoCache(o.cacheDir, repoId, o.repoType).pointer(commit, base === '' ? '.' : base);
    files = (await walk(snapshot)).map((p) => (base === '' ? p : `${base}/${p}`));
    source = 'cache';
  } else {
    let entries: RepoTreeEntry[];
    try {
      entries = await listRepoTree(repoId, { ...options, revision: commit, ...(base === '' ? {} : { path: base }), recursive: true });
    } catch (error) {
      if (HubError.isInstance(error) && error.code === 'entry-not-found') entries = [];
      else throw error;
    }
    files = entries.filter((e) => e.type === 'file').map((e) => e.path);
    source = 'hub';
  }
  return { commit, paths: files.filter((p) => isMatch(p)).sort(), source };
}

/** Relative paths of all files under `dir` (following the snapshot's symlinks to blobs). */
async function walk(dir: string): Promise<string[]> {
  let names;
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of names) {
    if (entry.isDirectory()) out.push(...(await walk(join(dir, entry.name))).map((p) => `${entry.name}/${p}`));
    else out.push(entry.name);
  }
  return out;
}
