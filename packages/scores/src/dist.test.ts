import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

describe('built output (dist/) in plain Node', () => {
  it('ESM and CJS builds compute the same scores on the cpu engine', () => {
    const script = `
      import { createRequire } from 'node:module';
      import '@tensorflow/tfjs-backend-cpu';
      import * as tf from '@tensorflow/tfjs-core';
      await tf.setBackend('cpu');
      const esm = await import('./dist/index.js');
      const cjs = createRequire(import.meta.url)('./dist/index.cjs');
      const w = tf.tensor1d([2, -1]), g = tf.tensor1d([3, 0.5]);
      const run = (lib) => { const s = lib.sensitivity(); const st = s.update(s.init(w), w, g); return Array.from(s.score(st).dataSync()); };
      const trip = cjs.tripletScores(tf.tensor2d([[1, 2, 3], [0, 0, 6]]), tf.tensor2d([[10], [20]]), tf.tensor2d([[4, 1], [8, 3]]));
      console.log(JSON.stringify({ esm: run(esm), cjs: run(cjs), ids: cjs.scoreFunctions.ids(), trip: Array.from(trip) }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
    const result = JSON.parse(out.split('\n').find((line) => line.startsWith('{')) as string);
    // |wg| = [6, 0.5]: s = 0.15·0.1275·|wg|² = [0.6885, 0.00478125]; triplets [10+2+6, 20+2+2].
    for (const key of ['esm', 'cjs']) {
      expect(result[key][0]).toBeCloseTo(0.6885, 6);
      expect(result[key][1]).toBeCloseTo(0.00478125, 8);
    }
    expect(result.ids).toEqual(['sensitivity', 'movement', 'fisher', 'gsnr', 'magnitude']);
    expect(result.trip).toEqual([18, 24]);
  });
});
