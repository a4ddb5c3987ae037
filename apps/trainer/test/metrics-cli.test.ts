import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli-helpers.js';

/** A two-question SQuAD file; expected values are worked out by hand with the official normalisation. */
function squadFiles(version: string) {
  const dir = tempDir('squad');
  const data = {
    version,
    data: [{ title: 'T', paragraphs: [{ context: 'The big cat sat on the mat.', qas: [
      { id: 'q1', question: 'Who sat?', answers: [{ text: 'The big cat', answer_start: 0 }], ...(version === 'v2.0' ? { is_impossible: false } : {}) },
      { id: 'q2', question: 'Where?', answers: [{ text: 'on the mat', answer_start: 16 }], ...(version === 'v2.0' ? { is_impossible: false } : {}) },
    ] }] }],
  };
  writeFileSync(join(dir, 'dev.json'), JSON.stringify(data));
  // q1: "big dog" vs "the big cat" → tokens [big, dog] vs [big, cat]: P = R = 1/2, F1 = 0.5, EM 0.
  // q2: "on the mat." normalises to "on mat" = gold → EM 1, F1 1. Totals: EM 50, F1 75 (percent, as the official script).
  writeFileSync(join(dir, 'pred.json'), JSON.stringify({ q1: 'big dog', q2: 'on the mat.' }));
  return dir;
}

describe('adalora metrics', () => {
  it('squad v1.1: the official keys and values', () => {
    const dir = squadFiles('1.1');
    const { code, stdout } = runCli(['metrics', 'squad', '--data', join(dir, 'dev.json'), '--predictions', join(dir, 'pred.json')]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.exact_match).toBeCloseTo(50, 10);
    expect(out.f1).toBeCloseTo(75, 10);
  });

  it('squad v2.0: exact/f1/total and the HasAns block', () => {
    const dir = squadFiles('v2.0');
    const { code, stdout } = runCli(['metrics', 'squad', '--data', join(dir, 'dev.json'), '--predictions', join(dir, 'pred.json')]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.exact).toBeCloseTo(50, 10);
    expect(out.f1).toBeCloseTo(75, 10);
    expect(out.total).toBe(2);
    expect(out.HasAns_total).toBe(2);
  });

  it('glue: CoLA Matthews correlation from prediction and reference files', () => {
    const dir = tempDir('glue');
    // TP 2, TN 1, FP 1, FN 0 → MCC = (2·1 − 1·0) / √(3·2·2·1) = 2/√12 = 0.5773502691896258
    writeFileSync(join(dir, 'pred.txt'), '1\n1\n0\n1\n');
    writeFileSync(join(dir, 'ref.json'), '[1, 1, 0, 0]');
    const { code, stdout } = runCli(['metrics', 'glue', '--task', 'cola', '--predictions', join(dir, 'pred.txt'), '--references', join(dir, 'ref.json')]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).matthews_correlation).toBeCloseTo(2 / Math.sqrt(12), 12);
  });

  it('names the file and line of a bad value, and a length mismatch (exit 2)', () => {
    const dir = tempDir('glue-bad');
    writeFileSync(join(dir, 'pred.txt'), '1\nx\n');
    writeFileSync(join(dir, 'ref.txt'), '1\n0\n');
    const bad = runCli(['metrics', 'glue', '--task', 'sst2', '--predictions', join(dir, 'pred.txt'), '--references', join(dir, 'ref.txt')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${join(dir, 'pred.txt')}:2: expected a number, found "x"`);
    writeFileSync(join(dir, 'short.txt'), '1\n');
    const short = runCli(['metrics', 'glue', '--task', 'sst2', '--predictions', join(dir, 'short.txt'), '--references', join(dir, 'ref.txt')]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('expected 2 predictions');
  });
});

describe('na_prob.json order', () => {
  it('keeps the file order of ids (JSON.parse would put integer-like ids first)', async () => {
    const { readOrderedProbabilities } = await import('../src/commands/metrics-command.js');
    const dir = tempDir('naprob');
    writeFileSync(join(dir, 'na.json'), '{"b": 0.5, "10": 0.1, "a\\"x": 0.2, "2": 0.3}');
    expect([...readOrderedProbabilities(join(dir, 'na.json')).keys()]).toEqual(['b', '10', 'a"x', '2']);
    writeFileSync(join(dir, 'bad.json'), '{"q": "high"}');
    expect(() => readOrderedProbabilities(join(dir, 'bad.json'))).toThrow(`${join(dir, 'bad.json')}: 'q': expected a number, found "high"`);
  });
});
