import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@adalora/core';
import { sensitivity } from '@adalora/scores';
import checks from './__fixtures__/config_checks.json' with { type: 'json' };
import { resolveAdaLoraConfig } from './config.js';
import type { AdaLoraConfig } from './config.js';

const valid: AdaLoraConfig = {
  targetModules: ['proj'],
  initR: 12,
  targetR: 8,
  alpha: 8,
  scorer: sensitivity(),
  budget: { totalStep: 100 },
};

function errorOf(config: unknown): InvalidConfigError {
  try {
    resolveAdaLoraConfig(config as AdaLoraConfig);
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('AdaLoRA configuration (PEFT AdaLoraConfig checks, config_checks.json)', () => {
  it('PEFT’s defaults: orth_reg_weight 0.5, lora_dropout 0, tinit 0, tfinal 0, deltaT 1, PEFT final phase', () => {
    const d = checks.checks.defaults;
    const r = resolveAdaLoraConfig(valid);
    expect(r.orthRegWeight).toBe(d.orth_reg_weight);
    expect(r.dropout).toBe(d.lora_dropout);
    expect(r.allocator).toMatchObject({ tinit: d.tinit, tfinal: d.tfinal, deltaT: d.deltaT, totalStep: d.total_step, initR: d.init_r, targetR: d.target_r, finalPhase: 'peft' });
    expect(r.method).toBe('adalora');
    expect(r.adapterName).toBe('default');
    expect(r.orthRegForm).toBe('code');
    expect(r.nonFiniteGradients).toBe('skip');
  });

  it('total_step missing or 0 is rejected, as PEFT does ("supply a value > 0")', () => {
    expect(checks.checks.total_step_missing.ok).toBe(false);
    expect(errorOf({ ...valid, budget: {} }).field).toBe('budget.totalStep');
    expect(checks.checks.total_step_zero.ok).toBe(false);
    const zero = errorOf({ ...valid, budget: { totalStep: 0 } });
    expect(zero.field).toBe('budget.totalStep');
    expect(zero.message).toMatch(/\[1, ∞\)/);
    expect(errorOf({ ...valid, budget: undefined }).field).toBe('budget');
  });

  it('a schedule without a budgeting phase (tinit ≥ total_step − tfinal) is rejected', () => {
    expect(checks.checks.no_budgeting_phase.ok).toBe(false);
    const error = errorOf({ ...valid, budget: { totalStep: 10, tinit: 5, tfinal: 5 } });
    expect(error.field).toBe('budget.tinit');
    expect(error.message).toMatch(/no budget-decay phase/);
  });

  it('a negative orth_reg_weight is rejected', () => {
    expect(checks.checks.negative_orth.ok).toBe(false);
    expect(errorOf({ ...valid, orthRegWeight: -0.1 }).message).toMatch(/Invalid config 'orthRegWeight' = -0\.1: must be a finite number ≥ 0/);
  });

  it('stricter than PEFT: target_r > init_r (PEFT accepts it and then fails at the first mask) is rejected', () => {
    expect(checks.checks.target_r_above_init_r_not_validated.ok).toBe(true);
    const error = errorOf({ ...valid, initR: 4, targetR: 8 });
    expect(error.field).toBe('targetR');
    expect(error.message).toMatch(/\[1, 3\]/);
  });

  it('stricter than PEFT: `r` instead of `initR` (PEFT only warns) and unknown fields such as useDora are rejected', () => {
    expect(checks.checks.r_set_instead_of_init_r.warnings[0]).toMatch(/`r` is not used in AdaLora/);
    expect(errorOf({ ...valid, r: 8 }).message).toMatch(/Invalid config 'r' = 8: unknown field/);
    expect(errorOf({ ...valid, useDora: true }).field).toBe('useDora');
    expect(errorOf({ ...valid, budget: { totalStep: 10, tInit: 2 } }).message).toMatch(/'budget\.tInit'.*Did you mean 'tinit'/);
    expect(errorOf({ ...valid, budget: { totalStep: 10, modules: ['a'] } }).field).toBe('budget.modules');
  });

  it('AdaLoRA needs a scorer object, a targetR and a budget; a scorer id string is refused with how to resolve it', () => {
    expect(errorOf({ ...valid, scorer: undefined }).message).toMatch(/'scorer'.*sensitivity\(\{ beta1: 0\.85, beta2: 0\.85 \}\)/);
    expect(errorOf({ ...valid, scorer: 'fisher' }).message).toMatch(/scoreFunctions\.resolve\(id\)\(options\)/);
    expect(errorOf({ ...valid, targetR: undefined }).field).toBe('targetR');
  });

  it('plain LoRA refuses AdaLoRA-only fields instead of ignoring them, and defaults γ to 0', () => {
    expect(errorOf({ ...valid, method: 'lora' }).message).toMatch(/'targetR' = 8: is AdaLoRA-only/);
    const lora = resolveAdaLoraConfig({ targetModules: ['proj'], method: 'lora', initR: 1, alpha: 16 });
    expect(lora.orthRegWeight).toBe(0);
    expect(lora.scorer).toBeNull();
    expect(lora.allocator).toBeNull();
  });

  it('range checks name the field', () => {
    expect(errorOf({ ...valid, alpha: 0 }).field).toBe('alpha');
    expect(errorOf({ ...valid, dropout: 1 }).field).toBe('dropout');
    expect(errorOf({ ...valid, initR: 2.5 }).field).toBe('initR');
    expect(errorOf({ ...valid, seed: -1 }).field).toBe('seed');
    expect(errorOf({ ...valid, adapterName: 'a.b' }).field).toBe('adapterName');
    expect(errorOf({ ...valid, method: 'dora' }).field).toBe('method');
    expect(errorOf({ ...valid, orthRegForm: 'squared' }).field).toBe('orthRegForm');
    expect(errorOf({ ...valid, nonFiniteGradients: 'zero' }).field).toBe('nonFiniteGradients');
    expect(errorOf({ ...valid, budget: { totalStep: 100, finalPhase: 'hf' } }).field).toBe('budget.finalPhase');
    expect(errorOf({ ...valid, targetModules: undefined }).field).toBe('targetModules');
  });
});
