import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UnknownImplementationError, UnsupportedInputError } from '@adalora/core';
import { startMockHub } from '@adalora/hub/testing';
import { initBackend, readSafetensors, writeSafetensors } from '@adalora/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureExpected, fixtureInputs, fixturePath, maxDiff, maxDiffValidRows, rows } from './__fixtures__/fixtures.js';
import { loadPretrained } from './load-pretrained.js';

// Expected values: transformers v4.40.2's outputs recorded in src/__fixtures__ (see README there).
const tol = 1e-4;
const inputs = fixtureInputs('deberta-v3-tiny');
const expected = fixtureExpected('deberta-v3-tiny');
const mask = inputs.attention_mask!.data;
const batch = { inputIds: rows(inputs.input_ids!), attentionMask: rows(inputs.attention_mask!) };
const scratch: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'adalora-models-'));
  scratch.push(dir);
  return dir;
}

function copyFolder(from: string, files: string[]): string {
  const dir = tempDir();
  for (const f of files) copyFileSync(fixturePath(`${from}/${f}`), join(dir, f));
  return dir;
}

async function seqclsLogits(source: string, options: Parameters<typeof loadPretrained>[1] = { task: 'sequence-classification' }) {
  const model = await loadPretrained(source, { ...options, task: 'sequence-classification' });
  const out = model.forward(batch);
  const logits = Array.from(out.logits.dataSync());
  tf.dispose([out.logits, out.lastHiddenState, out.pooledOutput]);
  return { model, logits };
}

beforeAll(async () => {
  await initBackend({ engine: 'wasm' });
});
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('loadPretrained from a local folder', () => {
  it('reads config.json + model.safetensors and reproduces the recorded logits', async () => {
    const { model, logits } = await seqclsLogits(fixturePath('deberta-v3-tiny/seqcls'));
    expect(maxDiff(logits, expected.seqcls_logits!)).toBeLessThan(tol);
    expect(model.origin.kind).toBe('local');
    model.dispose();
  });

  it('headStateDict gives the head back in the checkpoint layout, byte for byte', async () => {
    const model = await loadPretrained(fixturePath('deberta-v3-tiny/seqcls'), { task: 'sequence-classification' });
    const { tensors } = await readSafetensors(fixturePath('deberta-v3-tiny/seqcls/model.safetensors'));
    const head = model.headStateDict();
    expect([...head.keys()]).toEqual(['pooler.dense.weight', 'pooler.dense.bias', 'classifier.weight', 'classifier.bias']);
    for (const [name, entry] of head) {
      expect(entry.shape).toEqual(tensors.get(name)!.shape);
      expect(Array.from(entry.data as Float32Array)).toEqual(Array.from(tensors.get(name)!.data as Float32Array));
    }
    expect(model.namedTrainableVariables().get('classifier.weight')!.shape).toEqual([32, 3]);
    model.dispose();
  });

  it('reads the torch.save pytorch_model.bin when there is no safetensors file', async () => {
    const dir = copyFolder('deberta-v3-tiny/seqcls', ['config.json', 'pytorch_model.bin']);
    const { model, logits } = await seqclsLogits(dir);
    expect(maxDiff(logits, expected.seqcls_logits!)).toBeLessThan(tol);
    model.dispose();
  });

  it('reads F16 safetensors (widened to float32) and reproduces that fixture', async () => {
    const f16 = fixtureExpected('deberta-v3-tiny-f16');
    const { model, logits } = await seqclsLogits(fixturePath('deberta-v3-tiny-f16/seqcls'));
    expect(maxDiff(logits, f16.seqcls_logits!)).toBeLessThan(tol);
    model.dispose();
  });

  it('a bare backbone loaded with a head: the head is initialised fresh and reported, the backbone is exact', async () => {
    const model = await loadPretrained(fixturePath('deberta-v3-tiny/base'), { task: 'sequence-classification', numLabels: 4 });
    expect(model.loadReport.initialized).toEqual(['pooler.dense.weight', 'pooler.dense.bias', 'classifier.weight', 'classifier.bias']);
    expect(model.loadReport.notes.join(' ')).toMatch(/no 'deberta\.' prefix/);
    expect(model.loadReport.notes.join(' ')).toMatch(/initialised 4 head tensors/);
    const out = model.forward(batch);
    expect(out.logits.shape).toEqual([2, 4]);
    expect(maxDiffValidRows(out.lastHiddenState.dataSync(), expected.last_hidden_state!, mask)).toBeLessThan(tol);
    tf.dispose([out.logits, out.lastHiddenState, out.pooledOutput]);
    model.dispose();
  });

  it('a head checkpoint loaded as a bare backbone: head tensors are ignored and listed', async () => {
    const model = await loadPretrained(fixturePath('deberta-v3-tiny/seqcls'), { task: 'base' });
    expect(model.loadReport.unexpected).toEqual(['classifier.bias', 'classifier.weight', 'pooler.dense.bias', 'pooler.dense.weight']);
    expect([...model.linears().keys()][0]).toBe('encoder.layer.0.attention.self.query_proj');
    const out = model.forward(batch);
    expect(maxDiffValidRows(out.lastHiddenState.dataSync(), expected.last_hidden_state!, mask)).toBeLessThan(tol);
    out.lastHiddenState.dispose();
    model.dispose();
  });

  it('reads a sharded model.safetensors.index.json; notes say what was ignored', async () => {
    const { tensors } = await readSafetensors(fixturePath('deberta-v3-tiny/seqcls/model.safetensors'));
    const names = [...tensors.keys()];
    const half = Math.floor(names.length / 2);
    const dir = copyFolder('deberta-v3-tiny/seqcls', ['config.json']);
    const shards = [names.slice(0, half), names.slice(half)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(join(dir, file), new Map(shard.map((n) => [n, tensors.get(n)!])));
      for (const n of shard) weightMap[n] = file;
    }
    // An extra pre-training tensor, as in the published DeBERTa-v3 checkpoints.
    await writeSafetensors(join(dir, 'model-extra.safetensors'), new Map([['lm_predictions.lm_head.bias', { dtype: 'F32', shape: [128], data: new Float32Array(128) }]]));
    weightMap['lm_predictions.lm_head.bias'] = 'model-extra.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const { model, logits } = await seqclsLogits(dir);
    expect(maxDiff(logits, expected.seqcls_logits!)).toBeLessThan(tol);
    expect(model.loadReport.unexpected).toEqual(['lm_predictions.lm_head.bias']);
    expect(model.loadReport.notes.join('\n')).toMatch(/ignored 1 tensors .* \(lm_predictions\.lm_head\)/);
    model.dispose();
  });

  it('missing backbone tensors: one error listing all of them, and nothing leaks', async () => {
    const { tensors } = await readSafetensors(fixturePath('deberta-v3-tiny/seqcls/model.safetensors'));
    tensors.delete('deberta.encoder.layer.1.output.dense.weight');
    tensors.delete('deberta.encoder.rel_embeddings.weight');
    const dir = copyFolder('deberta-v3-tiny/seqcls', ['config.json']);
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
    const before = tf.memory().numTensors;
    const error = await loadPretrained(dir, { task: 'sequence-classification' }).catch((e: unknown) => e);
    expect(UnsupportedInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/2 missing: deberta\.encoder\.rel_embeddings\.weight, deberta\.encoder\.layer\.1\.output\.dense\.weight/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a head of another size is an error naming the tensor and both shapes', async () => {
    await expect(loadPretrained(fixturePath('deberta-v3-tiny/seqcls'), { task: 'sequence-classification', numLabels: 5 })).rejects.toThrow(
      /tensor 'classifier\.weight': expected shape \[5, 32\].*found \[3, 32\]/,
    );
  });

  it('unknown sources are errors naming what was expected', async () => {
    await expect(loadPretrained('./no/such/folder', { task: 'base' })).rejects.toThrow(/an existing model folder, a hub id.*tiny-deberta-v3/);
    await expect(loadPretrained(fixturePath('deberta-v3-tiny/inputs.json'), { task: 'base' })).rejects.toThrow(/found a file/);
    const dir = tempDir();
    await expect(loadPretrained(dir, { task: 'base' })).rejects.toThrow(/config\.json/);
    copyFileSync(fixturePath('deberta-v3-tiny/base/config.json'), join(dir, 'config.json'));
    await expect(loadPretrained(dir, { task: 'base' })).rejects.toThrow(/model\.safetensors, model\.safetensors\.index\.json, pytorch_model\.bin/);
  });
});

describe('loadPretrained from the hub (a mock hub on 127.0.0.1)', () => {
  const sha = 'a'.repeat(40);
  const file = (p: string) => new Uint8Array(readFileSync(fixturePath(p)));
  const tokenizerJson = new Uint8Array(readFileSync(new URL('../assets/deberta-v3-tiny-spm/tokenizer.json', import.meta.url)));

  it('downloads config, weights and tokenizer files into the HF cache layout, then works offline', async () => {
    const hub = await startMockHub({
      repos: [
        {
          id: 'org/tiny-deberta',
          commits: [{ sha, refs: ['main'], files: { 'config.json': file('deberta-v3-tiny/seqcls/config.json'), 'model.safetensors': file('deberta-v3-tiny/seqcls/model.safetensors'), 'tokenizer.json': tokenizerJson } }],
        },
        {
          id: 'org/bin-only',
          commits: [{ sha: 'b'.repeat(40), refs: ['main'], files: { 'config.json': file('deberta-v3-tiny/seqcls/config.json'), 'pytorch_model.bin': file('deberta-v3-tiny/seqcls/pytorch_model.bin') } }],
        },
      ],
    });
    const cacheDir = tempDir();
    try {
      const hubOptions = { endpoint: hub.endpoint, cacheDir, token: null, progressBar: false };
      const { model, logits } = await seqclsLogits('org/tiny-deberta', { task: 'sequence-classification', hub: hubOptions });
      expect(maxDiff(logits, expected.seqcls_logits!)).toBeLessThan(tol);
      const snapshot = join(cacheDir, 'models--org--tiny-deberta', 'snapshots', sha);
      expect(model.origin).toMatchObject({ kind: 'hub', hubId: 'org/tiny-deberta', directory: snapshot, tokenizerDirectory: snapshot });
      expect(readdirSync(snapshot).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
      model.dispose();

      const bin = await seqclsLogits('org/bin-only', { task: 'sequence-classification', hub: hubOptions });
      expect(maxDiff(bin.logits, expected.seqcls_logits!)).toBeLessThan(tol);
      expect(bin.model.origin.tokenizerDirectory).toBeNull();
      bin.model.dispose();

      await hub.close();
      const offline = await seqclsLogits('org/tiny-deberta', { task: 'sequence-classification', hub: { ...hubOptions, offline: true } });
      expect(maxDiff(offline.logits, expected.seqcls_logits!)).toBeLessThan(tol);
      offline.model.dispose();
    } finally {
      await hub.close().catch(() => undefined);
    }
  });

  it('a repository without weights is an error listing the files looked for', async () => {
    const hub = await startMockHub({ repos: [{ id: 'org/no-weights', commits: [{ sha, refs: ['main'], files: { 'config.json': file('deberta-v3-tiny/base/config.json') } }] }] });
    try {
      await expect(loadPretrained('org/no-weights', { task: 'base', hub: { endpoint: hub.endpoint, cacheDir: tempDir(), token: null, progressBar: false } })).rejects.toThrow(
        /org\/no-weights.*model\.safetensors, model\.safetensors\.index\.json, pytorch_model\.bin, pytorch_model\.bin\.index\.json/,
      );
    } finally {
      await hub.close();
    }
  });
});

describe('loadPretrained from the zoo', () => {
  it('tiny models are random, deterministic in the seed, and come with a tokenizer folder', async () => {
    const a = await loadPretrained('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2 });
    const b = await loadPretrained('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2 });
    const c = await loadPretrained('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2, seed: 7 });
    const run = (m: typeof a) => {
      const out = m.forward(batch);
      const values = Array.from(out.logits.dataSync());
      tf.dispose([out.logits, out.lastHiddenState, out.pooledOutput]);
      return values;
    };
    expect(run(a)).toEqual(run(b));
    expect(run(a)).not.toEqual(run(c));
    expect(a.origin.kind).toBe('zoo-random');
    expect(a.gradientCheckpointing).toBe(false); // tiny: recomputation would only cost time
    expect(existsSync(join(a.origin.tokenizerDirectory!, 'tokenizer.json'))).toBe(true);
    for (const m of [a, b, c]) m.dispose();
  });

  it('an unknown name that is not a folder or hub id lists the zoo', async () => {
    const error = await loadPretrained('tiny-debreta', { task: 'base' }).catch((e: unknown) => e);
    expect(UnknownImplementationError.isInstance(error) || UnsupportedInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/tiny-deberta-v3/);
  });
});
