import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetOptions } from './presets.js';
import { mergeOptions, parseFlags, readConfigFile } from './resolve-options.js';

describe('train options', () => {
  it('parses flags by their spec and rejects bad values naming the flag', () => {
    expect(parseFlags({ initR: '12', targetModules: 'query_proj, value_proj', lr: '8e-4' })).toEqual({ initR: 12, targetModules: ['query_proj', 'value_proj'], lr: 8e-4 });
    expect(() => parseFlags({ initR: '1.5' })).toThrow("Invalid config '--init-r' = '1.5': expected a whole number");
    expect(() => parseFlags({ beta1: '2' })).toThrow("Invalid config '--beta1' = '2': must be ≤ 1");
    expect(() => parseFlags({ method: 'qlora' })).toThrow('expected one of adalora, lora');
  });

  it('reads --config files with camelCase or flag keys and names unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adalora-config-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ initR: 16, 'target-r': 8, targetModules: ['query_proj'] }));
    expect(readConfigFile(good)).toEqual({ initR: 16, targetR: 8, targetModules: ['query_proj'] });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ initRank: 16 }));
    expect(() => readConfigFile(bad)).toThrow(`Invalid config '${bad}: initRank' = 16: unknown option`);
  });

  it('layers defaults < preset < file < flags', () => {
    const merged = mergeOptions(presetOptions('adalora-paper', 'rte'), { lr: 1e-3 }, { seed: 7 });
    expect(merged.initR).toBe(2);
    expect(merged.orthReg).toBe(0.3);
    expect(merged.lr).toBe(1e-3);
    expect(merged.seed).toBe(7);
    expect(merged.beta1).toBe(0.85);
    expect(() => presetOptions('paper', 'rte')).toThrow("Unknown preset 'paper'");
  });
});
