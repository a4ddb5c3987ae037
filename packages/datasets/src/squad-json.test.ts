import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSquadJson } from './squad-json.js';
import { fixturePath, readJsonl } from './testing/fixtures.js';
import type { DataWarning } from './warnings.js';

function temp(content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'adalora-squad-')), 'dev.json');
  writeFileSync(path, content);
  return path;
}

describe('SQuAD JSON loader equals the official HF loader on every fixture', () => {
  for (const [file, expected, version] of [
    ['train-v1.1.json', 'squad/train', '1.1'],
    ['dev-v1.1.json', 'squad/validation', '1.1'],
    ['train-v2.0.json', 'squad_v2/train', 'v2.0'],
    ['dev-v2.0.json', 'squad_v2/validation', 'v2.0'],
  ] as const) {
    it(`${file}`, async () => {
      const warnings: DataWarning[] = [];
      const rows = await loadSquadJson(fixturePath(`squad/${file}`), { expectVersion: version, onWarning: (w) => warnings.push(w) });
      expect(rows).toEqual(readJsonl(`expected/${expected}.jsonl`));
      expect(warnings).toEqual([]);
    });
  }
});

const doc = (answers: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: '1.1', data: [{ title: 'T', paragraphs: [{ context: 'Ada 🙂 built the mill.', qas: [{ id: 'q1', question: 'Who?', answers, ...extra }] }] }] });

describe('SQuAD JSON bad input', () => {
  it('answer_start counts code points: after an emoji the JS index is one more, and that is not a mismatch', async () => {
    const warnings: DataWarning[] = [];
    const rows = await loadSquadJson(temp(doc([{ text: 'built', answer_start: 6 }])), { onWarning: (w) => warnings.push(w) });
    expect(rows[0]?.answers).toEqual({ text: ['built'], answer_start: [6] });
    expect(warnings).toEqual([]);
  });
  it('an answer_start that misses its text is reported with the question id (and kept, as HF keeps it)', async () => {
    const warnings: DataWarning[] = [];
    const rows = await loadSquadJson(temp(doc([{ text: 'built', answer_start: 7 }])), { onWarning: (w) => warnings.push(w) });
    expect(rows).toHaveLength(1);
    expect(warnings).toMatchObject([{ code: 'answer-start-mismatch', ids: ['q1 (answer 0)'] }]);
  });
  it('schema errors name the file, the JSON path and the question id', async () => {
    await expect(loadSquadJson(temp(doc([{ text: 'Ada' }])))).rejects.toThrow(/dev\.json data\[0\]\.paragraphs\[0\]\.qas\[0\] \(id 'q1'\)\.answers\[0\]\.answer_start: expected a non-negative integer, found nothing/);
    await expect(loadSquadJson(temp('{"data": {}}'))).rejects.toThrow(/dev\.json data: expected an array, found object/);
    await expect(loadSquadJson(temp('{"data": [}'))).rejects.toThrow(/dev\.json: expected SQuAD JSON, found invalid JSON/);
  });
  it('invalid UTF-8 names the line', async () => {
    const bytes = Buffer.concat([Buffer.from('{\n"version": "'), Buffer.from([0xff]), Buffer.from('"}')]);
    await expect(loadSquadJson(temp(bytes))).rejects.toThrow(/dev\.json:2: expected UTF-8 JSON, found invalid byte 0xff/);
  });
  it('a version other than the expected one is a warning', async () => {
    const warnings: DataWarning[] = [];
    await loadSquadJson(temp(doc([{ text: 'Ada', answer_start: 0 }])), { expectVersion: 'v2.0', onWarning: (w) => warnings.push(w) });
    expect(warnings).toMatchObject([{ code: 'version-mismatch' }]);
  });
});
