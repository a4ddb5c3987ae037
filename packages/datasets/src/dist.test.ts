import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePath } from './testing/fixtures.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

describe('built output (dist/) in plain Node', () => {
  it('ESM and CJS builds load; the CJS build reads parquet (hyparquet is ESM-only, loaded through require(esm))', () => {
    const script = `
      import { createRequire } from 'node:module';
      const esm = await import('./dist/index.js');
      const cjs = createRequire(import.meta.url)('./dist/index.cjs');
      const rows = await cjs.loadGlueParquet({ root: ${JSON.stringify(fixturePath('hub_parquet/nyu-mll__glue'))}, config: 'wnli', split: 'train' });
      console.log(JSON.stringify({
        squad: esm.squadV1Metric([{ id: 'a', answers: { text: ['the Quay'] } }], { a: 'quay!' }),
        glue: cjs.glueMetric('mrpc', [1, 0, 1], [1, 1, 1]),
        task: esm.tasks.resolve('synth-sst2').numLabels,
        rows,
      }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      squad: { exact_match: 100, f1: 100 },
      glue: { accuracy: 2 / 3, f1: 0.8 },
      task: 2,
      rows: [
        { sentence1: 'The trophy would not fit in the case because it was too small.', sentence2: 'The case was too small.', label: 1, idx: 0 },
        { sentence1: 'The trophy would not fit in the case because it was too small.', sentence2: 'The trophy was too small.', label: 0, idx: 1 },
      ],
    });
  });
});
