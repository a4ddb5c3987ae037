import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Runs a script against the built package in a plain Node process (no vite transforms). */
function runBuilt(kind: 'esm' | 'cjs'): unknown {
  const load = kind === 'esm' ? "await import('./dist/index.js')" : "require('./dist/index.cjs')";
  const body = `
    const { initBackend, checkpoint } = ${load};
    const { tf, engine } = await initBackend({ engine: 'wasm' });
    const x = tf.tensor1d([1, 2, 3]);
    const grad = tf.grad((w) => tf.sum(tf.square(tf.mul(w, x))))(tf.tensor1d([2, 2, 2]));
    const viaCheckpoint = tf.grad((w) => checkpoint((v) => tf.sum(tf.square(tf.mul(v, x))))(w))(tf.tensor1d([2, 2, 2]));
    const emb = tf.grad((t) => tf.sum(tf.gather(t, tf.tensor1d([0, 0, 2], 'int32'))))(tf.ones([3, 2]));
    console.log(JSON.stringify({ engine, grad: Array.from(grad.dataSync()), viaCheckpoint: Array.from(viaCheckpoint.dataSync()), emb: Array.from(emb.dataSync()) }));`;
  const script = kind === 'esm' ? body : `(async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, kind === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script], {
    cwd: packageRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

describe('built output in plain Node', () => {
  const expected = { engine: 'wasm', grad: [4, 16, 36], viaCheckpoint: [4, 16, 36], emb: [2, 2, 0, 0, 1, 1] };
  it('ESM: engine, gradients (incl. gather on wasm) and checkpoint work', () => {
    expect(runBuilt('esm')).toEqual(expected);
  });
  it('CJS: the same', () => {
    expect(runBuilt('cjs')).toEqual(expected);
  });
});
