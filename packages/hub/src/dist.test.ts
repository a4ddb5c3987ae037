import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, startMockHub, type MockHub } from './testing.js';

const run = promisify(execFile);
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const COMMIT = 'd'.repeat(40);
const WEIGHTS = Uint8Array.from({ length: 2_000_000 }, (_, i) => (i * 31 + (i >> 9)) & 0xff);

let hub: MockHub;
let cache: string;
beforeAll(async () => {
  hub = await startMockHub({ repos: [{ id: 'org/big', commits: [{ sha: COMMIT, refs: ['main'], files: { 'model.safetensors': WEIGHTS } }] }] });
  cache = await mkdtemp(join(tmpdir(), 'adalora-hub-dist-'));
});
afterAll(async () => {
  await hub.close();
  await rm(cache, { recursive: true, force: true });
});

describe('built output (dist/) in plain Node processes', () => {
  it('ESM and CJS builds download the same file at the same time into one cache without corrupting it', async () => {
    const env = { ...process.env, HF_ENDPOINT: hub.endpoint, HF_HOME: join(cache, 'hf-home'), HF_HUB_CACHE: cache, HF_TOKEN: '', HUGGING_FACE_HUB_TOKEN: '', HF_TOKEN_PATH: join(cache, 'no-token'), HF_HUB_OFFLINE: '0', TRANSFORMERS_OFFLINE: '0', HF_HUB_DISABLE_PROGRESS_BARS: '1' };
    const esm = `const { hubDownload } = await import('./dist/index.js');
      const f = await hubDownload('org/big', 'model.safetensors'); console.log(JSON.stringify(f));`;
    const cjs = `const { hubDownload } = require('./dist/index.cjs');
      hubDownload('org/big', 'model.safetensors').then((f) => console.log(JSON.stringify(f)));`;
    const [a, b] = await Promise.all([
      run(process.execPath, ['--input-type=module', '-e', esm], { cwd: packageRoot, env }),
      run(process.execPath, ['-e', cjs], { cwd: packageRoot, env }),
    ]);
    const fa = JSON.parse(a.stdout) as { path: string; commit: string; etag: string };
    const fb = JSON.parse(b.stdout) as { path: string };
    expect(fa.path).toBe(join(cache, 'models--org--big', 'snapshots', COMMIT, 'model.safetensors'));
    expect(fb.path).toBe(fa.path);
    expect(fa.etag).toBe(sha256Hex(WEIGHTS));
    expect(Buffer.from(await readFile(fa.path)).equals(Buffer.from(WEIGHTS))).toBe(true);
    expect(await readdir(join(cache, 'models--org--big', 'blobs'))).toEqual([sha256Hex(WEIGHTS)]);
  });
});
