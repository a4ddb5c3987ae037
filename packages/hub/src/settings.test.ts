import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatBytes, hubFileUrl, repoFolderName, resolveHubSettings, terminalProgressBar } from './index.js';

describe('resolveHubSettings (huggingface_hub constants.py rules)', () => {
  it('defaults to ~/.cache/huggingface/hub and https://huggingface.co', () => {
    const s = resolveHubSettings({});
    expect(s.hfHome).toBe(join(homedir(), '.cache', 'huggingface'));
    expect(s.cacheDir).toBe(join(homedir(), '.cache', 'huggingface', 'hub'));
    expect(s.endpoint).toBe('https://huggingface.co');
    expect(s.offline).toBe(false);
    expect(s.progressBars).toBe(true);
  });

  it('XDG_CACHE_HOME < HF_HOME < HUGGINGFACE_HUB_CACHE < HF_HUB_CACHE, with $VAR and ~ expansion', () => {
    expect(resolveHubSettings({ XDG_CACHE_HOME: '/x' }).cacheDir).toBe('/x/huggingface/hub');
    expect(resolveHubSettings({ XDG_CACHE_HOME: '/x', HF_HOME: '/h' }).cacheDir).toBe('/h/hub');
    expect(resolveHubSettings({ HF_HOME: '/h', HUGGINGFACE_HUB_CACHE: '/legacy' }).cacheDir).toBe('/legacy');
    expect(resolveHubSettings({ HUGGINGFACE_HUB_CACHE: '/legacy', HF_HUB_CACHE: '/new' }).cacheDir).toBe('/new');
    expect(resolveHubSettings({ HF_HOME: '$BASE/hf', BASE: '/b' }).hfHome).toBe('/b/hf');
    expect(resolveHubSettings({ HF_HOME: '${UNSET_VAR}/hf' }).hfHome).toBe('${UNSET_VAR}/hf');
    expect(resolveHubSettings({ HF_HUB_CACHE: '~/c' }).cacheDir).toBe(join(homedir(), 'c'));
    expect(resolveHubSettings({ HF_ENDPOINT: 'https://mirror.example/' }).endpoint).toBe('https://mirror.example');
  });

  it('offline from HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE with Python truth values', () => {
    for (const v of ['1', 'ON', 'yes', 'True']) expect(resolveHubSettings({ HF_HUB_OFFLINE: v }).offline).toBe(true);
    for (const v of ['0', 'false', '', 'off']) expect(resolveHubSettings({ HF_HUB_OFFLINE: v }).offline).toBe(false);
    expect(resolveHubSettings({ TRANSFORMERS_OFFLINE: '1' }).offline).toBe(true);
    expect(resolveHubSettings({ HF_HUB_DISABLE_PROGRESS_BARS: '1' }).progressBars).toBe(false);
    expect(resolveHubSettings({})).toMatchObject({ etagTimeoutMs: 10_000, downloadTimeoutMs: 10_000 });
    expect(resolveHubSettings({ HF_HUB_ETAG_TIMEOUT: '2.5', HF_HUB_DOWNLOAD_TIMEOUT: '30' })).toMatchObject({ etagTimeoutMs: 2500, downloadTimeoutMs: 30_000 });
    expect(resolveHubSettings({ HF_HUB_ETAG_TIMEOUT: 'x' }).etagTimeoutMs).toBe(10_000);
  });

  it('token: HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then HF_TOKEN_PATH or $HF_HOME/token (trimmed)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'adalora-hf-home-'));
    try {
      await writeFile(join(home, 'token'), '  hf_file \n');
      expect(resolveHubSettings({ HF_HOME: home })).toMatchObject({ token: 'hf_file', tokenSource: { file: join(home, 'token') } });
      expect(resolveHubSettings({ HF_HOME: home, HUGGING_FACE_HUB_TOKEN: 'hf_legacy' })).toMatchObject({ token: 'hf_legacy', tokenSource: 'HUGGING_FACE_HUB_TOKEN' });
      expect(resolveHubSettings({ HF_HOME: home, HF_TOKEN: 'hf_env', HUGGING_FACE_HUB_TOKEN: 'x' })).toMatchObject({ token: 'hf_env', tokenSource: 'HF_TOKEN' });
      expect(resolveHubSettings({ HF_HOME: home, HF_TOKEN: '  ' }).token).toBe('hf_file');
      await writeFile(join(home, 'other'), 'hf_other');
      expect(resolveHubSettings({ HF_HOME: home, HF_TOKEN_PATH: join(home, 'other') }).token).toBe('hf_other');
      expect(resolveHubSettings({ HF_HOME: join(home, 'none') })).toMatchObject({ token: null, tokenSource: null });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('URLs and folder names (examples from huggingface_hub docstrings)', () => {
  it('hubFileUrl', () => {
    expect(hubFileUrl('julien-c/EsperBERTo-small', 'pytorch_model.bin', { endpoint: 'https://huggingface.co' })).toBe(
      'https://huggingface.co/julien-c/EsperBERTo-small/resolve/main/pytorch_model.bin',
    );
    expect(hubFileUrl('nyu-mll/glue', 'cola/train-00000-of-00001.parquet', { endpoint: 'https://hf.example/', repoType: 'dataset', revision: 'refs/convert/parquet' })).toBe(
      'https://hf.example/datasets/nyu-mll/glue/resolve/refs%2Fconvert%2Fparquet/cola/train-00000-of-00001.parquet',
    );
    expect(hubFileUrl('gpt2', 'a b#.txt', { endpoint: 'https://huggingface.co' })).toBe('https://huggingface.co/gpt2/resolve/main/a%20b%23.txt');
  });

  it('repoFolderName', () => {
    expect(repoFolderName('julien-c/EsperBERTo-small')).toBe('models--julien-c--EsperBERTo-small');
    expect(repoFolderName('nyu-mll/glue', 'dataset')).toBe('datasets--nyu-mll--glue');
    expect(repoFolderName('gpt2')).toBe('models--gpt2');
  });
});

describe('terminal progress bar', () => {
  it('draws the file name, percentage and sizes with cli-progress on a TTY stream', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let out = '';
    stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const bar = terminalProgressBar('model.safetensors', 2_500_000, stream);
    bar.update(2_500_000);
    bar.stop();
    expect(out).toContain('model.safetensors');
    expect(out).toContain('100%');
    expect(out).toContain('2.5MB/2.5MB');
    expect(formatBytes(999)).toBe('999B');
    expect(formatBytes(1536)).toBe('1.5kB');
  });
});
