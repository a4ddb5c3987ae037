import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

describe('built output (dist/) in plain Node', () => {
  it('ESM and CJS builds load, and an error from one copy is recognised by the other', () => {
    // The ESM and CJS files are two separate copies of the classes: exactly the duplicated-package case.
    const script = `
      import { createRequire } from 'node:module';
      const esm = await import('./dist/index.js');
      const cjs = createRequire(import.meta.url)('./dist/index.cjs');
      const error = new cjs.UnknownImplementationError({ kind: 'task', id: 'sst', available: ['sst2'] });
      console.log(JSON.stringify({
        crossCopy: esm.AdaLoraError.isInstance(error) && esm.UnknownImplementationError.isInstance(error),
        instanceofAcross: error instanceof esm.AdaLoraError,
        resolved: esm.createRegistry('task', { sst2: 1 }).resolve('sst2'),
      }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ crossCopy: true, instanceofAcross: false, resolved: 1 });
  });
});
