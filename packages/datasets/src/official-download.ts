import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AdaLoraError } from '@adalora/core';
import type { OfficialFile } from './tasks.js';

/** Options of `fetchOfficialFile`. */
export interface OfficialDownloadOptions {
  /**
   * Cache folder; default `ADALORA_DATA_CACHE`, else `$XDG_CACHE_HOME/adalora/datasets`, else
   * `~/.cache/adalora/datasets`. Files go to `<cacheDir>/<subdir>/<file>`.
   */
  readonly cacheDir?: string;
  /** Sub-folder for this data set (e.g. `squad`). */
  readonly subdir: string;
  /** Use the cache only; default from `HF_DATASETS_OFFLINE` or `HF_HUB_OFFLINE` (`1`/`true`/`yes`/`on`). */
  readonly offline?: boolean;
  /** Replace the file's address (a mirror, or a local test server); the checksum still applies. */
  readonly url?: string;
  /** Time limit for the response to start, in ms; default 30 000. */
  readonly timeoutMs?: number;
  /** Environment for the defaults; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Why a data file could not be had: offline and not cached, network failure, or a wrong size or checksum. */
export class DataDownloadError extends AdaLoraError {
  readonly code: 'offline-cache-miss' | 'network' | 'http' | 'checksum-mismatch';
  /** Where the file must end up. */
  readonly path: string;
  readonly url: string;

  constructor(code: DataDownloadError['code'], message: string, { path, url, cause }: { path: string; url: string; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DataDownloadError';
    this.code = code;
    this.path = path;
    this.url = url;
  }
}

const truthy = (value: string | undefined): boolean => value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());

/** The data cache folder (see `OfficialDownloadOptions.cacheDir`). */
export function dataCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env['ADALORA_DATA_CACHE']) return env['ADALORA_DATA_CACHE'];
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg ? xdg : join(homedir(), '.cache'), 'adalora', 'datasets');
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Returns the local path of an official data file (SQuAD JSON), downloading it into the cache when it is not
 * there: streamed to `<file>.<random>.incomplete`, checked against the recorded size and SHA-256, then
 * renamed, so the cache never holds a partial or wrong file. A cached file is re-checked (size and hash)
 * before use. Offline, a miss is an error that says which file to put where and where to get it.
 */
export async function fetchOfficialFile(file: OfficialFile, options: OfficialDownloadOptions): Promise<string> {
  const env = options.env ?? process.env;
  const path = join(options.cacheDir ?? dataCacheDir(env), options.subdir, file.file);
  const url = options.url ?? file.url;
  const offline = options.offline ?? (truthy(env['HF_DATASETS_OFFLINE']) || truthy(env['HF_HUB_OFFLINE']));
  const manual = `download ${file.url} (${file.bytes} bytes, sha256 ${file.sha256}) and put it at ${path}`;
  if (existsSync(path)) {
    const size = statSync(path).size;
    const hash = size === file.bytes ? await sha256File(path) : '';
    if (hash === file.sha256) return path;
    throw new DataDownloadError('checksum-mismatch', `The cached ${path} is not the official ${file.file} (size ${size}, expected ${file.bytes}; or its sha256 differs). Delete it, or ${manual}.`, { path, url });
  }
  if (offline) {
    throw new DataDownloadError('offline-cache-miss', `${file.file} is not in the data cache and offline mode is on: ${manual}.`, { path, url });
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.incomplete`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: controller.signal });
  } catch (error) {
    clearTimeout(timer);
    throw new DataDownloadError('network', `Could not reach ${url} (${(error as Error).message}); to work offline, ${manual}.`, { path, url, cause: error });
  }
  clearTimeout(timer);
  if (!response.ok || response.body === null) {
    throw new DataDownloadError('http', `GET ${url} answered ${response.status} ${response.statusText}; ${manual}.`, { path, url });
  }
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const body = Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    await pipeline(body, createWriteStream(temporary));
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new DataDownloadError('network', `The download of ${url} broke off after ${bytes} bytes (${(error as Error).message}); ${manual}.`, { path, url, cause: error });
  }
  const digest = hash.digest('hex');
  if (bytes !== file.bytes || digest !== file.sha256) {
    rmSync(temporary, { force: true });
    throw new DataDownloadError(
      'checksum-mismatch',
      `${url} gave ${bytes} bytes with sha256 ${digest}, expected ${file.bytes} bytes with sha256 ${file.sha256}; nothing was cached. ${manual[0]?.toUpperCase()}${manual.slice(1)}.`,
      { path, url },
    );
  }
  renameSync(temporary, path);
  return path;
}
