import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import { describe, expect, it } from 'vitest';
import { fixtures, temporaryDirectory, zipBytes } from './test-support.js';
import { isSafeEntryName, openZipArchive, readZipEntry } from './zip-archive.js';

async function withArchive<T>(bytes: Uint8Array, use: (archive: Awaited<ReturnType<typeof openZipArchive>>, path: string) => Promise<T>): Promise<T> {
  const path = join(await temporaryDirectory(), 'a.zip');
  await writeFile(path, bytes);
  const handle = await open(path, 'r');
  try {
    return await use(await openZipArchive(handle, bytes.length, path), path);
  } finally {
    await handle.close();
  }
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(UnsupportedInputError.isInstance(error), String(error)).toBe(true);
  return (error as Error).message;
}

describe('zip archive reader', () => {
  it.each([
    ['archive/data.pkl', true],
    ['pytorch_model/data/12', true],
    ['a/.data/serialization_id', true],
    ['a/..b/c', true], // '..b' is an ordinary name
    ['../evil', false],
    ['a/../../evil', false],
    ['a/..', false],
    ['/etc/passwd', false],
    ['C:/evil', false],
    ['c:evil', false],
    ['a\\..\\evil', false],
    ['a\0b', false],
    ['', false],
  ])('isSafeEntryName(%j) = %s', (name, safe) => {
    expect(isSafeEntryName(name)).toBe(safe);
  });

  it('reads the directory of the golden torch.save file (ZIP64 end record, 64-byte aligned data)', async () => {
    const handle = await open(join(fixtures, 'deberta-v3-tiny-seqcls/pytorch_model.bin'), 'r');
    try {
      const archive = await openZipArchive(handle, (await handle.stat()).size, 'pytorch_model.bin');
      expect(archive.entries.size).toBe(44); // data.pkl, version, 42 storages (Python's zipfile lists the same)
      expect(archive.entries.get('pytorch_model/data/0')).toMatchObject({ size: 16384, method: 0, localHeaderOffset: 7983 });
      expect(Buffer.from(await readZipEntry(archive, archive.entries.get('pytorch_model/version')!)).toString()).toBe('3\n');
    } finally {
      await handle.close();
    }
  });

  it('reads ZIP64 central entries (sizes and offset in the extra field)', async () => {
    const bytes = zipBytes([{ name: 'x/a', data: Buffer.from('hello') }, { name: 'x/b', data: Buffer.from('world!') }], { zip64: true });
    await withArchive(bytes, async (archive) => {
      expect(archive.entries.get('x/b')).toMatchObject({ size: 6, compressedSize: 6, localHeaderOffset: 38 });
      expect(Buffer.from(await readZipEntry(archive, archive.entries.get('x/b')!)).toString()).toBe('world!');
    });
  });

  it('refuses duplicate names and a local header that disagrees with the directory', async () => {
    const duplicate = zipBytes([{ name: 'x/a', data: Buffer.from('1') }, { name: 'x/a', data: Buffer.from('2') }]);
    expect(await messageOf(withArchive(duplicate, async () => undefined))).toMatch(/, zip entry 'x\/a': expected each entry name once, found a duplicate entry$/);
    const mismatch = zipBytes([{ name: 'x/a', data: Buffer.from('1'), localName: '../a' }]);
    expect(
      await messageOf(withArchive(mismatch, (archive) => readZipEntry(archive, archive.entries.get('x/a')!))),
    ).toMatch(/, zip entry 'x\/a': expected the same name in the local header as in the central directory, found '\.\.\/a'$/);
  });

  it('refuses encrypted entries', async () => {
    const bytes = Buffer.from(zipBytes([{ name: 'x/a', data: Buffer.from('1') }]));
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt16LE(1, central + 8); // general purpose flag bit 0: encrypted
    expect(await messageOf(withArchive(bytes, async () => undefined))).toMatch(/, zip entry 'x\/a': expected an unencrypted entry, found an encrypted entry$/);
  });
});
