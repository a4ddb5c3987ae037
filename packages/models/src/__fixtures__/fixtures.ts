import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '@adalora/tensor';
import { parseModelConfig } from '../config/model-config.js';
import type { ModelSpec } from '../model.js';
import type { StateDict } from '../weights/weight-loader.js';

/** A recorded array: shape, dtype and row-major values. */
export interface Recorded {
  readonly shape: number[];
  readonly dtype: string;
  readonly data: number[];
}

/** Absolute path of a file or folder in `src/__fixtures__`. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}

/** `inputs.json` of a fixture model folder. */
export function fixtureInputs(model: string): Record<string, Recorded> {
  return JSON.parse(readFileSync(fixturePath(`${model}/inputs.json`), 'utf8')) as Record<string, Recorded>;
}

/** The float32 outputs of `expected.json`. */
export function fixtureExpected(model: string): Record<string, Recorded> {
  return (JSON.parse(readFileSync(fixturePath(`${model}/expected.json`), 'utf8')) as { float32: Record<string, Recorded> }).float32;
}

/** Config and tensors of a checkpoint folder of a fixture (`deberta-v3-tiny/seqcls`). */
export async function fixtureCheckpoint(folder: string, file = 'model.safetensors'): Promise<{ spec: ModelSpec; stateDict: StateDict }> {
  const spec = parseModelConfig(JSON.parse(readFileSync(fixturePath(`${folder}/config.json`), 'utf8')), `${folder}/config.json`);
  const { tensors } = await readSafetensors(fixturePath(`${folder}/${file}`));
  return { spec, stateDict: tensors };
}

/** Row-major [B, L, ...] values as nested number rows `[B][L]` (for ids and masks). */
export function rows(r: Recorded): number[][] {
  const [b, l] = r.shape as [number, number];
  return Array.from({ length: b }, (_, i) => r.data.slice(i * l, (i + 1) * l));
}

/**
 * Largest |actual − expected| over the positions whose attention-mask value is 1, for arrays whose
 * leading axes are [B, L] (or `[layers, B, L, ...]` with `leading` 1). `mask` is the flat [B, L] mask.
 */
export function maxDiffValidRows(actual: ArrayLike<number>, expected: Recorded, mask: number[], options: { leading?: number; axis?: 'query' } = {}): number {
  const shape = expected.shape;
  const lead = options.leading ?? 0;
  const outer = shape.slice(0, lead).reduce((a, b) => a * b, 1);
  const [b, l] = shape.slice(lead, lead + 2) as [number, number];
  const inner = shape.slice(lead + 2).reduce((a, c) => a * c, 1);
  if (actual.length !== expected.data.length) throw new Error(`size ${actual.length} ≠ expected ${expected.data.length}`);
  let worst = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < b; i++) {
      for (let t = 0; t < l; t++) {
        if (mask[i * l + t] !== 1) continue;
        const base = ((o * b + i) * l + t) * inner;
        for (let k = 0; k < inner; k++) worst = Math.max(worst, Math.abs((actual[base + k] as number) - (expected.data[base + k] as number)));
      }
    }
  }
  return worst;
}

/** Largest |actual − expected| over every element. */
export function maxDiff(actual: ArrayLike<number>, expected: Recorded): number {
  if (actual.length !== expected.data.length) throw new Error(`size ${actual.length} ≠ expected ${expected.data.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected.data[i] as number)));
  return worst;
}

/** Largest |actual − expected| of attention probabilities `[B, nh, L, L]` over the rows of real query tokens. */
export function maxDiffAttentionRows(actual: ArrayLike<number>, expected: Recorded, mask: number[]): number {
  const [b, nh, l] = expected.shape as [number, number, number, number];
  if (actual.length !== expected.data.length) throw new Error(`size ${actual.length} ≠ expected ${expected.data.length}`);
  let worst = 0;
  for (let i = 0; i < b; i++) {
    for (let h = 0; h < nh; h++) {
      for (let q = 0; q < l; q++) {
        if (mask[i * l + q] !== 1) continue;
        for (let k = 0; k < l; k++) {
          const idx = ((i * nh + h) * l + q) * l + k;
          worst = Math.max(worst, Math.abs((actual[idx] as number) - (expected.data[idx] as number)));
        }
      }
    }
  }
  return worst;
}
