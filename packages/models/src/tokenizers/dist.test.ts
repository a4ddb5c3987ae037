import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

describe('tokenizers from the built output (dist/) in plain Node', () => {
  it('ESM and CJS builds load the native binding, convert spm.model and encode a pair', () => {
    const script = `
      import { createRequire } from 'node:module';
      import { mkdtempSync, copyFileSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const esm = await import('./dist/index.js');
      const cjs = createRequire(import.meta.url)('./dist/index.cjs');
      const spmOnly = mkdtempSync(join(tmpdir(), 'adalora-dist-spm-'));
      for (const f of ['spm.model', 'tokenizer_config.json']) copyFileSync(join(${JSON.stringify(fixtures)}, 'deberta-v3-tiny-spm', f), join(spmOnly, f));
      const a = await esm.loadTokenizer(spmOnly);
      const b = await cjs.loadTokenizer(join(${JSON.stringify(fixtures)}, 'bert-tiny-wordpiece'));
      const ea = await a.encode('Hello world!');
      const eb = await b.encode('Who?', 'Permission is hereby granted.', { maxLength: 12, truncation: 'only_second' });
      console.log(JSON.stringify({ a: ea.ids, b: eb.ids.length, types: eb.typeIds }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
    const result = JSON.parse(out) as { a: number[]; b: number; types: number[] };
    // "Hello world!" through the converted DeBERTa tokenizer: the first case of expected_encodings.json
    expect(result.a).toEqual([1, 4, 396, 7, 13, 13, 12, 69, 46, 13, 20, 381, 2]);
    expect(result.b).toBe(12);
    expect(result.types.slice(-2)).toEqual([1, 1]);
  });
});
