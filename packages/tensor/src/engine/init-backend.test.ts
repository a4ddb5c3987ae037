import { describe, expect, it } from 'vitest';
import { EngineUnavailableError, initBackend } from '../index.js';

describe('initBackend', () => {
  it('auto picks the fastest installed engine and says why (tfjs-node is not installed here)', async () => {
    const info = await initBackend({ engine: 'auto' });
    expect(info.engine).toBe('wasm');
    expect(info.reason).toMatch(/node-gpu unavailable \(not installed\); node unavailable \(not installed\); using wasm/);
    expect(info.tf.getBackend()).toBe('wasm');
  });

  it('an explicitly requested engine that is not installed fails with install instructions', async () => {
    const error = await initBackend({ engine: 'node-gpu' }).catch((e: unknown) => e);
    expect(EngineUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    expect((error as Error).message).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    const node = await initBackend({ engine: 'node' }).catch((e: unknown) => e);
    expect((node as EngineUnavailableError).engine).toBe('node');
  });

  it('rejects an unknown engine name', async () => {
    await expect(initBackend({ engine: 'gpu' as never })).rejects.toThrow(/Invalid config 'engine' = 'gpu': expected one of auto, node-gpu, node, wasm, cpu/);
  });

  it('registers gradients: d/dw Σ(w·x − y)² at w = 2, x = (1, 2, 3), y = 0 is 2·w·x² = (4, 16, 36)', async () => {
    const { tf } = await initBackend({ engine: 'cpu' });
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((w) => tf.sum(tf.square(tf.mul(w, x))))(tf.tensor1d([2, 2, 2]));
    expect(Array.from(g.dataSync())).toEqual([4, 16, 36]);
  });
});

describe('the native accelerator on wasm', () => {
  it('is used when @adalora/tensor-native and OpenBLAS are there, and the reason says which path runs', async () => {
    const info = await initBackend({ engine: 'wasm' });
    expect(info.native).not.toBeNull();
    if (info.native?.kernels.includes('BatchMatMul') === true) {
      expect(info.reason).toMatch(/OpenBLAS/);
    } else {
      // No compiler at build time, or no libopenblas (the matmuls stay on wasm): the reason says so.
      expect(info.reason).toMatch(/wasm/);
    }
    const plain = await initBackend({ engine: 'wasm', native: false });
    expect(plain.native).toEqual({ installed: false, reason: 'pure-wasm kernels (native kernels turned off)', kernels: [] });
  });
});
