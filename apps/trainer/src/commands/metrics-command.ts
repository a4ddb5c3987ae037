import { readFileSync } from 'node:fs';
import { UnsupportedInputError } from '@adalora/core';
import { glueMetric, loadSquadJson, squadV1Metric, squadV2Metric, tasks } from '@adalora/datasets';
import { readJson } from '../run/run-folder.js';

/**
 * `adalora metrics squad`: the official SQuAD evaluation. v2.0 when the data file says so (or when
 * `--na-prob` is given), else v1.1; JSON with the official script's keys and values.
 */
export async function squadMetricsCommand(args: { data: string; predictions: string; naProb?: string }): Promise<Record<string, unknown>> {
  const version = (readJson<{ version?: string }>(args.data, 'a SQuAD JSON file').version ?? '').toString();
  const examples = await loadSquadJson(args.data);
  const predictions = readJson<Record<string, string>>(args.predictions, 'a predictions JSON object (question id → answer text)');
  if (typeof predictions !== 'object' || predictions === null || Array.isArray(predictions)) {
    throw new UnsupportedInputError({ source: args.predictions, expected: 'a JSON object mapping question ids to answer texts' });
  }
  if (version.startsWith('v2') || args.naProb !== undefined) {
    const naProbs = args.naProb === undefined ? undefined : readOrderedProbabilities(args.naProb);
    return { ...squadV2Metric(examples, predictions, naProbs === undefined ? {} : { naProbs }) };
  }
  return { ...squadV1Metric(examples, predictions) };
}

/**
 * Reads `na_prob.json` (question id → probability) keeping the file's key order: the official
 * best-threshold search breaks ties in that order, and `JSON.parse` would move integer-like ids first.
 */
export function readOrderedProbabilities(path: string): Map<string, number> {
  const parsed = readJson<Record<string, unknown>>(path, 'a JSON object of question id → no-answer probability');
  const text = readFileSync(path, 'utf8');
  const ordered = new Map<string, number>();
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) {
    const id = JSON.parse(`"${match[1] as string}"`) as string;
    const value = parsed[id];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new UnsupportedInputError({ source: `${path}: '${id}'`, expected: 'a number', found: JSON.stringify(value) });
    ordered.set(id, value);
  }
  if (ordered.size !== Object.keys(parsed).length) throw new UnsupportedInputError({ source: path, expected: 'a flat JSON object of question id → number' });
  return ordered;
}

/** Reads predictions or references: a JSON array of numbers, or one number per line. */
export function readNumbers(path: string): number[] {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) {
    const parsed = readJson<unknown[]>(path, 'a JSON array of numbers');
    return parsed.map((value, i) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new UnsupportedInputError({ source: `${path}[${i}]`, expected: 'a number', found: JSON.stringify(value) });
      return value;
    });
  }
  return text.split(/\r?\n/).map((line, i) => {
    const value = Number(line.trim());
    if (line.trim() === '' || !Number.isFinite(value)) throw new UnsupportedInputError({ source: `${path}:${i + 1}`, expected: 'a number', found: JSON.stringify(line) });
    return value;
  });
}

/** `adalora metrics glue`: the GLUE metric of a task (HF `evaluate` keys). */
export function glueMetricsCommand(args: { task: string; predictions: string; references: string }): Record<string, unknown> {
  const spec = tasks.resolve(args.task);
  if (spec.metric.kind !== 'glue') throw new UnsupportedInputError({ source: `--task ${args.task}`, expected: 'a GLUE-format task', found: `a ${spec.kind} task (use adalora metrics squad)` });
  const predictions = readNumbers(args.predictions);
  const references = readNumbers(args.references);
  if (predictions.length !== references.length) {
    throw new UnsupportedInputError({ source: args.predictions, expected: `${references.length} predictions (one per reference in ${args.references})`, found: String(predictions.length) });
  }
  return { ...glueMetric(spec.metric.config, predictions, references) };
}
