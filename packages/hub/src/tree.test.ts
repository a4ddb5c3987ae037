import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubError, hubDownload, hubGlob, listRepoTree, resolveRevision, type ListTreeOptions } from './index.js';
import { sha256Hex, startMockHub, type MockHub } from './testing.js';

const SHA = 'c'.repeat(40);
const files: Record<string, string> = {
  'README.md': '# glue',
  'cola/train-00000-of-00001.parquet': 'p1',
  'cola/validation-00000-of-00001.parquet': 'p2',
  'mnli/train-00000-of-00002.parquet': 'p3',
  'mnli/train-00001-of-00002.parquet': 'p4',
  'mnli/validation_matched-00000-of-00001.parquet': 'p5',
  'mnli/validation_mismatched-00000-of-00001.parquet': 'p6',
};

let hub: MockHub;
let cache: string;
beforeAll(async () => {
  hub = await startMockHub({ pageSize: 2, repos: [{ id: 'nyu-mll/glue', type: 'dataset', commits: [{ sha: SHA, refs: ['main'], files }] }] });
});
afterAll(async () => hub.close());
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'adalora-hub-tree-'));
  hub.requests.length = 0;
});
afterEach(async () => rm(cache, { recursive: true, force: true }));
const opts = (extra: ListTreeOptions = {}): ListTreeOptions => ({ endpoint: hub.endpoint, cacheDir: cache, env: { HF_HOME: join(cache, 'hf-home') }, repoType: 'dataset', ...extra });

describe('listRepoTree', () => {
  it('follows Link rel="next" pages and returns files with their LFS info', async () => {
    const entries = await listRepoTree('nyu-mll/glue', opts({ path: 'mnli' }));
    expect(entries.map((e) => e.path)).toEqual([
      'mnli/train-00000-of-00002.parquet',
      'mnli/train-00001-of-00002.parquet',
      'mnli/validation_matched-00000-of-00001.parquet',
      'mnli/validation_mismatched-00000-of-00001.parquet',
    ]);
    expect(entries[0]?.lfs).toEqual({ oid: sha256Hex(new TextEncoder().encode('p3')), size: 2 });
    expect(hub.requests.map((r) => r.path)).toEqual([
      '/api/datasets/nyu-mll/glue/tree/main/mnli?recursive=false&expand=false',
      '/api/datasets/nyu-mll/glue/tree/main/mnli?recursive=false&expand=false&cursor=2',
    ]);
  });

  it('lists folders at the root without recursion', async () => {
    const entries = await listRepoTree('nyu-mll/glue', opts());
    expect(entries.map((e) => `${e.type}:${e.path}`).sort()).toEqual(['directory:cola', 'directory:mnli', 'file:README.md']);
  });
});

describe('hubGlob', () => {
  it('pins the revision to a commit and matches within one folder', async () => {
    const result = await hubGlob('nyu-mll/glue', 'mnli/train-*.parquet', opts());
    expect(result).toEqual({ commit: SHA, source: 'hub', paths: ['mnli/train-00000-of-00002.parquet', 'mnli/train-00001-of-00002.parquet'] });
    expect(hub.requests[0]?.path).toBe('/api/datasets/nyu-mll/glue/revision/main');
    expect(hub.requests[1]?.path).toContain(`/tree/${SHA}/mnli?recursive=true`);
    const matched = await hubGlob('nyu-mll/glue', 'mnli/validation_matched-*.parquet', opts());
    expect(matched.paths).toEqual(['mnli/validation_matched-00000-of-00001.parquet']);
  });

  it('** crosses folders; a missing folder gives no match', async () => {
    expect((await hubGlob('nyu-mll/glue', '**/validation*.parquet', opts())).paths).toHaveLength(3);
    expect((await hubGlob('nyu-mll/glue', 'qqp/train-*.parquet', opts())).paths).toEqual([]);
  });

  it('offline, lists the cached snapshot of the cached ref (only downloaded files)', async () => {
    await hubDownload('nyu-mll/glue', 'mnli/train-00001-of-00002.parquet', { ...opts(), progressBar: false });
    hub.requests.length = 0;
    const result = await hubGlob('nyu-mll/glue', 'mnli/train-*.parquet', opts({ offline: true }));
    expect(result).toEqual({ commit: SHA, source: 'cache', paths: ['mnli/train-00001-of-00002.parquet'] });
    expect(hub.requests).toEqual([]);
  });
});

describe('resolveRevision', () => {
  it('writes refs/<revision> online and reads it offline; offline without it is a clear error', async () => {
    expect(await resolveRevision('nyu-mll/glue', opts())).toBe(SHA);
    expect(await resolveRevision('nyu-mll/glue', opts({ offline: true }))).toBe(SHA);
    const error = await resolveRevision('nyu-mll/glue', opts({ offline: true, revision: 'v2' })).catch((e: unknown) => e);
    expect(HubError.isInstance(error) && error.code).toBe('offline-cache-miss');
    expect((error as Error).message).toContain(join(cache, 'datasets--nyu-mll--glue', 'refs', 'v2'));
  });

  it('an unknown revision is revision-not-found', async () => {
    const error = await resolveRevision('nyu-mll/glue', opts({ revision: 'nope' })).catch((e: unknown) => e);
    expect(HubError.isInstance(error) && error.code).toBe('revision-not-found');
  });
});
