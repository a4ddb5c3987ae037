import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { installNativeKernels } from './dist/index.js';
await tf.setBackend('wasm');
const pre = process.argv[2] === 'pre';
if (pre) { installNativeKernels(); const a = tf.randomNormal([3, 70, 50]); const b = tf.randomNormal([3, 60, 50]); tf.matMul(a, b, false, true).dataSync(); }
console.log(installNativeKernels().reason);
const x = tf.randomNormal([1024, 768]), w = tf.randomNormal([768, 3072]);
for (let r = 0; r < 3; r++) { let t = performance.now(); const y = tf.matMul(x, w); const t1 = performance.now(); y.dataSync(); console.log('ms', t1 - t, performance.now() - t1); y.dispose(); }
