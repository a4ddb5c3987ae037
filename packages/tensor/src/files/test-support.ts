// Helpers shared by the tensor-file tests (not part of the package: nothing in src/index.ts imports this).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import type { TensorData } from './tensor-file.js';

/** `src/files/__fixtures__/` (see the README there for where each file comes from). */
export const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

/** The golden checkpoints of the project's shared reference data, when this checkout has them. */
export const sharedModels = '/work/shared/reference/models';
export const hasSharedModels = existsSync(join(sharedModels, 'README.md'));

interface ManifestFile {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; sha256: string }>;
}

/** `manifest.json`, written by `make_fixtures.py` (numpy decodes each tensor; see its docstring). */
export const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as {
  reference: Record<string, ManifestFile>;
  fixtures: Record<string, ManifestFile>;
};

/** SHA-256 of a typed array's bytes (little-endian on every supported host), to compare with the manifest. */
export function sha256(data: TensorData): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/** A fresh temporary directory, removed after the current test. */
export async function temporaryDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'adalora-tensor-files-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A safetensors file built byte by byte: 8-byte little-endian header length (or `declaredLength`),
 * the header text as given (no padding unless it is in the text), then `data`.
 */
export function safetensorsBytes(header: string | object, data: Uint8Array = new Uint8Array(), declaredLength?: bigint): Uint8Array {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(declaredLength ?? BigInt(text.length));
  return Buffer.concat([length, text, data]);
}
