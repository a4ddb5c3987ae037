import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

describe('built output (dist/) in plain Node', () => {
  it('ESM and CJS builds load a zoo model (its shipped tokenizer folder resolves from dist/) and run forward', () => {
    const run = (entry: string) => `
      const { initBackend } = await import('@adalora/tensor');
      await initBackend({ engine: 'cpu' });
      const { existsSync } = await import('node:fs');
      const m = ${entry};
      const model = await m.loadPretrained('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2 });
      const out = model.forward({ inputIds: [[1, 20, 99, 2]], attentionMask: [[1, 1, 1, 1]] });
      const result = {
        shape: out.logits.shape,
        finite: Array.from(out.logits.dataSync()).every(Number.isFinite),
        tokenizer: existsSync(model.origin.tokenizerDirectory + '/tokenizer.json'),
        linears: model.linears().size,
      };
      model.dispose();
      console.log(JSON.stringify(result));`;
    const esm = `${run("await import('./dist/index.js')")}`;
    const cjs = `const { createRequire } = await import('node:module'); ${run("createRequire(import.meta.url)('./dist/index.cjs')")}`;
    for (const script of [esm, cjs]) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ shape: [1, 2], finite: true, tokenizer: true, linears: 2 * 6 + 2 });
    }
  });
});
