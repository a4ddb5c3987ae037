import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hubDownload, hubGlob } from './index.js';
import { startMockHub, type MockHub } from './testing.js';

// The README's example, run against a local mock hub: HF_ENDPOINT and HF_HUB_CACHE point there instead of
// huggingface.co and ~/.cache/huggingface/hub.
let hub: MockHub;
let cache: string;
const saved = { ...process.env };
beforeAll(async () => {
  hub = await startMockHub({
    repos: [
      { id: 'microsoft/deberta-v3-base', commits: [{ sha: 'e'.repeat(40), refs: ['main'], files: { 'config.json': '{"model_type":"deberta-v2"}' } }] },
      { id: 'nyu-mll/glue', type: 'dataset', commits: [{ sha: 'f'.repeat(40), refs: ['main'], files: { 'cola/train-00000-of-00001.parquet': 'PAR1' } }] },
    ],
  });
  cache = await mkdtemp(join(tmpdir(), 'adalora-hub-readme-'));
  Object.assign(process.env, { HF_ENDPOINT: hub.endpoint, HF_HOME: join(cache, 'hf-home'), HF_HUB_CACHE: cache, HF_HUB_DISABLE_PROGRESS_BARS: '1' });
  for (const key of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE']) delete process.env[key];
});
afterAll(async () => {
  process.env = saved;
  await hub.close();
  await rm(cache, { recursive: true, force: true });
});

it('README example', async () => {
  // --- README example start ---
  const config = await hubDownload('microsoft/deberta-v3-base', 'config.json');
  console.log(config.path); // ~/.cache/huggingface/hub/models--microsoft--deberta-v3-base/snapshots/<commit>/config.json

  const { commit, paths } = await hubGlob('nyu-mll/glue', 'cola/train-*.parquet', { repoType: 'dataset' });
  for (const path of paths) {
    const file = await hubDownload('nyu-mll/glue', path, { repoType: 'dataset', revision: commit });
    console.log(file.path);
  }
  // --- README example end ---
  expect(JSON.parse(await readFile(config.path, 'utf8'))).toEqual({ model_type: 'deberta-v2' });
  expect(paths).toEqual(['cola/train-00000-of-00001.parquet']);
  expect(commit).toBe('f'.repeat(40));
});
