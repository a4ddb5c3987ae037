import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

describe('built output (dist/) in plain Node', () => {
  it('ESM and CJS builds give the same schedule and masks, and errors are recognised across copies', () => {
    const script = `
      import { createRequire } from 'node:module';
      import { InvalidConfigError } from '@adalora/core';
      const esm = await import('./dist/index.js');
      const cjs = createRequire(import.meta.url)('./dist/index.cjs');
      const cfg = { initBudget: 1152, targetBudget: 576, totalStep: 1000, tinit: 100, tfinal: 300, deltaT: 10 };
      let field = null;
      try { cjs.createRankAllocator({ totalStep: 10, tinit: 9, tfinal: 1 }); } catch (e) { field = InvalidConfigError.isInstance(e) ? e.field : 'other'; }
      console.log(JSON.stringify({
        esm: esm.budgetAt(250, cfg), cjs: cjs.budgetAt(250, cfg),
        mask: esm.maskToBudget({ a: [0.4, 0.4, 0.9], b: [0.4, 0.8, 0.1] }, 3).keep,
        field,
      }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
    // b(250) = ⌊576 · (1 − 150/600)³ + 576⌋ = ⌊576 · 0.421875 + 576⌋ = 819 (budget_schedule.json row 250 agrees).
    expect(JSON.parse(out)).toEqual({
      esm: { budget: 819, maskNow: true },
      cjs: { budget: 819, maskNow: true },
      mask: { a: [false, false, true], b: [false, true, false] },
      field: 'tinit',
    });
  });
});
