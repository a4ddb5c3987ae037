import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixtures, manifest } from './test-support.js';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Reads the golden fixtures through the built package (dist/) in a plain Node process, ESM or CJS. */
function runBuilt(kind: 'esm' | 'cjs'): Record<string, unknown> {
  const load = kind === 'esm' ? "await import('./dist/index.js')" : "require('./dist/index.cjs')";
  const body = `
    const { readSafetensors, readTorchCheckpoint, writeSafetensors } = ${load};
    const { createHash } = await import('node:crypto');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = ${JSON.stringify(fixtures)};
    const st = await readSafetensors(join(dir, 'deberta-v3-tiny-f16-seqcls/model.safetensors'));
    const bin = await readTorchCheckpoint(join(dir, 'deberta-v3-tiny-seqcls/pytorch_model.bin'));
    const out = mkdtempSync(join(tmpdir(), 'adalora-dist-'));
    await writeSafetensors(join(out, 'copy.safetensors'), bin.tensors, { format: 'pt' });
    const same = readFileSync(join(out, 'copy.safetensors')).equals(readFileSync(join(dir, 'deberta-v3-tiny-seqcls/model.safetensors')));
    rmSync(out, { recursive: true });
    const w = st.tensors.get('deberta.encoder.layer.1.output.dense.weight');
    const hash = createHash('sha256').update(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength)).digest('hex');
    const refused = await readTorchCheckpoint(join(dir, 'all-dtypes.safetensors')).then(() => 'read', (e) => e.name);
    console.log(JSON.stringify({ dtype: w.dtype, shape: w.shape, hash, metadata: st.metadata, binTensors: bin.tensors.size, rewrittenIdentical: same, refused }));`;
  const script = kind === 'esm' ? body : `(async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, kind === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script], {
    cwd: packageRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, unknown>;
}

describe('tensor files from the built output in plain Node', () => {
  const golden = manifest.fixtures['deberta-v3-tiny-f16-seqcls/model.safetensors']!.tensors['deberta.encoder.layer.1.output.dense.weight']!;
  const expected = {
    dtype: 'F16',
    shape: golden.shape,
    hash: golden.sha256,
    metadata: { format: 'pt' },
    binTensors: 42,
    rewrittenIdentical: true, // the .bin's tensors written as safetensors give the golden model.safetensors byte for byte
    refused: 'UnsupportedInputError',
  };
  it('ESM: reads safetensors and .bin, writes safetensors', () => {
    expect(runBuilt('esm')).toEqual(expected);
  });
  it('CJS: the same', () => {
    expect(runBuilt('cjs')).toEqual(expected);
  });
});
