import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOverrides, expandGrid, labelOf, readGridFile } from './grid.js';
import { writeOrCheckManifest } from './manifest.js';
import { presetGrid } from './sweep-presets.js';

const dir = mkdtempSync(join(tmpdir(), 'adalora-grid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gridFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const yamlGrid = `# a small study
name: study
fixed:
  model: tiny-deberta-v3
  max-steps: 20
  targetModules: [query_proj, value_proj]
axes:
  task: [synth-sst2, synth-mrpc]
  lr: [5e-4, 0.001]
  seed: [1, 2]
`;

describe('grid files', () => {
  it('expands axes into cells in order (first axis slowest), named axis=value, with train arguments', () => {
    const cells = expandGrid(readGridFile(gridFile('study.yaml', yamlGrid)));
    expect(cells).toHaveLength(8);
    expect(cells.map((c) => c.name)).toEqual([
      'task=synth-sst2,lr=0.0005,seed=1', 'task=synth-sst2,lr=0.0005,seed=2', 'task=synth-sst2,lr=0.001,seed=1', 'task=synth-sst2,lr=0.001,seed=2',
      'task=synth-mrpc,lr=0.0005,seed=1', 'task=synth-mrpc,lr=0.0005,seed=2', 'task=synth-mrpc,lr=0.001,seed=1', 'task=synth-mrpc,lr=0.001,seed=2',
    ]);
    expect(cells[5]).toEqual({
      index: 5,
      name: 'task=synth-mrpc,lr=0.0005,seed=2',
      dir: 'cells/task=synth-mrpc,lr=0.0005,seed=2',
      values: { task: 'synth-mrpc', lr: '0.0005', seed: '2' },
      options: { model: 'tiny-deberta-v3', maxSteps: 20, targetModules: ['query_proj', 'value_proj'], task: 'synth-mrpc', lr: 0.0005, seed: 2 },
      args: ['--model', 'tiny-deberta-v3', '--max-steps', '20', '--target-modules', 'query_proj,value_proj', '--task', 'synth-mrpc', '--lr', '0.0005', '--seed', '2'],
    });
  });

  it('reads the same grid written as JSON', () => {
    const json = gridFile('study.json', JSON.stringify({
      name: 'study', fixed: { model: 'tiny-deberta-v3', 'max-steps': 20, targetModules: ['query_proj', 'value_proj'] },
      axes: { task: ['synth-sst2', 'synth-mrpc'], lr: [0.0005, 0.001], seed: [1, 2] },
    }, null, 2));
    expect(expandGrid(readGridFile(json))).toEqual(expandGrid(readGridFile(gridFile('study2.yaml', yamlGrid))));
  });

  it('takes an axis of option sets under a free name (the LoRA baseline beside the scorers)', () => {
    const cells = expandGrid(readGridFile(gridFile('variants.yaml', `axes:
  variant:
    - { name: lora, method: lora }
    - { method: adalora, scorer: fisher }
  seed: [3]
`)));
    expect(cells.map((c) => [c.name, c.args])).toEqual([
      ['variant=lora,seed=3', ['--method', 'lora', '--seed', '3']],
      ['variant=adalora+fisher,seed=3', ['--method', 'adalora', '--scorer', 'fisher', '--seed', '3']],
    ]);
  });

  it('names a grid without axes `run` and defaults its name to the file name', () => {
    const grid = readGridFile(gridFile('single.yml', 'fixed: { seed: 5 }\n'));
    expect(grid.name).toBe('single');
    expect(expandGrid(grid).map((c) => [c.name, c.args])).toEqual([['run', ['--seed', '5']]]);
  });

  it('keeps short safe values as labels and hashes the rest, so distinct values never share a folder', () => {
    expect(labelOf('synth-sst2')).toBe('synth-sst2');
    expect(labelOf(['query_proj', 'value_proj'])).toBe('query_proj+value_proj');
    const a = labelOf('/models/my model');
    const b = labelOf('/models/my_model');
    expect(a).toMatch(/^models_my_model-[0-9a-f]{6}$/);
    expect(b).toMatch(/^models_my_model-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
  });
});

describe('grid errors name the file, line and value', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['an unknown axis', 'axes:\n  seed: [1]\n  scorrer: [fisher]\n', /bad\.yaml:3: axes\.scorrer' = \["fisher"\]: Unknown axis 'scorrer'\. .*Did you mean 'scorer'\?/],
    ['an unknown scorer', 'axes:\n  scorer:\n    - sensitivity\n    - fishr\n', /bad\.yaml:4: axes\.scorer\[1\]' = 'fishr': Unknown score function 'fishr'\. Available: .*'fisher'.*Did you mean 'fisher'\?/],
    ['an unknown task', 'fixed:\n  task: sst3\n', /bad\.yaml:2: fixed\.task' = 'sst3': Unknown task 'sst3'/],
    ['a value out of range', 'axes:\n  seed: [1, -3]\n', /bad\.yaml:2: axes\.seed\[1\]' = -3: must be ≥ 0/],
    ['a value of the wrong type', 'axes:\n  init-r: [8, many]\n', /bad\.yaml:2: axes\.init-r\[1\]' = 'many': expected a number/],
    ['a bad choice', 'fixed:\n  method: qlora\n', /bad\.yaml:2: fixed\.method' = 'qlora': expected one of adalora, lora/],
    ['an unknown train preset', 'fixed:\n  preset: seed-papr\n', /bad\.yaml:2: fixed\.preset' = 'seed-papr': unknown train preset; known: seed-paper, adalora-paper/],
    ['an unknown fixed option', 'fixed:\n  epoch: 3\n', /bad\.yaml:2: fixed\.epoch' = 3: Unknown train option 'epoch'\. .*Did you mean 'epochs'\?/],
    ['zero cells', 'axes:\n  seed: []\n', /bad\.yaml:2: axes\.seed' = \[\]: an axis needs at least one value: this grid has zero cells/],
    ['an option set twice', 'fixed:\n  seed: 1\naxes:\n  seed: [1, 2]\n', /axes\.seed' = 'seed': option 'seed' is already set by `fixed`/],
    ['a repeated value', 'axes:\n  seed: [1, 2, 1]\n', /axes\.seed\[2\]' = '1': the same value \(or name\) as entry 0/],
    ['an unknown top-level key', 'axis:\n  seed: [1]\n', /bad\.yaml:1: axis'.*unknown grid key/],
    ['broken YAML', 'axes:\n  seed: [1, 2\n', /bad\.yaml:\d+: expected valid YAML or JSON, found /],
  ];
  for (const [what, text, message] of cases) {
    it(what, () => {
      expect(() => readGridFile(gridFile('bad.yaml', text))).toThrow(message);
    });
  }

  it('a missing file', () => {
    expect(() => readGridFile(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: expected a readable grid file \(\.yaml, \.yml or \.json\), found ENOENT/);
  });
});

describe('command-line overrides', () => {
  const base = readGridFile(gridFile('base.yaml', yamlGrid));

  it('--axis replaces an axis in place or adds one at the end; train flags replace fixed options', () => {
    const grid = applyOverrides(base, { axes: ['seed=7,8,9', 'dropout=0.1'], fixed: { maxSteps: '5' } });
    const cells = expandGrid(grid);
    expect(cells).toHaveLength(2 * 2 * 3);
    expect(cells[0]?.name).toBe('task=synth-sst2,lr=0.0005,seed=7,dropout=0.1');
    expect(cells[0]?.args).toEqual(['--model', 'tiny-deberta-v3', '--max-steps', '5', '--target-modules', 'query_proj,value_proj', '--task', 'synth-sst2', '--lr', '0.0005', '--seed', '7', '--dropout', '0.1']);
  });

  it('--axis on an axis of option sets keeps the sets with those names', () => {
    const grid = applyOverrides(presetGrid('seed-study'), { axes: ['variant=lora,fisher', 'task=rte', 'seed=1'] });
    expect(expandGrid(grid).map((c) => c.args)).toEqual([
      ['--preset', 'seed-paper', '--task', 'rte', '--method', 'lora', '--seed', '1'],
      ['--preset', 'seed-paper', '--task', 'rte', '--method', 'adalora', '--scorer', 'fisher', '--seed', '1'],
    ]);
    expect(() => applyOverrides(presetGrid('seed-study'), { axes: ['variant=lora,adalora'] })).toThrow(/no option set of axis 'variant' has this name; names: lora, sensitivity, movement, fisher, gsnr/);
  });

  it('a list-valued axis takes a JSON array', () => {
    const grid = applyOverrides(base, { axes: ['target-modules=[["query_proj"],["query_proj","value_proj"]]'], fixed: {} });
    expect(expandGrid(grid).slice(0, 2).map((c) => c.values['target-modules'])).toEqual(['query_proj', 'query_proj+value_proj']);
  });
});

describe('presets', () => {
  it('smoke: tiny model, 2 synthetic tasks × 2 scorers × 2 seeds', () => {
    const cells = expandGrid(presetGrid('smoke'));
    expect(cells).toHaveLength(8);
    expect(new Set(cells.map((c) => c.options.task))).toEqual(new Set(['synth-sst2', 'synth-mrpc']));
    expect(new Set(cells.map((c) => c.options.scorer))).toEqual(new Set(['sensitivity', 'gsnr']));
    expect(new Set(cells.map((c) => c.options.seed))).toEqual(new Set([1, 2]));
    expect(cells.every((c) => c.options.model === 'tiny-deberta-v3')).toBe(true);
  });

  it('seed-study: the study grid with the seed-paper train preset (deberta-v3-base, r 16 → 8, 3 epochs)', () => {
    const cells = expandGrid(presetGrid('seed-study'));
    expect(cells).toHaveLength(10 * 5 * 3);
    expect(new Set(cells.map((c) => c.options.task))).toEqual(new Set(['mnli', 'sst2', 'cola', 'qqp', 'qnli', 'rte', 'mrpc', 'stsb', 'squad', 'squad_v2']));
    expect(new Set(cells.map((c) => c.options.scorer ?? 'lora'))).toEqual(new Set(['lora', 'sensitivity', 'movement', 'fisher', 'gsnr']));
    expect(cells.every((c) => c.options.preset === 'seed-paper')).toBe(true);
    expect(cells.filter((c) => c.options.method === 'lora')).toHaveLength(10 * 3);
  });
});

describe('manifest', () => {
  it('accepts the same grid again and refuses another one, naming the first differing cell', () => {
    const out = join(dir, 'sweep');
    const grid = readGridFile(gridFile('m.yaml', yamlGrid));
    writeOrCheckManifest(out, grid, expandGrid(grid));
    expect(writeOrCheckManifest(out, grid, expandGrid(grid)).cells).toHaveLength(8);
    const other = applyOverrides(grid, { fixed: { maxSteps: '21' } });
    expect(() => writeOrCheckManifest(out, other, expandGrid(other))).toThrow(/different grid \(cell 'task=synth-sst2,lr=0\.0005,seed=1' has arguments .*--max-steps 20.* there, .*--max-steps 21.* here\)/);
    const fewer = applyOverrides(grid, { axes: ['seed=1'] });
    expect(() => writeOrCheckManifest(out, fewer, expandGrid(fewer))).toThrow(/it has 8 cells, this grid has 4/);
  });
});
