import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, readByteLines, tabFields } from './byte-lines.js';

async function lines(content: string | Buffer, chunkSize: number): Promise<Array<[number, string]>> {
  const path = join(mkdtempSync(join(tmpdir(), 'adalora-lines-')), 'f.txt');
  writeFileSync(path, content);
  const out: Array<[number, string]> = [];
  for await (const { line, bytes } of readByteLines(path, { chunkSize })) out.push([line, bytes.toString('utf8')]);
  return out;
}

describe('readByteLines', () => {
  it('ends lines at \\n, \\r and \\r\\n (also when \\r\\n straddles a chunk boundary), whatever the chunk size', async () => {
    const text = '\uFEFFa\r\nb\rc\n\nd\r\n\r\né😀\r';
    const expected: Array<[number, string]> = [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, ''],
      [5, 'd'],
      [6, ''],
      [7, 'é😀'],
    ];
    for (const chunkSize of [1, 2, 3, 5, 64]) expect(await lines(text, chunkSize)).toEqual(expected);
  });
  it('keeps an unterminated last line and yields nothing for an empty file', async () => {
    expect(await lines('x\ny', 4)).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
    expect(await lines('', 4)).toEqual([]);
  });
  it('finds the first invalid UTF-8 byte (overlong, surrogate, truncated)', () => {
    expect(firstInvalidUtf8(Buffer.from('abc'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // truncated
    expect(firstInvalidUtf8(Buffer.from('é😀'))).toBe(-1);
  });
  it('splits on every tab, keeping empty fields', () => {
    expect(tabFields(Buffer.from('a\t\tb\t'))).toEqual([
      [0, 1],
      [2, 2],
      [3, 4],
      [5, 5],
    ]);
  });
});
