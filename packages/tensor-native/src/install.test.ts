import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installNativeKernels, uninstallNativeKernels } from './install-native-kernels.js';
import './test-engines.js'; // loads tfjs-backend-wasm, so the probe below can install

/**
 * The built package (dist/) in child Node processes, on each path: OpenBLAS found, OpenBLAS hidden
 * ($ADALORA_OPENBLAS pointing at a missing file), and no addon at all; and the build script with no C compiler.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(packageDir, 'dist');
const probe = installNativeKernels({ quiet: true });
uninstallNativeKernels();

/**
 * A child program: wasm engine, then installNativeKernels, then [[1, 2], [3, 4]]·[[5, 6], [7, 8]]ᵀ = [[17, 23], [39, 53]]
 * and erf(0.5) = 0.5204999; prints the result and whether the BatchMatMul kernel is still the stock one.
 */
const childProgram = (entry: string) => `
  import * as tf from '@tensorflow/tfjs-core';
  import '@tensorflow/tfjs-backend-wasm';
  const { installNativeKernels } = await import(${JSON.stringify(entry)});
  await tf.setBackend('wasm');
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const result = installNativeKernels();
  const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]), false, true).arraySync();
  const erf = tf.erf(tf.scalar(0.5)).dataSync()[0];
  console.log(JSON.stringify({ ...result, product, erf, stockMatMul: tf.getKernel('BatchMatMul', 'wasm') === stock }));
`;

function runChild(program: string, env: Record<string, string> = {}) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    cwd: packageDir, encoding: 'utf8', env: { ...process.env, ...env },
  });
  expect(child.status, child.stderr).toBe(0);
  const notices = child.stderr.split('\n').filter((line) => line.startsWith('@adalora/tensor-native:'));
  return { result: JSON.parse(child.stdout.trim().split('\n').pop() as string), notices };
}

describe('the built package in a child process', () => {
  it.skipIf(probe.blas === null)('with OpenBLAS: matmuls on OpenBLAS, fused kernels, no notice (ESM)', () => {
    const { result, notices } = runChild(childProgram(join(dist, 'index.js')));
    expect(result.installed).toBe(true);
    expect(result.blas.library).toMatch(/openblas/);
    expect(result.kernels).toEqual(expect.arrayContaining(['BatchMatMul', '_FusedMatMul', 'Erf', 'AdaLoraLayerNorm']));
    expect(result.reason).toMatch(/^native kernels, matmuls on OpenBLAS/);
    expect(result.stockMatMul).toBe(false);
    expect(result.product).toEqual([[17, 23], [39, 53]]);
    expect(result.erf).toBeCloseTo(0.5204998778, 6);
    expect(notices).toEqual([]);
  });

  it.skipIf(probe.blas === null)('the CommonJS build loads the addon too', () => {
    const program = `const { installNativeKernels } = require(${JSON.stringify(join(dist, 'index.cjs'))}); require('@tensorflow/tfjs-backend-wasm');
      const r = installNativeKernels(); console.log(JSON.stringify({ installed: r.installed, blas: r.blas !== null }));`;
    const out = execFileSync(process.execPath, ['-e', program], { cwd: packageDir, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ installed: true, blas: true });
  });

  it('with OpenBLAS hidden: matmuls stay on the wasm kernels, one notice line, results unchanged', () => {
    const { result, notices } = runChild(childProgram(join(dist, 'index.js')), { ADALORA_OPENBLAS: '/nonexistent/libopenblas.so.0' });
    expect(result.blas).toBeNull();
    expect(result.kernels).not.toContain('BatchMatMul');
    expect(result.stockMatMul).toBe(true);
    expect(result.product).toEqual([[17, 23], [39, 53]]);
    expect(result.reason).toContain('OpenBLAS could not be loaded from /nonexistent/libopenblas.so.0 (from ADALORA_OPENBLAS)');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('matmuls stay on wasm');
    if (probe.installed) expect(result.kernels).toContain('AdaLoraGelu'); // the addon itself needs no OpenBLAS
  });

  it('without the addon (no compiler at build time): nothing installed, one notice line, pure-wasm results', () => {
    const copy = join(packageDir, `.test-no-addon-${process.pid}`, 'dist');
    mkdirSync(copy, { recursive: true });
    try {
      for (const file of readdirSync(dist).filter((f) => /\.(js|cjs)$/.test(f))) copyFileSync(join(dist, file), join(copy, file));
      const { result, notices } = runChild(childProgram(join(copy, 'index.js')));
      expect(result.installed).toBe(false);
      expect(result.kernels).toEqual([]);
      expect(result.stockMatMul).toBe(true);
      expect(result.product).toEqual([[17, 23], [39, 53]]);
      expect(result.erf).toBeCloseTo(0.5204998778, 6);
      expect(result.reason).toContain('the native addon was not built');
      expect(notices).toHaveLength(1);
    } finally {
      rmSync(join(copy, '..'), { recursive: true, force: true });
    }
  });

  it('before tfjs-backend-wasm is imported it installs nothing and says why', () => {
    const program = `import { installNativeKernels } from ${JSON.stringify(join(dist, 'index.js'))};
      console.log(JSON.stringify(installNativeKernels()));`;
    const { result } = runChild(program);
    expect(result).toEqual({ installed: false, reason: expect.stringContaining('@tensorflow/tfjs-backend-wasm is not loaded yet'), kernels: [], blas: null });
  });
});

describe('scripts/build-native.mjs', () => {
  it('without a C compiler it prints one notice line, exits 0 and leaves no addon', () => {
    const out = mkdtempSync(join(tmpdir(), 'tensor-native-nocc-'));
    try {
      const child = spawnSync(process.execPath, [join(packageDir, 'scripts', 'build-native.mjs'), '--out', out], {
        encoding: 'utf8', env: { ...process.env, CC: '/nonexistent/cc', CXX: '/nonexistent/c++' },
      });
      expect(child.status).toBe(0);
      const lines = child.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^@adalora\/tensor-native: native addon not built \(node-gyp failed: .*\/nonexistent\/cc.*\); the pure-wasm kernels will be used\.$/);
      expect(existsSync(join(out, 'tensor_native.node'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('with a compiler it builds an addon that reports dlopen errors for a missing library', () => {
    const out = mkdtempSync(join(tmpdir(), 'tensor-native-cc-'));
    try {
      const stdout = execFileSync(process.execPath, [join(packageDir, 'scripts', 'build-native.mjs'), '--out', out], { encoding: 'utf8' });
      if (stdout.includes('not built')) return expect(probe.installed).toBe(false); // no compiler here: the addon was not built for the other tests either
      const addon = createRequire(import.meta.url)(join(out, 'tensor_native.node')) as { load(path: string): unknown };
      expect(() => addon.load('/nonexistent/libopenblas.so.0')).toThrow(/\/nonexistent\/libopenblas\.so\.0: cannot open shared object file/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
