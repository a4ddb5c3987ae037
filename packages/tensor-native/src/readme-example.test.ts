import { expect, it } from 'vitest';
import { tf, useEngine } from './test-engines.js';

// The README's example, run as written (with `tf` and the engine set up as the example's first lines do).
it('the README example runs and reports what it installed', async () => {
  await useEngine('wasm');
  const { installNativeKernels, layerNorm, gelu, uninstallNativeKernels } = await import('./index.js');

  // --- README example (after `await tf.setBackend('wasm')`) ---
  const { installed, reason, kernels } = installNativeKernels();
  console.log(reason); // native kernels, matmuls on OpenBLAS 0.3.21 (libopenblas.so.0, 2 threads): BatchMatMul, ...

  const x = tf.randomNormal([2, 16, 64]);
  const w = tf.randomNormal([64, 256], 0, 0.1);
  const gamma = tf.ones([64]);
  const beta = tf.zeros([64]);
  const h = gelu(tf.matMul(layerNorm(x, gamma, beta, 1e-12), w)); // [2, 16, 256]
  const dx = tf.grad((input) => tf.sum(gelu(tf.matMul(layerNorm(input, gamma, beta, 1e-12), w))))(x);
  // --- end of example ---

  expect(typeof installed).toBe('boolean');
  expect(installed).toBe(kernels.length > 0);
  expect(h.shape).toEqual([2, 16, 256]);
  expect(dx.shape).toEqual([2, 16, 64]);
  expect(Number.isFinite(tf.sum(dx).dataSync()[0])).toBe(true);
  // The same value from the unfused tfjs-core ops on the stock kernels.
  uninstallNativeKernels();
  const reference = tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-12))), gamma), beta);
    const z = tf.matMul(normed, w);
    return tf.mul(tf.mul(z, 0.5), tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1));
  });
  expect(tf.max(tf.abs(tf.sub(h, reference))).dataSync()[0]).toBeLessThan(1e-4);
  tf.dispose([x, w, gamma, beta, h, dx, reference]);
});
