import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { installNativeKernels } from '/work/main/packages/tensor-native/dist/index.js';
await tf.setBackend('wasm');
const a = tf.randomNormal([3, 70, 50]); const b = tf.randomNormal([3, 60, 50]);
const ref = tf.matMul(a, b, false, true).dataSync();
console.log(installNativeKernels().reason);
const got = tf.matMul(a, b, false, true).dataSync();
let e = 0; for (let i = 0; i < ref.length; i++) e = Math.max(e, Math.abs(ref[i] - got[i]));
console.log('maxerr', e);
const x = tf.randomNormal([1024, 768]), w = tf.randomNormal([768, 3072]);
for (let r = 0; r < 3; r++) { const t = performance.now(); { const y = tf.matMul(x, w); y.dataSync(); y.dispose(); }; console.log('ms', performance.now() - t); }
