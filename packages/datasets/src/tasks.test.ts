import { describe, expect, it } from 'vitest';
import { InvalidConfigError, UnknownImplementationError } from '@adalora/core';
import { loadTaskSplit } from './task-data.js';
import { tasks } from './tasks.js';
import { fixturePath, readJsonl } from './testing/fixtures.js';

describe('task registry', () => {
  it('knows the GLUE tasks, SQuAD and the synthetic tasks', () => {
    expect(tasks.ids()).toEqual(['cola', 'sst2', 'mrpc', 'qqp', 'stsb', 'mnli', 'qnli', 'rte', 'wnli', 'squad', 'squad_v2', 'synth-sst2', 'synth-mrpc', 'synth-stsb', 'synth-squad']);
  });
  it('an unknown --task lists the known ones and suggests the near one', () => {
    expect(() => tasks.resolve('sst-2')).toThrow(UnknownImplementationError);
    expect(() => tasks.resolve('sst-2')).toThrow(/Did you mean 'sst2'/);
  });
  it('describes kind, labels, columns, splits and metric as data-formats.md §1.3–1.5 says', () => {
    expect(tasks.get('wnli')).toMatchObject({ kind: 'pair-classification', numLabels: 2, labelNames: ['not_entailment', 'entailment'], textColumns: ['sentence1', 'sentence2'] });
    expect(tasks.get('rte').labelNames).toEqual(['entailment', 'not_entailment']);
    expect(tasks.get('mnli')).toMatchObject({ numLabels: 3, textColumns: ['premise', 'hypothesis'], evalSplits: ['validation_matched', 'validation_mismatched'], maxSeqLength: 256 });
    expect(tasks.get('mnli').splits).toContain('test_mismatched');
    expect(tasks.get('stsb')).toMatchObject({ kind: 'regression', numLabels: 1, labelNames: null, metric: { kind: 'glue', config: 'stsb' }, primaryMetric: 'pearson' });
    expect(tasks.get('cola')).toMatchObject({ kind: 'single-classification', textColumns: ['sentence'], primaryMetric: 'matthews_correlation', maxSeqLength: 64 });
    expect(tasks.get('qnli').textColumns).toEqual(['question', 'sentence']);
    expect(tasks.get('squad_v2')).toMatchObject({ kind: 'qa', metric: { kind: 'squad_v2' }, maxSeqLength: 384, docStride: 128 });
    expect(tasks.get('synth-squad').metric).toEqual({ kind: 'squad_v2' });
  });
});

describe('loadTaskSplit', () => {
  it('loads GLUE from the TSV folder or the hub parquet, SQuAD from JSON or parquet, synthetic from the seed', async () => {
    const expected = readJsonl('expected/glue/mnli/validation_mismatched.jsonl');
    expect(await loadTaskSplit('mnli', 'validation_mismatched', { glueDir: fixturePath('glue') })).toEqual({ kind: 'glue', rows: expected });
    expect(await loadTaskSplit('mnli', 'validation_mismatched', { hubRoot: fixturePath('hub_parquet/nyu-mll__glue') })).toEqual({ kind: 'glue', rows: expected });
    const squad = readJsonl('expected/squad_v2/validation.jsonl');
    expect(await loadTaskSplit('squad_v2', 'validation', { squadDir: fixturePath('squad') })).toEqual({ kind: 'qa', rows: squad });
    expect(await loadTaskSplit('squad_v2', 'validation', { hubRoot: fixturePath('hub_parquet/rajpurkar__squad_v2') })).toEqual({ kind: 'qa', rows: squad });
    const synth = await loadTaskSplit('synth-squad', 'train', { seed: 3, size: 10 });
    expect(synth.kind).toBe('qa');
    expect(synth.rows).toHaveLength(10);
    expect((await loadTaskSplit('synth-sst2', 'test', { size: 5 })).rows).toHaveLength(5);
  });
  it('a missing source or a wrong split says what is needed', async () => {
    await expect(loadTaskSplit('qqp', 'train')).rejects.toThrow(/glueDir.*unzipped GLUE folder.*hubRoot.*nyu-mll\/glue/);
    await expect(loadTaskSplit('squad', 'train')).rejects.toThrow(/squadDir.*train-v1\.1\.json and dev-v1\.1\.json.*rajpurkar\/squad/);
    await expect(loadTaskSplit('mnli', 'validation')).rejects.toThrow(InvalidConfigError);
  });
});
