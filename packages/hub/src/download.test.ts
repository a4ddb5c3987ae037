import { mkdtemp, mkdir, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubError, hubDownload, tryLoadFromCache, type DownloadOptions, type DownloadProgress } from './index.js';
import { gitBlobSha1, sha256Hex, startMockHub, type MockHub } from './testing.js';

const COMMIT_A = 'a'.repeat(40);
const COMMIT_B = 'b'.repeat(40);
const CONFIG = '{"model_type": "deberta-v2", "hidden_size": 32}\n';
// 300 kB of non-repeating bytes, so a resumed download that appends at the wrong offset cannot pass.
const WEIGHTS = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919 + (i >> 8)) & 0xff);

let hub: MockHub;
let cache: string;

beforeAll(async () => {
  hub = await startMockHub({
    repos: [
      {
        id: 'org/tiny',
        commits: [{ sha: COMMIT_A, refs: ['main', 'v1'], files: { 'config.json': CONFIG, 'sub/dir/model.safetensors': WEIGHTS } }],
        renamedFrom: 'old-org/tiny-old',
      },
      { id: 'org/gated', access: 'gated', allowedTokens: ['hf_good'], commits: [{ sha: COMMIT_A, refs: ['main'], files: { 'config.json': CONFIG } }] },
      { id: 'org/private', access: 'private', allowedTokens: ['hf_private'], commits: [{ sha: COMMIT_A, refs: ['main'], files: { 'config.json': CONFIG } }] },
      { id: 'nyu-mll/glue', type: 'dataset', commits: [{ sha: COMMIT_B, refs: ['main'], files: { 'cola/train-00000-of-00001.parquet': WEIGHTS } }] },
    ],
  });
});
afterAll(async () => hub.close());
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'adalora-hub-'));
  hub.requests.length = 0;
  for (const key of Object.keys(hub.faults)) delete hub.faults[key as keyof typeof hub.faults];
});
afterEach(async () => rm(cache, { recursive: true, force: true }));

const opts = (extra: DownloadOptions = {}): DownloadOptions => ({
  endpoint: hub.endpoint,
  cacheDir: cache,
  // HF_HOME inside the temporary folder: no token file of the developer's machine is picked up
  env: { HF_HOME: join(cache, 'hf-home') },
  progressBar: false,
  retryDelayMs: 5,
  ...extra,
});

async function expectHubError(promise: Promise<unknown>, code: string, text: RegExp): Promise<HubError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(HubError.isInstance(error), `expected a HubError, got ${String(error)}`).toBe(true);
  const hubError = error as HubError;
  expect(hubError.code).toBe(code);
  expect(hubError.message).toMatch(text);
  return hubError;
}

async function listIncomplete(): Promise<string[]> {
  const dir = join(cache, 'models--org--tiny', 'blobs');
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.incomplete'));
}

describe('hubDownload: cache layout of huggingface_hub', () => {
  it('stores a regular file as blobs/<git sha1>, a relative snapshot symlink and refs/main', async () => {
    const file = await hubDownload('org/tiny', 'config.json', opts());
    const storage = join(cache, 'models--org--tiny');
    const etag = gitBlobSha1(new TextEncoder().encode(CONFIG));
    expect(file).toMatchObject({ commit: COMMIT_A, etag, fromCache: false, path: join(storage, 'snapshots', COMMIT_A, 'config.json') });
    expect(await readlink(file.path)).toBe(join('..', '..', 'blobs', etag));
    expect(await readFile(file.path, 'utf8')).toBe(CONFIG);
    expect(await readFile(join(storage, 'refs', 'main'), 'utf8')).toBe(COMMIT_A);
    expect(hub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `HEAD /org/tiny/resolve/main/config.json`,
      `GET /org/tiny/resolve/main/config.json`,
    ]);
  });

  it('serves the second call from the cache after one HEAD, and a commit-hash revision with no request', async () => {
    await hubDownload('org/tiny', 'config.json', opts());
    hub.requests.length = 0;
    const again = await hubDownload('org/tiny', 'config.json', opts());
    expect(again.fromCache).toBe(true);
    expect(hub.requests.map((r) => r.method)).toEqual(['HEAD']);
    hub.requests.length = 0;
    const pinned = await hubDownload('org/tiny', 'config.json', opts({ revision: COMMIT_A }));
    expect(pinned.path).toBe(again.path);
    expect(hub.requests).toEqual([]);
  });

  it('downloads an LFS file from the CDN redirect without sending the token there, blob named by sha256', async () => {
    const file = await hubDownload('org/tiny', 'sub/dir/model.safetensors', opts({ token: 'hf_good' }));
    const sha = sha256Hex(WEIGHTS);
    expect(file.etag).toBe(sha);
    expect(await readlink(file.path)).toBe(join('..', '..', '..', '..', 'blobs', sha));
    expect(Buffer.from(await readFile(file.path)).equals(Buffer.from(WEIGHTS))).toBe(true);
    const hubRequests = hub.requests.filter((r) => r.server === 'hub');
    const cdnRequests = hub.requests.filter((r) => r.server === 'cdn');
    expect(hubRequests.map((r) => `${r.method} ${r.authorization}`)).toEqual(['HEAD Bearer hf_good']); // the GET goes straight to the CDN address the HEAD returned
    expect(cdnRequests.length).toBe(1);
    expect(cdnRequests[0]?.authorization).toBeUndefined();
  });

  it('uses /datasets/ URLs and a datasets--org--name folder for dataset repos', async () => {
    const file = await hubDownload('nyu-mll/glue', 'cola/train-00000-of-00001.parquet', opts({ repoType: 'dataset' }));
    expect(file.path).toBe(join(cache, 'datasets--nyu-mll--glue', 'snapshots', COMMIT_B, 'cola', 'train-00000-of-00001.parquet'));
    expect(hub.requests[0]?.path).toBe('/datasets/nyu-mll/glue/resolve/main/cola/train-00000-of-00001.parquet');
  });

  it('moves refs/main when the branch moves, keeping the old snapshot', async () => {
    const first = await hubDownload('org/tiny', 'config.json', opts());
    hub.setRepo({
      id: 'org/tiny',
      commits: [
        { sha: COMMIT_A, refs: ['v1'], files: { 'config.json': CONFIG } },
        { sha: COMMIT_B, refs: ['main'], files: { 'config.json': '{"changed": true}' } },
      ],
    });
    try {
      const second = await hubDownload('org/tiny', 'config.json', opts());
      expect(second.commit).toBe(COMMIT_B);
      expect(await readFile(second.path, 'utf8')).toBe('{"changed": true}');
      expect(await readFile(first.path, 'utf8')).toBe(CONFIG);
      expect(await readFile(join(cache, 'models--org--tiny', 'refs', 'main'), 'utf8')).toBe(COMMIT_B);
    } finally {
      hub.setRepo({
        id: 'org/tiny',
        commits: [{ sha: COMMIT_A, refs: ['main', 'v1'], files: { 'config.json': CONFIG, 'sub/dir/model.safetensors': WEIGHTS } }],
        renamedFrom: 'old-org/tiny-old',
      });
    }
  });

  it('follows a relative redirect of a renamed repo', async () => {
    const file = await hubDownload('old-org/tiny-old', 'config.json', opts());
    expect(file.commit).toBe(COMMIT_A);
    expect(hub.requests.map((r) => `${r.method} ${r.path}`).slice(0, 2)).toEqual([
      'HEAD /old-org/tiny-old/resolve/main/config.json',
      'HEAD /org/tiny/resolve/main/config.json',
    ]);
  });
});

describe('hubDownload: errors', () => {
  it('a missing file is entry-not-found and is recorded in .no_exist, which offline mode then reports', async () => {
    await expectHubError(hubDownload('org/tiny', 'tokenizer.json', opts()), 'entry-not-found', /'tokenizer\.json' does not exist in model repository 'org\/tiny'/);
    expect(await readFile(join(cache, 'models--org--tiny', '.no_exist', COMMIT_A, 'tokenizer.json'), 'utf8')).toBe('');
    expect(await tryLoadFromCache('org/tiny', 'tokenizer.json', opts())).toEqual({ status: 'missing-upstream', commit: COMMIT_A });
    await expectHubError(hubDownload('org/tiny', 'tokenizer.json', opts({ offline: true })), 'entry-not-found', /\.no_exist/);
  });

  it('an unknown revision is revision-not-found', async () => {
    await expectHubError(hubDownload('org/tiny', 'config.json', opts({ revision: 'nope' })), 'revision-not-found', /Revision 'nope' does not exist/);
  });

  it('an unknown repo without a token is repo-not-found (the hub answers 401) and says a token may be needed', async () => {
    const error = await expectHubError(hubDownload('org/missing', 'config.json', opts()), 'repo-not-found', /not found.*private or gated.*sent: no token/s);
    expect(error.status).toBe(401);
  });

  it('a gated repo: 401 without a token, 403 with a token lacking access, success with an allowed token from HF_TOKEN', async () => {
    const noToken = await expectHubError(hubDownload('org/gated', 'config.json', opts()), 'gated-repo', /is gated: accept its conditions at .*\/org\/gated/);
    expect(noToken.status).toBe(401);
    hub.tokens.add('hf_other');
    const wrong = await expectHubError(hubDownload('org/gated', 'config.json', opts({ token: 'hf_other' })), 'gated-repo', /sent: the token from the token option/);
    expect(wrong.status).toBe(403);
    const ok = await hubDownload('org/gated', 'config.json', opts({ env: { HF_TOKEN: 'hf_good' } }));
    expect(await readFile(ok.path, 'utf8')).toBe(CONFIG);
  });

  it('reads the token from $HF_HOME/token, and names a rejected token', async () => {
    const home = join(cache, 'home');
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'token'), 'hf_private\n');
    const ok = await hubDownload('org/private', 'config.json', opts({ env: { HF_HOME: home } }));
    expect(ok.commit).toBe(COMMIT_A);
    expect(hub.requests.at(-1)?.authorization).toBe('Bearer hf_private');
    await writeFile(join(home, 'token'), 'hf_revoked');
    await expectHubError(hubDownload('org/private', 'config.json', opts({ env: { HF_HOME: home }, forceDownload: true })), 'unauthorized', new RegExp(`rejected the token from ${join(home, 'token').replace(/[/\\.]/g, '\\$&')}`));
  });

  it('rejects a server without X-Repo-Commit (not a hub) and paths that escape the repository', async () => {
    hub.faults.omitCommitHeader = true;
    await expectHubError(hubDownload('org/tiny', 'config.json', opts()), 'bad-response', /X-Repo-Commit/);
    await expectHubError(hubDownload('org/tiny', '../../etc/passwd', opts()), 'invalid-argument', /relative path/);
    await expectHubError(hubDownload('org--x/tiny', 'config.json', opts()), 'invalid-argument', /Invalid repo id/);
  });
});

describe('hubDownload: interrupted and corrupted transfers', () => {
  it('resumes with a Range request after the connection drops mid-file', async () => {
    hub.faults.dropAfterBytes = { bytes: 100_000, times: 1 };
    const file = await hubDownload('org/tiny', 'sub/dir/model.safetensors', opts());
    expect(Buffer.from(await readFile(file.path)).equals(Buffer.from(WEIGHTS))).toBe(true);
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    // The resume starts where the partial file ends: every byte received before the drop is kept (at most
    // the 100,000 sent; fewer when the socket closed with data still in flight), and none is asked twice.
    expect(cdn).toHaveLength(2);
    expect(cdn[0]?.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(cdn[1]?.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    expect(await listIncomplete()).toEqual([]);
  });

  it('starts over when the server ignores Range (200 on a resume)', async () => {
    hub.faults.dropAfterBytes = { bytes: 100_000, times: 1 };
    hub.faults.ignoreRange = true;
    const file = await hubDownload('org/tiny', 'sub/dir/model.safetensors', opts());
    expect(Buffer.from(await readFile(file.path)).equals(Buffer.from(WEIGHTS))).toBe(true);
  });

  it('gives up after the retries with no cache entry and no partial file left', async () => {
    hub.faults.dropAfterBytes = { bytes: 0, times: 100 };
    // bytes: 0 means every attempt sends nothing: no progress, so the retry budget runs out.
    await expectHubError(
      hubDownload('org/tiny', 'sub/dir/model.safetensors', opts({ maxRetries: 2 })),
      'incomplete-download',
      /stopped at 0 of 300000 bytes .* after 2 resume attempts; nothing was added to the cache/,
    );
    expect(await readdir(join(cache, 'models--org--tiny', 'blobs'))).toEqual([]);
    expect(await tryLoadFromCache('org/tiny', 'sub/dir/model.safetensors', opts())).toEqual({ status: 'not-cached', commit: COMMIT_A });
    expect(hub.requests.filter((r) => r.server === 'cdn').length).toBe(3);
  });

  it('gives up on a stalled transfer after the data timeout (HF_HUB_DOWNLOAD_TIMEOUT)', async () => {
    hub.faults.stallAfterBytes = 1000;
    await expectHubError(
      hubDownload('org/tiny', 'sub/dir/model.safetensors', opts({ maxRetries: 1, env: { HF_HOME: join(cache, 'hf-home'), HF_HUB_DOWNLOAD_TIMEOUT: '0.2' } })),
      'incomplete-download',
      /stopped at 1000 of 300000 bytes \(no data for 200 ms\)/,
    );
    expect(await readdir(join(cache, 'models--org--tiny', 'blobs'))).toEqual([]);
  });

  it('rejects bytes whose sha256 is not the announced etag', async () => {
    hub.faults.corrupt = true;
    await expectHubError(hubDownload('org/tiny', 'sub/dir/model.safetensors', opts()), 'checksum-mismatch', new RegExp(`announced ${sha256Hex(WEIGHTS)}`));
    expect(await readdir(join(cache, 'models--org--tiny', 'blobs'))).toEqual([]);
  });

  it('shares one transfer between concurrent calls for the same file in one process', async () => {
    const files = await Promise.all([1, 2, 3].map(() => hubDownload('org/tiny', 'sub/dir/model.safetensors', opts())));
    expect(new Set(files.map((f) => f.path)).size).toBe(1);
    expect(hub.requests.filter((r) => r.server === 'cdn').length).toBe(1);
    expect(Buffer.from(await readFile(files[0]!.path)).equals(Buffer.from(WEIGHTS))).toBe(true);
  });

  it('reports progress up to the announced size', async () => {
    const events: DownloadProgress[] = [];
    await hubDownload('org/tiny', 'sub/dir/model.safetensors', opts({ onProgress: (p) => events.push({ ...p }) }));
    expect(events[0]).toEqual({ repoId: 'org/tiny', filename: 'sub/dir/model.safetensors', downloaded: 0, total: 300_000 });
    expect(events.at(-1)?.downloaded).toBe(300_000);
    const amounts = events.map((e) => e.downloaded);
    expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
  });
});

describe('offline mode and unreachable hub', () => {
  /** A cache written by hand from the layout rules (as Python would leave it), not by our downloader. */
  async function writePythonStyleCache(): Promise<string> {
    const storage = join(cache, 'models--microsoft--deberta-v3-base');
    const blobName = '0123456789abcdef0123456789abcdef01234567';
    await mkdir(join(storage, 'blobs'), { recursive: true });
    await mkdir(join(storage, 'snapshots', COMMIT_B), { recursive: true });
    await mkdir(join(storage, 'refs'), { recursive: true });
    await writeFile(join(storage, 'blobs', blobName), CONFIG);
    await symlink(join('..', '..', 'blobs', blobName), join(storage, 'snapshots', COMMIT_B, 'config.json'));
    await writeFile(join(storage, 'refs', 'main'), COMMIT_B);
    return join(storage, 'snapshots', COMMIT_B, 'config.json');
  }

  it('finds a cache laid out by the rules with HF_HUB_OFFLINE=1 and HF_HUB_CACHE, without any request', async () => {
    const expected = await writePythonStyleCache();
    const file = await hubDownload('microsoft/deberta-v3-base', 'config.json', {
      env: { HF_HUB_OFFLINE: '1', HF_HUB_CACHE: cache, HF_ENDPOINT: hub.endpoint },
      progressBar: false,
    });
    expect(file).toMatchObject({ path: expected, commit: COMMIT_B, etag: '0123456789abcdef0123456789abcdef01234567', fromCache: true });
    expect(await readFile(file.path, 'utf8')).toBe(CONFIG);
    expect(hub.requests).toEqual([]);
  });

  it('a miss in offline mode names the file and where to put it', async () => {
    await writePythonStyleCache();
    const error = await expectHubError(
      hubDownload('microsoft/deberta-v3-base', 'spm.model', { env: { HF_HUB_OFFLINE: 'true', HF_HUB_CACHE: cache }, progressBar: false }),
      'offline-cache-miss',
      /Offline mode is on .* 'spm\.model' of model repository 'microsoft\/deberta-v3-base'/,
    );
    expect(error.message).toContain(join(cache, 'models--microsoft--deberta-v3-base', 'snapshots', COMMIT_B, 'spm.model'));
    const unknown = await expectHubError(hubDownload('org/never', 'config.json', opts({ offline: true })), 'offline-cache-miss', /refs/);
    expect(unknown.message).toContain(join(cache, 'models--org--never', 'refs', 'main'));
  });

  it('falls back to the cached revision when the hub is unreachable, and says so when it is not cached', async () => {
    const expected = await writePythonStyleCache();
    const dead = 'http://127.0.0.1:9'; // discard port: nothing listens there
    const file = await hubDownload('microsoft/deberta-v3-base', 'config.json', opts({ endpoint: dead }));
    expect(file.path).toBe(expected);
    await expectHubError(hubDownload('microsoft/deberta-v3-base', 'vocab.txt', opts({ endpoint: dead })), 'network', /could not be used.*not in the cache/s);
  });
});
