import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpoint, initBackend, type TensorFlow } from './index.js';

let tf: TensorFlow;
beforeAll(async () => {
  ({ tf } = await initBackend({ engine: 'wasm' }));
});

/** A stack of residual tanh blocks whose weights are variables read from the closure. */
function makeNet(width: number, depth: number) {
  const weights: Variable[] = [];
  for (let i = 0; i < depth; i++) weights.push(tf.variable(tf.randomNormal([width, width], 0, 0.3, 'float32', 11 + i), true, `w${i}`));
  const block = (i: number) => (h: Tensor) => tf.add(h, tf.tanh(tf.matMul(tf.tanh(tf.matMul(h, weights[i] as Variable)), weights[i] as Variable, false, true)));
  return { weights, block };
}

function gradsOf(useCheckpoint: boolean, net: ReturnType<typeof makeNet>, x: Tensor) {
  let bytesAtEndOfForward = 0;
  const { value, grads } = tf.variableGrads(() => {
    let h = x;
    net.weights.forEach((w, i) => {
      const f = net.block(i);
      h = useCheckpoint ? checkpoint(f, { params: () => [w] })(h) : f(h);
    });
    const loss = tf.mean(tf.square(h));
    bytesAtEndOfForward = tf.memory().numBytes;
    return loss as import('@tensorflow/tfjs-core').Scalar;
  });
  const out = { loss: value.dataSync()[0] as number, grads: net.weights.map((w) => (grads[w.name] as Tensor).dataSync().slice()), bytesAtEndOfForward };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe('checkpoint', () => {
  it('gives the same loss and gradients as the plain computation, with less memory held at the end of the forward', () => {
    const net = makeNet(64, 6);
    const x = tf.randomNormal([32, 64], 0, 1, 'float32', 3);
    const plain = gradsOf(false, net, x);
    const checkpointed = gradsOf(true, net, x);
    expect(checkpointed.loss).toBeCloseTo(plain.loss, 6);
    for (let i = 0; i < plain.grads.length; i++) {
      const a = plain.grads[i] as Float32Array;
      const b = checkpointed.grads[i] as Float32Array;
      let maxErr = 0;
      let maxRef = 0;
      for (let j = 0; j < a.length; j++) {
        maxErr = Math.max(maxErr, Math.abs((a[j] as number) - (b[j] as number)));
        maxRef = Math.max(maxRef, Math.abs(a[j] as number));
      }
      expect(maxRef).toBeGreaterThan(0);
      expect(maxErr).toBeLessThanOrEqual(1e-6 * maxRef);
    }
    // Each block keeps 4 activations of 32x64 floats without checkpointing; with it, only its input.
    expect(checkpointed.bytesAtEndOfForward).toBeLessThan(plain.bytesAtEndOfForward - 6 * 3 * 32 * 64 * 4 * 0.9);
    tf.dispose([x, ...net.weights]);
  });

  it('gives gradients to the explicit inputs too', () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const f = (a: Tensor) => tf.sum(tf.mul(a, a));
    const g = tf.grad((a: Tensor) => checkpoint(f)(a))(x);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6, 8]);
    tf.dispose([x, g]);
  });

  it('leaks no tensors over 100 training steps', () => {
    const net = makeNet(16, 3);
    const x = tf.randomNormal([8, 16], 0, 1, 'float32', 5);
    const step = () => {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          let h = x;
          net.weights.forEach((w, i) => {
            h = checkpoint(net.block(i), { params: () => [w] })(h);
          });
          return tf.mean(tf.square(h)) as import('@tensorflow/tfjs-core').Scalar;
        });
        for (const w of net.weights) w.assign(tf.sub(w, tf.mul(0.01, grads[w.name] as Tensor)));
      });
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...net.weights]);
  });
});
