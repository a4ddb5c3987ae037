import { describe, expect, it } from 'vitest';
import { resolveTargetModules } from './target-modules.js';

const deberta = [
  'encoder.layer.0.attention.self.query_proj',
  'encoder.layer.0.attention.self.key_proj',
  'encoder.layer.0.attention.self.value_proj',
  'encoder.layer.0.attention.output.dense',
  'encoder.layer.0.intermediate.dense',
  'encoder.layer.0.output.dense',
  'encoder.layer.1.attention.self.query_proj',
  'encoder.layer.1.attention.self.value_proj',
  'pooler.dense',
  'classifier',
];

describe('targetModules with PEFT’s matching rules', () => {
  it('array entries match a whole name or a `.`-separated suffix, in model order', () => {
    expect(resolveTargetModules(deberta, ['value_proj', 'query_proj'])).toEqual([
      'encoder.layer.0.attention.self.query_proj',
      'encoder.layer.0.attention.self.value_proj',
      'encoder.layer.1.attention.self.query_proj',
      'encoder.layer.1.attention.self.value_proj',
    ]);
    // Suffix 'dense' also catches pooler.dense (PEFT's documented hazard); 'output.dense' does not.
    expect(resolveTargetModules(deberta, ['dense'])).toContain('pooler.dense');
    expect(resolveTargetModules(deberta, ['output.dense'])).toEqual(['encoder.layer.0.attention.output.dense', 'encoder.layer.0.output.dense']);
    expect(resolveTargetModules(deberta, ['classifier'])).toEqual(['classifier']);
    // 'proj' is not a whole component of any name: no substring matching.
    expect(() => resolveTargetModules(deberta, ['proj'])).toThrow(/matches none/);
  });

  it('a single string is a regular expression matched against the whole name (PEFT re.fullmatch)', () => {
    expect(resolveTargetModules(deberta, String.raw`encoder\.layer\.1\..*_proj`)).toEqual([
      'encoder.layer.1.attention.self.query_proj',
      'encoder.layer.1.attention.self.value_proj',
    ]);
    expect(() => resolveTargetModules(deberta, 'query_proj')).toThrow(/matches none/);
  });

  it('RegExp objects use JS test() semantics, also mixed with names', () => {
    expect(resolveTargetModules(deberta, [/layer\.0\..*dense$/, 'classifier'])).toEqual([
      'encoder.layer.0.attention.output.dense',
      'encoder.layer.0.intermediate.dense',
      'encoder.layer.0.output.dense',
      'classifier',
    ]);
    const global = /query/g;
    expect(resolveTargetModules(deberta, global)).toHaveLength(2);
    expect(resolveTargetModules(deberta, global)).toHaveLength(2);
  });

  it('a name matching nothing is an error naming it and listing near matches', () => {
    expect(() => resolveTargetModules(deberta, ['query_proj', 'querry_proj'])).toThrow(
      /Invalid config 'targetModules' = 'querry_proj': matches none of the model's 10 linear layers\. Near matches: 'encoder\.layer\.0\.attention\.self\.query_proj', 'encoder\.layer\.1\.attention\.self\.query_proj'/,
    );
    expect(() => resolveTargetModules(deberta, ['intermediate'])).toThrow(/Near matches: 'encoder\.layer\.0\.intermediate\.dense'/);
    expect(() => resolveTargetModules(deberta, ['zzzzzzzzzzzz'])).toThrow(/No close names; the layers are 'encoder\.layer\.0\.attention\.self\.query_proj'/);
  });

  it('empty lists, non-string entries and broken expressions are refused', () => {
    expect(() => resolveTargetModules(deberta, [])).toThrow(/name at least one module/);
    expect(() => resolveTargetModules(deberta, [3 as never])).toThrow(/strings or regular expressions/);
    expect(() => resolveTargetModules(deberta, '(')).toThrow(/not a valid regular expression/);
  });
});
