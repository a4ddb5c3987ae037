import { createHash, randomBytes, type Hash } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createPointer,
  fileExists,
  markNoExist,
  pointerEtag,
  readCachedCommit,
  removeQuietly,
  repoCache,
  writeRef,
  type RepoCache,
} from './cache.js';
import { HubError } from './hub-error.js';
import {
  allowsCacheFallback,
  errorFromResponse,
  hubHeaders,
  networkError,
  normalizeEtag,
  rawRequest,
  subjectFields,
  type RequestSubject,
} from './http.js';
import { resolveHubOptions, type HubOptions, type ResolvedHubOptions } from './options.js';
import { terminalProgressBar, type ProgressCallback, type ProgressDisplay } from './progress.js';
import { hubFileUrl, isCommitHash, validateFilename, type RepoType } from './repo-paths.js';

/** Options of {@link hubDownload}. */
export interface DownloadOptions extends HubOptions {
  /** Called as bytes arrive. */
  onProgress?: ProgressCallback;
  /**
   * Draw a `cli-progress` bar on stderr. Default: when stderr is a TTY and `HF_HUB_DISABLE_PROGRESS_BARS` is
   * not set.
   */
  progressBar?: boolean;
  /** Download again even when the file is cached. */
  forceDownload?: boolean;
  /**
   * Check the downloaded bytes against the etag when it is a content hash (sha256 for LFS files, git blob sha1
   * otherwise, the hub's documented etags); default true.
   */
  verifyChecksum?: boolean;
  /** Resumes (HTTP Range) after a dropped connection before giving up; reset whenever data arrives. Default 5. */
  maxRetries?: number;
  /** Wait before a resume, in ms; default 1000 (as huggingface_hub). */
  retryDelayMs?: number;
}

/** A file in the cache, ready to read. */
export interface HubFile {
  /** `<cache>/<repo folder>/snapshots/<commit>/<filename>` (a symlink to the blob). */
  path: string;
  repoId: string;
  repoType: RepoType;
  filename: string;
  /** The revision asked for. */
  revision: string;
  /** The commit hash it resolved to. */
  commit: string;
  /** Blob name (the file's content hash on the hub), when known. */
  etag: string | null;
  /** True when nothing was downloaded. */
  fromCache: boolean;
}

/** Result of a cache lookup: found, known not to exist upstream (`.no_exist` marker), or not cached. */
export type CacheLookup =
  | { status: 'cached'; path: string; commit: string }
  | { status: 'missing-upstream'; commit: string }
  | { status: 'not-cached'; commit: string | null };

/**
 * Find a file in the cache without any network access, as huggingface_hub's `try_to_load_from_cache`:
 * the revision goes through `refs/<revision>` (unless it is a commit hash), then
 * `snapshots/<commit>/<filename>` or the `.no_exist/<commit>/<filename>` marker.
 */
export async function tryLoadFromCache(repoId: string, filename: string, options: HubOptions = {}): Promise<CacheLookup> {
  const resolved = resolveHubOptions(repoId, options);
  validateFilename(filename, repoId);
  return lookup(repoCache(resolved.cacheDir, repoId, resolved.repoType), resolved.revision, filename);
}

async function lookup(cache: RepoCache, revision: string, filename: string): Promise<CacheLookup> {
  const commit = await readCachedCommit(cache, revision);
  if (commit === null) return { status: 'not-cached', commit: null };
  const pointer = cache.pointer(commit, filename);
  if (await fileExists(pointer)) return { status: 'cached', path: pointer, commit };
  if (await fileExists(cache.noExist(commit, filename))) return { status: 'missing-upstream', commit };
  return { status: 'not-cached', commit };
}

/** Downloads of this process by blob path, so two calls for the same blob share one transfer. */
const inflight = new Map<string, Promise<void>>();

/**
 * Download one file of a hub repository into the huggingface_hub cache and return its snapshot path,
 * following huggingface_hub's `hf_hub_download`:
 *
 * 1. `HEAD <endpoint>/<repo>/resolve/<revision>/<filename>` (relative redirects followed, e.g. a renamed repo)
 *    gives the commit (`X-Repo-Commit`), the etag (`X-Linked-Etag`, else `ETag`), the size (`X-Linked-Size`,
 *    else `Content-Length`) and, for LFS files, the CDN address (`Location`).
 * 2. If `snapshots/<commit>/<filename>` exists it is returned; `refs/<revision>` is updated.
 * 3. Otherwise the bytes are streamed to `blobs/<etag>.<random>.incomplete` (resuming with `Range` after a
 *    dropped connection), checked (size, and content hash when the etag is one), renamed to `blobs/<etag>`,
 *    and `snapshots/<commit>/<filename>` is made a relative symlink to it. A partial download never gets a
 *    cache name, and concurrent downloads of one file (threads or processes) each write their own temporary
 *    file and rename atomically.
 *
 * When the hub cannot be reached (or answers 401/403/5xx), a cached copy of the revision is used, as in
 * Python. In offline mode (`HF_HUB_OFFLINE=1`) only the cache is read, and a miss is an error naming the file
 * and the place it is expected.
 */
export async function hubDownload(repoId: string, filename: string, options: DownloadOptions = {}): Promise<HubFile> {
  const o = resolveHubOptions(repoId, options);
  validateFilename(filename, repoId);
  const cache = repoCache(o.cacheDir, repoId, o.repoType);
  const base = { repoId, repoType: o.repoType, filename, revision: o.revision };
  const subject: RequestSubject = { ...base, endpoint: o.endpoint, tokenSource: o.tokenSource };

  if (isCommitHash(o.revision) && !options.forceDownload) {
    const pointer = cache.pointer(o.revision, filename);
    if (await fileExists(pointer)) return { ...base, path: pointer, commit: o.revision, etag: await pointerEtag(pointer), fromCache: true };
  }
  if (o.offline) return fromCacheOrThrow(cache, o, filename, base, null);

  const url = hubFileUrl(repoId, filename, o);
  let metadata: FileMetadata;
  try {
    metadata = await fetchMetadata(url, o, subject, cache);
  } catch (error) {
    if (!allowsCacheFallback(error) || options.forceDownload) throw error;
    return fromCacheOrThrow(cache, o, filename, base, error as HubError);
  }

  const { commit, etag } = metadata;
  const pointer = cache.pointer(commit, filename);
  const blob = cache.blob(etag);
  if (!options.forceDownload && (await fileExists(pointer))) {
    await writeRef(cache, o.revision, commit).catch(() => undefined); // best effort: the cache may be read-only
    return { ...base, path: pointer, commit, etag, fromCache: true };
  }
  await mkdir(dirname(blob), { recursive: true });
  await writeRef(cache, o.revision, commit);

  let fromCache = true;
  if (options.forceDownload || !(await fileExists(blob))) {
    fromCache = false;
    let pending = options.forceDownload ? undefined : inflight.get(blob);
    if (pending === undefined) {
      pending = downloadToBlob(metadata, blob, o, options, subject).finally(() => inflight.delete(blob));
      inflight.set(blob, pending);
    }
    await pending;
  }
  await createPointer(blob, pointer);
  return { ...base, path: pointer, commit, etag, fromCache };
}

async function fromCacheOrThrow(
  cache: RepoCache,
  o: ResolvedHubOptions,
  filename: string,
  base: Pick<HubFile, 'repoId' | 'repoType' | 'filename' | 'revision'>,
  onlineError: HubError | null,
): Promise<HubFile> {
  const found = await lookup(cache, o.revision, filename);
  if (found.status === 'cached') {
    return { ...base, path: found.path, commit: found.commit, etag: await pointerEtag(found.path), fromCache: true };
  }
  const fields = { ...base, repoType: base.repoType as string };
  if (found.status === 'missing-upstream') {
    throw new HubError(
      `File '${filename}' does not exist in ${base.repoType} repository '${base.repoId}' at revision '${o.revision}' ` +
        `(commit ${found.commit}; recorded in ${cache.noExist(found.commit, filename)}).`,
      { code: 'entry-not-found', ...fields, ...(onlineError === null ? {} : { cause: onlineError }) },
    );
  }
  if (onlineError !== null && onlineError.code !== 'network' && onlineError.code !== 'http') throw onlineError;
  const where =
    found.commit === null
      ? `${cache.pointer('<commit>', filename)} with the commit hash written in ${cache.ref(o.revision)}`
      : cache.pointer(found.commit, filename);
  const why =
    onlineError === null
      ? 'Offline mode is on (HF_HUB_OFFLINE=1 or offline: true)'
      : `The hub could not be used (${onlineError.message})`;
  throw new HubError(
    `${why} and '${filename}' of ${base.repoType} repository '${base.repoId}' (revision '${o.revision}') is not in the ` +
      `cache ${o.cacheDir}. Download it once while online (this library or \`huggingface-cli download ${base.repoId} ${filename}` +
      `${base.repoType === 'dataset' ? ' --repo-type dataset' : ''}\`), or put the file at ${where}.`,
    {
      code: onlineError === null ? 'offline-cache-miss' : onlineError.code,
      ...fields,
      ...(onlineError === null ? {} : { cause: onlineError, ...(onlineError.status === undefined ? {} : { status: onlineError.status }) }),
    },
  );
}

interface FileMetadata {
  commit: string;
  etag: string;
  size: number;
  /** Where to GET the bytes: the resolve URL, or the CDN address of an LFS file. */
  location: string;
  /** The URL after relative redirects: its host decides whether the token goes along. */
  url: string;
}

/** huggingface_hub's `get_hf_file_metadata`: a HEAD that follows only relative redirects (not the CDN one). */
async function fetchMetadata(url: string, o: ResolvedHubOptions, subject: RequestSubject, cache: RepoCache): Promise<FileMetadata> {
  const headers = hubHeaders(o.token, { 'accept-encoding': 'identity' });
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await rawRequest(current, { method: 'HEAD', headers, timeoutMs: o.timeoutMs, signal: o.signal }, subject);
    const location = response.headers.get('location');
    const isRedirect = response.status >= 300 && response.status < 400;
    if (isRedirect && location !== null && isRelativeLocation(location) && hop < 10) {
      const next = new URL(current);
      next.pathname = new URL(location, current).pathname;
      current = next.toString();
      continue;
    }
    if (!isRedirect && !response.ok) {
      const error = await errorFromResponse(response, current, subject);
      const commit = response.headers.get('x-repo-commit');
      if (error.code === 'entry-not-found' && response.headers.get('x-error-code') === 'EntryNotFound' && commit !== null && subject.filename !== undefined) {
        await markNoExist(cache, commit, subject.filename).catch(() => undefined);
        await writeRef(cache, subject.revision, commit).catch(() => undefined);
      }
      throw error;
    }
    const bad = (what: string) =>
      new HubError(
        `${current} answered without ${what}; this does not look like a Hugging Face hub (check HF_ENDPOINT, now ${o.endpoint}, and any proxy).`,
        { code: 'bad-response', url: current, status: response.status, ...subjectFields(subject) },
      );
    const commit = response.headers.get('x-repo-commit');
    if (commit === null) throw bad('an X-Repo-Commit header');
    const etag = normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag'));
    if (etag === null || etag === '' || !/^[\w.-]+$/.test(etag)) throw bad('a usable ETag / X-Linked-Etag header');
    const sizeText = response.headers.get('x-linked-size') ?? (isRedirect ? null : response.headers.get('content-length'));
    const size = sizeText === null ? Number.NaN : Number(sizeText);
    if (!Number.isSafeInteger(size) || size < 0) throw bad('a file size (X-Linked-Size / Content-Length)');
    return { commit, etag, size, location: isRedirect && location !== null ? new URL(location, current).toString() : current, url: current };
  }
}

function isRelativeLocation(location: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('//');
}

async function downloadToBlob(
  metadata: FileMetadata,
  blobPath: string,
  o: ResolvedHubOptions,
  options: DownloadOptions,
  subject: RequestSubject,
): Promise<void> {
  const tmp = `${blobPath}.${randomBytes(4).toString('hex')}.incomplete`;
  const showBar = options.progressBar ?? (o.settings.progressBars && process.stderr.isTTY === true);
  const bar: ProgressDisplay | null = showBar ? terminalProgressBar(subject.filename ?? '', metadata.size) : null;
  const report = (downloaded: number) => {
    bar?.update(downloaded);
    options.onProgress?.({ repoId: subject.repoId, filename: subject.filename ?? '', downloaded, total: metadata.size });
  };
  try {
    await streamToFile(metadata, tmp, o, options, subject, report);
    await rename(tmp, blobPath);
  } finally {
    bar?.stop();
    await removeQuietly(tmp);
  }
}

/** GET the bytes into `tmp`, resuming with `Range` after a dropped connection, then check size and hash. */
async function streamToFile(
  metadata: FileMetadata,
  tmp: string,
  o: ResolvedHubOptions,
  options: DownloadOptions,
  subject: RequestSubject,
  report: (downloaded: number) => void,
): Promise<void> {
  const maxRetries = options.maxRetries ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const verify = options.verifyChecksum ?? true;
  const file = await open(tmp, 'w');
  let written = 0;
  let hash = contentHasher(metadata.etag, metadata.size, verify);
  let retriesLeft = maxRetries;
  let lastProblem = '';
  try {
    report(0);
    for (;;) {
      lastProblem = '';
      const idle = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => idle.abort(new Error(`no data for ${o.downloadTimeoutMs} ms`)), o.downloadTimeoutMs);
      };
      arm();
      let response: Response;
      try {
        response = await getFollowingRedirects(metadata, written, o, subject, idle.signal);
      } catch (error) {
        clearTimeout(timer);
        if (o.signal?.aborted || !HubError.isInstance(error) || error.code !== 'network' || retriesLeft <= 0) throw error;
        lastProblem = error.message;
        retriesLeft -= 1;
        await sleep(retryDelayMs, undefined, o.signal === undefined ? {} : { signal: o.signal });
        continue;
      }
      if (written > 0 && response.status === 200) {
        // The server ignored our Range header: start over instead of appending the whole file again.
        written = 0;
        await file.truncate(0);
        hash = contentHasher(metadata.etag, metadata.size, verify);
        report(0);
      } else if (response.status === 206) {
        const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
        if (start === undefined || Number(start) !== written) {
          clearTimeout(timer);
          await response.body?.cancel();
          throw new HubError(
            `${metadata.location} answered a resume request for byte ${written} with Content-Range '${response.headers.get('content-range')}'.`,
            { code: 'bad-response', status: 206, url: metadata.location, ...subjectFields(subject) },
          );
        }
      }
      const body = response.body;
      if (body === null) {
        clearTimeout(timer);
        throw new HubError(`Empty response body from ${metadata.location}.`, { code: 'bad-response', ...subjectFields(subject) });
      }
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          arm();
          if (written + value.byteLength > metadata.size) {
            throw new HubError(
              `${metadata.location} sent more than the ${metadata.size} bytes the hub announced for '${subject.filename}'.`,
              { code: 'bad-response', url: metadata.location, ...subjectFields(subject) },
            );
          }
          await file.write(value, 0, value.byteLength, written);
          hash?.update(value);
          written += value.byteLength;
          retriesLeft = maxRetries;
          report(written);
        }
      } catch (error) {
        if (o.signal?.aborted) throw o.signal.reason ?? error;
        if (HubError.isInstance(error)) throw error;
        lastProblem = describeStreamError(error, idle.signal);
      } finally {
        clearTimeout(timer);
        reader.releaseLock();
      }
      if (written === metadata.size) break;
      if (lastProblem === '') lastProblem = `the connection closed after ${written} of ${metadata.size} bytes`;
      if (retriesLeft <= 0) {
        throw new HubError(
          `Download of '${subject.filename}' from ${subject.repoId} stopped at ${written} of ${metadata.size} bytes ` +
            `(${lastProblem}) after ${maxRetries} resume attempts; nothing was added to the cache. Try again.`,
          { code: 'incomplete-download', url: metadata.location, ...subjectFields(subject) },
        );
      }
      retriesLeft -= 1;
      await sleep(retryDelayMs, undefined, o.signal === undefined ? {} : { signal: o.signal });
    }
  } finally {
    await file.close();
  }
  if (hash !== null) {
    const digest = hash.digest('hex');
    if (digest !== metadata.etag) {
      throw new HubError(
        `Downloaded '${subject.filename}' of ${subject.repoId} has hash ${digest} but the hub announced ${metadata.etag}; ` +
          `the data was corrupted in transit (or a proxy altered it). Nothing was added to the cache.`,
        { code: 'checksum-mismatch', url: metadata.location, ...subjectFields(subject) },
      );
    }
  }
}

function describeStreamError(error: unknown, idle: AbortSignal): string {
  if (idle.aborted) return String((idle.reason as Error)?.message ?? 'timed out');
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/**
 * GET the file, following redirects by hand so the token is sent only to the hub's own host: huggingface_hub
 * drops `Authorization` when the download goes to another host (the CDN URL is pre-signed).
 */
async function getFollowingRedirects(
  metadata: FileMetadata,
  offset: number,
  o: ResolvedHubOptions,
  subject: RequestSubject,
  idle: AbortSignal,
): Promise<Response> {
  const hubHost = new URL(metadata.url).host;
  let url = metadata.location;
  for (let hop = 0; hop <= 10; hop++) {
    const sameHost = new URL(url).host === hubHost;
    const headers = hubHeaders(sameHost ? o.token : null, {
      'accept-encoding': 'identity',
      ...(offset > 0 ? { range: `bytes=${offset}-` } : {}),
    });
    const response = await rawRequest(url, { method: 'GET', headers, timeoutMs: 24 * 3600_000, signal: o.signal, idleSignal: idle }, subject);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      url = new URL(location, url).toString();
      continue;
    }
    if (response.status === 200 || response.status === 206) return response;
    throw await errorFromResponse(response, url, subject);
  }
  throw networkError(metadata.location, subject, new Error('more than 10 redirects'));
}

/** sha256 for LFS etags (64 hex), git's blob sha1 (`"blob <size>\0" + content`) for 40-hex etags, else none. */
function contentHasher(etag: string, size: number, verify: boolean): Hash | null {
  if (!verify) return null;
  if (/^[0-9a-f]{64}$/.test(etag)) return createHash('sha256');
  if (/^[0-9a-f]{40}$/.test(etag)) return createHash('sha1').update(`blob ${size}\0`);
  return null;
}
