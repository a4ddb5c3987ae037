import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { UnsupportedInputError } from '@adalora/core';

/** One physical line of a text file, without its terminator. */
export interface ByteLine {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The line's bytes (a view into the read buffer: copy or decode it before the next iteration). */
  readonly bytes: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Streams a file's lines as bytes, ending lines the way Python's text mode does (universal newlines:
 * `\r\n`, `\r` and `\n` each end a line), dropping a UTF-8 byte-order mark at the start of the file, and
 * checking every line is valid UTF-8 (an error names the file, line and byte column otherwise).
 * Only one read chunk (1 MiB by default) plus one partial line is held at a time.
 */
export async function* readByteLines(path: string, { chunkSize = 1 << 20 }: { chunkSize?: number } = {}): AsyncGenerator<ByteLine> {
  let carry: Buffer | null = null;
  let line = 0;
  let first = true;
  const stream = createReadStream(path, { highWaterMark: chunkSize });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
      carry = null;
      if (first) {
        // Wait until 3 bytes are there to decide about a byte-order mark.
        if (buf.length < 3 && BOM.subarray(0, buf.length).equals(buf)) {
          carry = Buffer.from(buf);
          continue;
        }
        first = false;
        if (buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
      }
      let pos = 0;
      let nextLf = buf.indexOf(LF, 0);
      let nextCr = buf.indexOf(CR, 0);
      while (pos < buf.length) {
        if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(LF, pos);
        if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
        const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
        if (end === -1) break;
        // A CR at the very end of the buffer may be the first half of CRLF: wait for the next chunk.
        if (end === nextCr && end === buf.length - 1) break;
        const bytes = buf.subarray(pos, end);
        line++;
        checkUtf8(path, line, bytes);
        yield { line, bytes };
        pos = end + (end === nextCr && buf[end + 1] === LF ? 2 : 1);
      }
      if (pos < buf.length) carry = Buffer.from(buf.subarray(pos));
    }
    if (carry !== null && carry.length > 0) {
      // A trailing lone CR ends the last line; anything else is an unterminated last line.
      const bytes = carry[carry.length - 1] === CR ? carry.subarray(0, carry.length - 1) : carry;
      line++;
      checkUtf8(path, line, bytes);
      yield { line, bytes };
    }
  } finally {
    stream.destroy();
  }
}

function checkUtf8(path: string, line: number, bytes: Buffer): void {
  if (isUtf8(bytes)) return;
  const at = firstInvalidUtf8(bytes);
  const hex = [...bytes.subarray(at, at + 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new UnsupportedInputError({ source: `${path}:${line}`, expected: 'UTF-8 text', found: `invalid byte(s) ${hex} at byte ${at + 1} of the line` });
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c === undefined || c < min || c > max) return i;
    }
    i += length;
  }
  return -1;
}

/** Start/end byte offsets of the tab-separated fields of a line (no quoting: `"` is an ordinary character). */
export function tabFields(bytes: Buffer): Array<[number, number]> {
  const fields: Array<[number, number]> = [];
  let start = 0;
  for (;;) {
    const tab = bytes.indexOf(0x09, start);
    if (tab === -1) {
      fields.push([start, bytes.length]);
      return fields;
    }
    fields.push([start, tab]);
    start = tab + 1;
  }
}
