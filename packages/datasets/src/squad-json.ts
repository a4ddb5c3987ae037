import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { UnsupportedInputError } from '@adalora/core';
import { firstInvalidUtf8 } from './byte-lines.js';
import { createAnswerChecker } from './squad-examples.js';
import type { SquadExample } from './squad-examples.js';
import { defaultWarningSink } from './warnings.js';
import type { WarningSink } from './warnings.js';

/** Options of `loadSquadJson`. */
export interface SquadJsonOptions {
  /** Warn when the file's `version` differs (`'1.1'` or `'v2.0'`), as the official v1.1 evaluator does. */
  readonly expectVersion?: string;
  readonly onWarning?: WarningSink;
}

/**
 * Reads an official SQuAD v1.1 / v2.0 JSON file (`{version, data: [{title, paragraphs: [{context, qas}]}]}`)
 * into one row per question, exactly as HF's `squad` / `squad_v2` loaders do (context not stripped,
 * `is_impossible` and `plausible_answers` dropped). Schema errors name the file and the JSON path and
 * question id; invalid UTF-8 names the line; answers whose `answer_start` misses their text are reported
 * (see `createAnswerChecker`). The largest official file (train-v2.0, 42 MB) parses in one go.
 */
export async function loadSquadJson(path: string, { expectVersion, onWarning = defaultWarningSink }: SquadJsonOptions = {}): Promise<SquadExample[]> {
  const bytes = await readFile(path);
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw new UnsupportedInputError({ source: `${path}:${line}`, expected: 'UTF-8 JSON', found: `invalid byte 0x${bytes[at]?.toString(16)} at byte offset ${at}` });
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UnsupportedInputError({ source: path, expected: 'SQuAD JSON', found: `invalid JSON (${(error as Error).message})` });
  }
  return squadRowsFromJson(json, path, { ...(expectVersion === undefined ? {} : { expectVersion }), onWarning });
}

/**
 * Flattens a parsed SQuAD JSON document (`{version, data: [{title, paragraphs: [{context, qas}]}]}`) into
 * one row per question, as HF's loaders do; `source` names the document in errors and warnings.
 */
export function squadRowsFromJson(json: unknown, source: string, { expectVersion, onWarning = defaultWarningSink }: SquadJsonOptions = {}): SquadExample[] {
  const path = source;
  const root = object(json, path, '(root)');
  if (expectVersion !== undefined && root['version'] !== expectVersion) {
    onWarning({ code: 'version-mismatch', source: path, message: `version is ${JSON.stringify(root['version'])}, expected '${expectVersion}'` });
  }
  const checker = createAnswerChecker(path, onWarning);
  const rows: SquadExample[] = [];
  array(root['data'], path, 'data').forEach((articleValue, a) => {
    const article = object(articleValue, path, `data[${a}]`);
    const title = article['title'] === undefined ? '' : string(article['title'], path, `data[${a}].title`);
    array(article['paragraphs'], path, `data[${a}].paragraphs`).forEach((paragraphValue, p) => {
      const where = `data[${a}].paragraphs[${p}]`;
      const paragraph = object(paragraphValue, path, where);
      const context = string(paragraph['context'], path, `${where}.context`);
      array(paragraph['qas'], path, `${where}.qas`).forEach((qaValue, q) => {
        const qa = object(qaValue, path, `${where}.qas[${q}]`);
        const id = string(qa['id'], path, `${where}.qas[${q}].id`);
        const at = `${where}.qas[${q}] (id '${id}')`;
        const text: string[] = [];
        const answerStart: number[] = [];
        array(qa['answers'], path, `${at}.answers`).forEach((answerValue, k) => {
          const answer = object(answerValue, path, `${at}.answers[${k}]`);
          text.push(string(answer['text'], path, `${at}.answers[${k}].text`));
          const start = answer['answer_start'];
          if (typeof start !== 'number' || !Number.isInteger(start) || start < 0) {
            throw new UnsupportedInputError({ source: `${path} ${at}.answers[${k}].answer_start`, expected: 'a non-negative integer', found: start === undefined ? 'nothing' : JSON.stringify(start) });
          }
          answerStart.push(start);
        });
        const row: SquadExample = { id, title, context, question: string(qa['question'], path, `${at}.question`), answers: { text, answer_start: answerStart } };
        checker.check(row);
        rows.push(row);
      });
    });
  });
  checker.finish();
  return rows;
}

function object(value: unknown, path: string, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnsupportedInputError({ source: `${path} ${where}`, expected: 'an object', found: describe(value) });
  }
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string, where: string): unknown[] {
  if (!Array.isArray(value)) throw new UnsupportedInputError({ source: `${path} ${where}`, expected: 'an array', found: describe(value) });
  return value;
}

function string(value: unknown, path: string, where: string): string {
  if (typeof value !== 'string') throw new UnsupportedInputError({ source: `${path} ${where}`, expected: 'a string', found: describe(value) });
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}
