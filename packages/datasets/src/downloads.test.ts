import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubError } from '@adalora/hub';
import { startMockHub } from '@adalora/hub/testing';
import type { MockHub } from '@adalora/hub/testing';
import { loadGlueParquet } from './glue-parquet.js';
import { fetchGlueParquet, fetchSquadParquet } from './hub-data.js';
import { DataDownloadError, fetchOfficialFile } from './official-download.js';
import { loadSquadJson } from './squad-json.js';
import { loadSquadParquet } from './squad-parquet.js';
import { loadTaskSplit } from './task-data.js';
import { fixturePath, readJsonl } from './testing/fixtures.js';

const body = readFileSync(fixturePath('squad/dev-v2.0.json'));
// sha256sum / stat of the fixture file, computed outside this code.
const file = { file: 'dev-v2.0.json', url: 'https://example.invalid/dev-v2.0.json', bytes: 576, sha256: '9a2363f2a6d2da8d89ca6bde080fad7144231db61c4a43de5bce6dfadbd164c5' };

let server: Server;
let base = '';
const requests: string[] = [];
let corrupt = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/moved/dev-v2.0.json') {
      res.writeHead(302, { location: '/dataset/dev-v2.0.json' }).end();
    } else if (req.url === '/dataset/dev-v2.0.json') {
      const out = Buffer.from(body);
      if (corrupt) out[10] = (out[10] as number) ^ 1;
      res.writeHead(200, { 'content-length': out.length }).end(out);
    } else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const fresh = () => mkdtempSync(join(tmpdir(), 'adalora-dl-'));
const noEnv = {};

describe('fetchOfficialFile (SQuAD JSON with checksum, local server only)', () => {
  it('downloads through a redirect, verifies, caches, and serves the cache without a request next time', async () => {
    const cacheDir = fresh();
    requests.length = 0;
    const path = await fetchOfficialFile(file, { cacheDir, subdir: 'squad', url: `${base}/moved/dev-v2.0.json`, env: noEnv });
    expect(path).toBe(join(cacheDir, 'squad', 'dev-v2.0.json'));
    expect(readFileSync(path)).toEqual(body);
    expect(requests).toEqual(['/moved/dev-v2.0.json', '/dataset/dev-v2.0.json']);
    expect(await fetchOfficialFile(file, { cacheDir, subdir: 'squad', url: `${base}/moved/dev-v2.0.json`, env: noEnv })).toBe(path);
    expect(requests).toHaveLength(2);
    expect(await loadSquadJson(path, { onWarning: () => {} })).toEqual(readJsonl('expected/squad_v2/validation.jsonl'));
  });
  it('a wrong checksum is an error and leaves nothing in the cache', async () => {
    const cacheDir = fresh();
    corrupt = true;
    try {
      const error = await fetchOfficialFile(file, { cacheDir, subdir: 'squad', url: `${base}/dataset/dev-v2.0.json`, env: noEnv }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDownloadError);
      expect((error as DataDownloadError).code).toBe('checksum-mismatch');
      expect((error as Error).message).toMatch(/expected 576 bytes with sha256 9a2363f2/);
      expect(readdirSync(join(cacheDir, 'squad'))).toEqual([]);
    } finally {
      corrupt = false;
    }
  });
  it('offline: a miss says which file to put where and where to get it; a hit needs no network', async () => {
    const cacheDir = fresh();
    const miss = await fetchOfficialFile(file, { cacheDir, subdir: 'squad', env: { HF_DATASETS_OFFLINE: '1' } }).catch((e: unknown) => e);
    expect((miss as DataDownloadError).code).toBe('offline-cache-miss');
    expect((miss as Error).message).toBe(
      `dev-v2.0.json is not in the data cache and offline mode is on: download https://example.invalid/dev-v2.0.json (576 bytes, sha256 ${file.sha256}) and put it at ${join(cacheDir, 'squad', 'dev-v2.0.json')}.`,
    );
    mkdirSync(join(cacheDir, 'squad'));
    writeFileSync(join(cacheDir, 'squad', 'dev-v2.0.json'), body);
    expect(await fetchOfficialFile(file, { cacheDir, subdir: 'squad', offline: true })).toBe(join(cacheDir, 'squad', 'dev-v2.0.json'));
  });
  it('a cached file that fails the checksum is an error naming it', async () => {
    const cacheDir = fresh();
    mkdirSync(join(cacheDir, 'squad'));
    writeFileSync(join(cacheDir, 'squad', 'dev-v2.0.json'), 'truncated');
    await expect(fetchOfficialFile(file, { cacheDir, subdir: 'squad', offline: true })).rejects.toThrow(/The cached .*dev-v2\.0\.json is not the official dev-v2\.0\.json \(size 9, expected 576/);
  });
  it('HTTP errors and unreachable hosts are errors that say how to work offline', async () => {
    await expect(fetchOfficialFile(file, { cacheDir: fresh(), subdir: 'squad', url: `${base}/missing.json`, env: noEnv })).rejects.toThrow(/answered 404.*put it at/);
    const error = await fetchOfficialFile(file, { cacheDir: fresh(), subdir: 'squad', url: 'http://127.0.0.1:9/dev-v2.0.json', env: noEnv }).catch((e: unknown) => e);
    expect((error as DataDownloadError).code).toBe('network');
    expect((error as Error).message).toMatch(/Could not reach http:\/\/127\.0\.0\.1:9\/dev-v2\.0\.json .*to work offline, download/);
  });
});

describe('hub parquet through @adalora/hub (mock hub on 127.0.0.1)', () => {
  let hub: MockHub;
  const commit = 'c0ffee'.padEnd(40, '0');
  const glue = (path: string) => readFileSync(fixturePath(`hub_parquet/nyu-mll__glue/${path}`));
  beforeAll(async () => {
    hub = await startMockHub({
      repos: [
        {
          id: 'nyu-mll/glue',
          type: 'dataset',
          commits: [{ sha: commit, refs: ['main'], files: { 'README.md': '# glue', 'qqp/train-00000-of-00001.parquet': glue('qqp/train-00000-of-00001.parquet'), 'qqp/validation-00000-of-00001.parquet': glue('qqp/validation-00000-of-00001.parquet') } }],
        },
        {
          id: 'rajpurkar/squad_v2',
          type: 'dataset',
          commits: [{ sha: commit, refs: ['main'], files: { 'squad_v2/validation-00000-of-00001.parquet': readFileSync(fixturePath('hub_parquet/rajpurkar__squad_v2/squad_v2/validation-00000-of-00001.parquet')) } }],
        },
      ],
    });
  });
  afterAll(() => hub.close());

  it('downloads a GLUE split into the HF cache layout and loads the official rows from it, then works offline', async () => {
    const cacheDir = fresh();
    const options = { endpoint: hub.endpoint, cacheDir, token: null, env: {} };
    const root = await fetchGlueParquet('qqp', 'train', options);
    expect(root).toBe(join(cacheDir, 'datasets--nyu-mll--glue', 'snapshots', commit));
    expect(await loadGlueParquet({ root, config: 'qqp', split: 'train' })).toEqual(readJsonl('expected/glue/qqp/train.jsonl'));
    expect(await fetchGlueParquet('qqp', 'train', { ...options, offline: true })).toBe(root);
    const miss = await fetchGlueParquet('qqp', 'validation', { ...options, offline: true }).catch((e: unknown) => e);
    // Offline, the cached snapshot only knows qqp/train: the validation split is reported missing.
    expect(String((miss as Error).message)).toContain(
      `none in the cache (offline mode): download ${hub.endpoint}/datasets/nyu-mll/glue/resolve/${commit}/qqp/validation-00000-of-00001.parquet while online, or put the file at ${join(root, 'qqp')}/`,
    );
  });
  it('downloads SQuAD v2 parquet', async () => {
    const root = await fetchSquadParquet('squad_v2', 'validation', { endpoint: hub.endpoint, cacheDir: fresh(), token: null, env: {} });
    expect(await loadSquadParquet({ root, version: 'squad_v2', split: 'validation' })).toEqual(readJsonl('expected/squad_v2/validation.jsonl'));
  });
  it('loadTaskSplit downloads when asked and no local data is given; offline without a cache is the hub error', async () => {
    const cacheDir = fresh();
    const data = await loadTaskSplit('qqp', 'validation', { download: { hub: { endpoint: hub.endpoint, cacheDir, token: null, env: {} } } });
    expect(data.rows).toEqual(readJsonl('expected/glue/qqp/validation.jsonl'));
    const offline = await loadTaskSplit('qqp', 'train', { download: { hub: { endpoint: hub.endpoint, cacheDir: fresh(), token: null, env: {}, offline: true } } }).catch((e: unknown) => e);
    expect(HubError.isInstance(offline)).toBe(true);
    expect((offline as HubError).code).toBe('offline-cache-miss');
    expect(existsSync(cacheDir)).toBe(true);
  });
});
