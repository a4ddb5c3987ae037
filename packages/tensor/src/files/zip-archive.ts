import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { UnsupportedInputError } from '@adalora/core';
import { readRange } from './read-range.js';

/**
 * A minimal ZIP reader for `torch.save` archives: central directory (with ZIP64), STORED entries,
 * CRC-32 checked. Written by hand because the job is narrow and safety-critical: no extraction to
 * disk, entries read by byte range straight into tensor memory, and every path refused that a general
 * unzip library would happily resolve (`../x`, `/etc/x`, `C:\x`). Compressed entries are refused:
 * PyTorch never compresses (its tensor data must stay memory-mappable), so one means the file was
 * re-zipped by another tool.
 */

/** One entry of the central directory. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
}

/** An open archive: its entries by name, and what is needed to read them. */
export interface ZipArchive {
  readonly path: string;
  readonly entries: ReadonlyMap<string, ZipEntry>;
  readonly handle: FileHandle;
  /** Where the central directory starts: entry data must end before it. */
  readonly centralDirectoryOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const MAX_COMMENT = 0xffff;

function fail(source: string, expected: string, found: string): never {
  throw new UnsupportedInputError({ source, expected, found });
}

/** An entry name that stays inside the archive's folder: relative, no `..` segment, no backslash or NUL. */
export function isSafeEntryName(name: string): boolean {
  if (name === '' || name.startsWith('/') || /^[A-Za-z]:/.test(name) || /[\\\0]/.test(name)) return false;
  return !name.split('/').some((segment) => segment === '..');
}

function u64(view: DataView, offset: number, source: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(source, 'ZIP64 sizes and offsets below 2^53', String(value));
  return Number(value);
}

/** Reads the central directory of the ZIP file open as `handle`. */
export async function openZipArchive(handle: FileHandle, fileSize: number, path: string): Promise<ZipArchive> {
  const tailLength = Math.min(fileSize, 22 + MAX_COMMENT);
  const tail = await readRange(handle, fileSize - tailLength, tailLength, path);
  const tailView = new DataView(tail.buffer);
  let end = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    // The record ends the file: its comment length must account for exactly the bytes after it.
    if (tailView.getUint32(i, true) === END_OF_CENTRAL_DIRECTORY && i + 22 + tailView.getUint16(i + 20, true) === tailLength) {
      end = i;
      break;
    }
  }
  if (end < 0) fail(path, 'a ZIP archive (torch.save format) ending with an end-of-central-directory record', 'none (not a zip file, or truncated)');
  const endOffset = fileSize - tailLength + end;
  if (tailView.getUint16(end + 4, true) !== 0 || tailView.getUint16(end + 6, true) !== 0) {
    fail(path, 'a single-disk ZIP archive', 'a multi-disk (split) archive');
  }
  let count = tailView.getUint16(end + 10, true);
  let directorySize = tailView.getUint32(end + 12, true);
  let directoryOffset = tailView.getUint32(end + 16, true);
  let directoryLimit = endOffset;

  if (endOffset >= 20) {
    const locator = new DataView((await readRange(handle, endOffset - 20, 20, path)).buffer);
    if (locator.getUint32(0, true) === ZIP64_LOCATOR) {
      const recordOffset = u64(locator, 8, path);
      if (recordOffset + 56 > endOffset - 20) fail(path, 'a ZIP64 end-of-central-directory record before its locator', `offset ${recordOffset}, past the locator at byte ${endOffset - 20} (truncated or corrupt archive)`);
      const record = new DataView((await readRange(handle, recordOffset, 56, path)).buffer);
      if (record.getUint32(0, true) !== ZIP64_END_OF_CENTRAL_DIRECTORY) {
        fail(path, `a ZIP64 end-of-central-directory record at byte ${recordOffset}`, 'another signature (corrupt archive)');
      }
      count = u64(record, 32, path);
      directorySize = u64(record, 40, path);
      directoryOffset = u64(record, 48, path);
      directoryLimit = recordOffset;
    }
  }
  if (directoryOffset + directorySize > directoryLimit) {
    fail(path, `a central directory inside the file (before byte ${directoryLimit})`, `${directorySize} bytes at byte ${directoryOffset} (truncated or corrupt archive)`);
  }

  const directory = await readRange(handle, directoryOffset, directorySize, path);
  const view = new DataView(directory.buffer);
  const names = new TextDecoder('utf-8', { fatal: true });
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directorySize || view.getUint32(at, true) !== CENTRAL_FILE_HEADER) {
      fail(path, `${count} central directory entries`, `a corrupt entry #${i} at byte ${directoryOffset + at}`);
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const disk = view.getUint16(at + 34, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > directorySize) fail(path, `${count} central directory entries`, `entry #${i} running past the directory`);
    let name: string;
    try {
      name = names.decode(directory.subarray(at + 46, at + 46 + nameLength));
    } catch {
      fail(path, 'UTF-8 entry names', `entry #${i} with a name that is not UTF-8`);
    }
    const source = `${path}, zip entry '${name}'`;
    if (!isSafeEntryName(name)) fail(source, 'a relative entry path inside the archive (no absolute path, drive, backslash or ".." segment)', 'an unsafe path');
    if (entries.has(name)) fail(source, 'each entry name once', 'a duplicate entry');
    if ((flags & 1) !== 0) fail(source, 'an unencrypted entry', 'an encrypted entry');

    // ZIP64 extended information (header id 1) holds, in this order, each field saturated at 0xFFFFFFFF.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 1) {
        let field = extra + 4;
        const take = () => {
          if (field + 8 > extra + 4 + length) fail(source, 'a complete ZIP64 extra field', 'a short one');
          const value = u64(view, field, source);
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      extra += 4 + length;
    }
    if (disk !== 0 && disk !== 0xffff) fail(source, 'an entry on disk 0', `disk ${disk}`);
    entries.set(name, { name, method, compressedSize, size, crc32: crc, localHeaderOffset });
    at = next;
  }
  return { path, entries, handle, centralDirectoryOffset: directoryOffset };
}

/**
 * Reads one STORED entry into a fresh buffer (offset 0, so typed-array views of it are aligned) and
 * checks its CRC-32. The local header is checked against the central directory (same name), and the
 * data must lie before the central directory.
 */
export async function readZipEntry(archive: ZipArchive, entry: ZipEntry): Promise<Uint8Array> {
  const source = `${archive.path}, zip entry '${entry.name}'`;
  if (entry.method !== 0) {
    fail(source, 'an uncompressed (STORED) entry, as torch.save writes them', `compression method ${entry.method} (re-zipped by another tool? re-save with torch.save or convert to safetensors)`);
  }
  if (entry.compressedSize !== entry.size) fail(source, 'equal stored and uncompressed sizes for a STORED entry', `${entry.compressedSize} and ${entry.size}`);
  const local = await readRange(archive.handle, entry.localHeaderOffset, 30, source);
  const view = new DataView(local.buffer);
  if (view.getUint32(0, true) !== LOCAL_FILE_HEADER) fail(source, `a local file header at byte ${entry.localHeaderOffset}`, 'another signature (corrupt archive)');
  const nameLength = view.getUint16(26, true);
  const extraLength = view.getUint16(28, true);
  const localName = await readRange(archive.handle, entry.localHeaderOffset + 30, nameLength, source);
  if (Buffer.from(localName).toString('utf8') !== entry.name) fail(source, 'the same name in the local header as in the central directory', `'${Buffer.from(localName).toString('utf8')}'`);
  const dataOffset = entry.localHeaderOffset + 30 + nameLength + extraLength;
  if (dataOffset + entry.size > archive.centralDirectoryOffset) {
    fail(source, `${entry.size} bytes of data before the central directory at byte ${archive.centralDirectoryOffset}`, `data at byte ${dataOffset} running past it`);
  }
  const data = await readRange(archive.handle, dataOffset, entry.size, source);
  const actual = crc32(data) >>> 0;
  if (actual !== entry.crc32) {
    fail(source, `data with CRC-32 ${hex(entry.crc32)} (from the central directory)`, `${hex(actual)} (corrupt file)`);
  }
  return data;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
