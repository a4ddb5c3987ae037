import { InvalidConfigError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import golden from './__fixtures__/config_checks.json' with { type: 'json' };
import { rankAllocatorDefaults, validateRankAllocatorConfig } from './allocator-config.js';
import type { RankAllocatorConfig } from './allocator-config.js';

const minimal = { totalStep: 100 } satisfies RankAllocatorConfig;

/**
 * Every case of config_checks.json, mapped to what our validation does with the same input. PEFT-only
 * fields (orth_reg_weight, use_dora) are validated by @adalora/adapters, which owns them.
 */
const cases: Record<string, { config: unknown; field?: string; message?: RegExp; owner?: 'adapters' }> = {
  total_step_missing: { config: {}, field: 'totalStep', message: /'totalStep' = undefined: is required/ },
  total_step_zero: { config: { totalStep: 0 }, field: 'totalStep', message: /out of range; allowed: \[1, ∞\)/ },
  no_budgeting_phase: { config: { totalStep: 100, tinit: 60, tfinal: 50 }, field: 'tinit', message: /no budget-decay phase/ },
  negative_orth: { config: undefined, owner: 'adapters' },
  // PEFT only warns that `r` is ignored; here an unknown field is an error (it would be ignored silently).
  r_set_instead_of_init_r: { config: { totalStep: 100, r: 8 }, field: 'r', message: /unknown field; known fields: initR, targetR/ },
  use_dora: { config: undefined, owner: 'adapters' },
  valid_minimal: { config: minimal },
  // PEFT accepts target_r > init_r (k < 0 at the first mask); we reject it.
  target_r_above_init_r_not_validated: { config: { totalStep: 100, initR: 4, targetR: 8 }, field: 'targetR', message: /allowed: \[1, 3\]/ },
  defaults: { config: minimal },
};

describe('validateRankAllocatorConfig against PEFT AdaLoraConfig (config_checks.json)', () => {
  it('covers every case of the golden file', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(golden.checks).sort());
  });

  for (const [name, check] of Object.entries(golden.checks)) {
    const ours = cases[name];
    if (ours?.owner === 'adapters') continue; // asserted by the coverage test above; validated in @adalora/adapters
    it(`${name}: PEFT ${'ok' in check && check.ok === false ? 'rejects' : 'accepts'}; ours ${ours?.field ? `rejects '${ours.field}'` : 'accepts'}`, () => {
      if (ours?.field === undefined) {
        expect(check).toMatchObject(name === 'defaults' ? {} : { ok: true });
        expect(() => validateRankAllocatorConfig(ours?.config as RankAllocatorConfig)).not.toThrow();
        return;
      }
      const error = captureError(() => validateRankAllocatorConfig(ours.config as RankAllocatorConfig));
      expect(InvalidConfigError.isInstance(error)).toBe(true);
      expect((error as InvalidConfigError).field).toBe(ours.field);
      expect((error as Error).message).toMatch(ours.message as RegExp);
    });
  }

  it('fills in the same defaults as PEFT', () => {
    const d = golden.checks.defaults;
    expect(validateRankAllocatorConfig(minimal)).toEqual({
      initR: d.init_r,
      targetR: d.target_r,
      totalStep: 100,
      tinit: d.tinit,
      tfinal: d.tfinal,
      deltaT: d.deltaT,
      finalPhase: 'peft',
      modules: undefined,
    });
    expect(rankAllocatorDefaults).toMatchObject({ initR: d.init_r, targetR: d.target_r, tinit: d.tinit, tfinal: d.tfinal, deltaT: d.deltaT });
  });
});

describe('stricter than PEFT', () => {
  it.each([
    ['equal ranks', { totalStep: 100, initR: 4, targetR: 4 }, 'targetR', /'targetR' = 4: out of range; allowed: \[1, 3\]/],
    ['deltaT < 1', { totalStep: 100, deltaT: 0 }, 'deltaT', /allowed: \[1, ∞\)/],
    ['non-integer steps', { totalStep: 100, tinit: 2.5 }, 'tinit', /'tinit' = 2.5: must be an integer/],
    ['non-integer total', { totalStep: 99.9 }, 'totalStep', /must be an integer/],
    ['NaN', { totalStep: Number.NaN }, 'totalStep', /must be an integer/],
    ['a default target rank not below a small initR', { totalStep: 100, initR: 4 }, 'targetR', /defaults to 8, which is not below initR = 4; set targetR to an integer in \[1, 3\]/],
    ['initR = 1 leaves no valid target', { totalStep: 100, initR: 1, targetR: 1 }, 'initR', /must be at least 2/],
    ['an unknown final phase', { totalStep: 100, finalPhase: 'paper' }, 'finalPhase', /must be 'peft' or 'loralib'/],
    ['a misspelt field', { totalStep: 100, tInit: 5 }, 'tInit', /unknown field.*Did you mean 'tinit'\?/],
    ['duplicate module names', { totalStep: 100, modules: ['q', 'v', 'q'] }, 'modules[2]', /duplicate matrix name/],
    ['empty module list', { totalStep: 100, modules: [] }, 'modules', /non-empty array/],
  ])('rejects %s', (_label, config, field, message) => {
    const error = captureError(() => validateRankAllocatorConfig(config as unknown as RankAllocatorConfig));
    expect((error as InvalidConfigError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
  });

  it('prefixes field names for callers embedding the config (the adapters controller)', () => {
    const error = captureError(() => validateRankAllocatorConfig({ totalStep: 10, tinit: 4, tfinal: 6 }, { path: 'budget' }));
    expect((error as InvalidConfigError).field).toBe('budget.tinit');
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
