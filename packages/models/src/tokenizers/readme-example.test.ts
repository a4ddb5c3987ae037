import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';
import { loadTokenizer } from './load-tokenizer.js';

it('README example', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const folder = join(fileURLToPath(new URL('./__fixtures__/', import.meta.url)), 'deberta-v3-tiny-spm');
  // --- README example start (with the fixture folder) ---
  const tokenizer = await loadTokenizer(folder);
  const question = 'What is the license?';
  const context = 'The GNU General Public License is a free, copyleft license for software.';
  const enc = await tokenizer.encode(question, context, {
    maxLength: 24,
    truncation: 'only_second',
    stride: 4,
    returnOverflowing: true,
    padding: 'max_length',
  });
  for (const window of [enc, ...enc.overflowing]) {
    const spans = window.offsets.filter((_, i) => window.sequenceIds[i] === 1).map(([start, end]) => context.slice(start, end));
    console.log(window.ids.length, spans.join('|'));
  }
  // --- README example end ---
  const lines = log.mock.calls.map((c) => c.join(' '));
  log.mockRestore();
  expect(lines.length).toBe(1 + enc.overflowing.length);
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines) expect(line.startsWith('24 ')).toBe(true);
  // Metaspace offsets include the space before a word: the first window starts with the context's first word.
  expect(lines[0]?.slice(3).startsWith('The| GNU')).toBe(true);
  expect(lines.at(-1)?.endsWith('.')).toBe(true);
});
