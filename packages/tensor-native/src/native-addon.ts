import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions of the compiled addon (native/addon.c). Offsets are bytes into `heap`; strides are in floats. */
export interface NativeAddon {
  load(path: string): { config: string; threads: number };
  gemm(heap: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number, batch: number,
    aOffset: number, aStride: number, bOffset: number, bStride: number, cOffset: number): void;
  epilogue(heap: ArrayBuffer, cOffset: number, rows: number, n: number, biasOffset: number, biasMode: number,
    activation: number, alpha: number, preluOffset: number, preluMode: number): void;
  /** op: 0 exp, 1 erf, 2 gelu. */
  unary(heap: ArrayBuffer, op: number, xOffset: number, yOffset: number, n: number): void;
  sum(heap: ArrayBuffer, xOffset: number, outOffset: number, outer: number, reduce: number, inner: number): void;
  layerNorm(heap: ArrayBuffer, xOffset: number, gammaOffset: number, betaOffset: number, eps: number, rows: number, cols: number,
    yOffset: number, meanOffset: number, rstdOffset: number): void;
  layerNormGrad(heap: ArrayBuffer, dyOffset: number, xOffset: number, meanOffset: number, rstdOffset: number, gammaOffset: number,
    rows: number, cols: number, dxOffset: number, dgammaOffset: number, dbetaOffset: number): void;
  geluGrad(heap: ArrayBuffer, dyOffset: number, xOffset: number, dxOffset: number, n: number): void;
  softmaxGrad(heap: ArrayBuffer, dyOffset: number, yOffset: number, rows: number, cols: number, dxOffset: number): void;
  /** Returns -1 - i for the first index i out of range, else 0. */
  gather(heap: ArrayBuffer, xOffset: number, indicesOffset: number, count: number, outer: number, axis: number, inner: number, outOffset: number): number;
  scatterAdd(heap: ArrayBuffer, srcOffset: number, indicesOffset: number, count: number, outer: number, axis: number, inner: number, outOffset: number): void;
}

/** OpenBLAS as loaded: the path that worked, its build configuration and thread count. */
export interface LoadedBlas {
  library: string;
  config: string;
  threads: number;
}

/** The environment variable naming the OpenBLAS library to load (a path or a soname). */
export const openBlasEnvVar = 'ADALORA_OPENBLAS';

/** Sonames tried in order when neither the option nor the environment variable names a library. */
export const defaultOpenBlasNames = ['libopenblas.so.0', 'libopenblas.so', 'libopenblas.0.dylib', 'libopenblas.dylib'] as const;

const here = dirname(fileURLToPath(import.meta.url));
/** dist/index.js finds the addon beside it; the sources (under vitest) find it in ../dist. */
const addonCandidates = [join(here, 'tensor_native.node'), join(here, '..', 'dist', 'tensor_native.node')];

/** The addon and, when it could be loaded, OpenBLAS; otherwise why not. */
export type NativeLoad =
  | { addon: NativeAddon; blas: LoadedBlas; blasReason?: undefined }
  | { addon: NativeAddon; blas: null; blasReason: string }
  | { addon: null; reason: string };

let addonCache: NativeAddon | undefined;
let blasCache: LoadedBlas | undefined;

/**
 * Loads the compiled addon and, through it, OpenBLAS (`dlopen`, so no BLAS is needed to build). Returns the
 * addon and library, or one-line reasons why either is unavailable. OpenBLAS stays loaded for the process:
 * later calls return the first library loaded whatever they name.
 */
export function loadNative(library?: string): NativeLoad {
  if (addonCache === undefined) {
    const file = addonCandidates.find((path) => existsSync(path));
    if (file === undefined) return { addon: null, reason: 'the native addon was not built (no C compiler, make, python3 or Node headers when the package was built)' };
    try {
      addonCache = createRequire(import.meta.url)(file) as NativeAddon;
    } catch (error) {
      return { addon: null, reason: `the native addon ${file} could not be loaded: ${firstLine(error)}` };
    }
  }
  const addon = addonCache;
  if (blasCache !== undefined) return { addon, blas: blasCache };
  const named = library ?? process.env[openBlasEnvVar];
  const names = named !== undefined && named !== '' ? [named] : [...defaultOpenBlasNames];
  const failures: string[] = [];
  for (const name of names) {
    try {
      const { config, threads } = addon.load(name);
      blasCache = { library: name, config, threads };
      return { addon, blas: blasCache };
    } catch (error) {
      failures.push(firstLine(error));
    }
  }
  const source = named !== undefined && named !== '' ? `${named} (from ${library !== undefined ? 'the library option' : openBlasEnvVar})` : names.join(', ');
  return { addon, blas: null, blasReason: `OpenBLAS could not be loaded from ${source}: ${failures[0] ?? 'not found'}` };
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}
