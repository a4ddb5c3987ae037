import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

describe('built output (dist/) in plain Node', () => {
  it('the CommonJS build loads and works too (scaling, target matching, error classes shared with @adalora/core)', () => {
    const script = `
      const adapters = require('./dist/index.cjs');
      const core = require('@adalora/core');
      let error;
      try { adapters.resolveTargetModules(['a.query'], ['qeury']); } catch (e) { error = e; }
      console.log(JSON.stringify({
        scaling: adapters.svdScaling(16, 4),
        targets: adapters.resolveTargetModules(['a.query', 'a.value', 'b.query'], ['query']),
        key: adapters.peftTensorKey('a.query', 'E', 'svd'),
        invalidConfig: core.InvalidConfigError.isInstance(error),
        exports: ['createAdaLora', 'loadAdaLora', 'orthogonalRegularization'].every((n) => typeof adapters[n] === 'function'),
      }));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: packageRoot, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      scaling: 16 / (4 + 1e-5),
      targets: ['a.query', 'b.query'],
      key: 'base_model.model.a.query.lora_E',
      invalidConfig: true,
      exports: true,
    });
  });
});
