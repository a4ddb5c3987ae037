import type { FileHandle } from 'node:fs/promises';
import { UnsupportedInputError } from '@adalora/core';

/**
 * Reads `length` bytes at `position` into a fresh, exactly sized buffer (offset 0, so typed-array views
 * of it are aligned). Fails, naming `source`, if the file ends first (it was truncated while being read).
 */
export async function readRange(handle: FileHandle, position: number, length: number, source: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new UnsupportedInputError({
        source,
        expected: `${length} bytes at byte ${position}`,
        found: `only ${done} before the end of the file (truncated?)`,
      });
    }
    done += bytesRead;
  }
  return bytes;
}
