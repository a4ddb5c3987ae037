// The README's example, run as written (keep the two in sync).
import { expect, it } from 'vitest';
import { checkpoint, initBackend } from './index.js';

it('README example: pick an engine, train through a checkpointed block', async () => {
  const { tf, engine, reason } = await initBackend({ engine: 'auto' });
  console.log(engine, '-', reason); // wasm - node-gpu unavailable (not installed); node unavailable (not installed); using wasm

  const w = tf.variable(tf.randomNormal([16, 16], 0, 0.1, 'float32', 1));
  const block = checkpoint((h) => tf.tanh(tf.matMul(h, w)), { params: () => [w] });
  const x = tf.randomNormal([4, 16], 0, 1, 'float32', 2);
  const { value: loss, grads } = tf.variableGrads(() => tf.mean(tf.square(block(x))) as import('@tensorflow/tfjs-core').Scalar);

  expect(engine).toBe('wasm');
  expect(loss.dataSync()[0]).toBeGreaterThan(0);
  expect(grads[w.name]?.shape).toEqual([16, 16]);
  tf.dispose([w, x, loss, ...Object.values(grads)]);
});
