import { defineConfig, type Options } from 'tsup';

/**
 * The build every library package uses: ESM + CJS + `.d.ts` of `src/index.ts` for Node 20, with
 * sourcemaps, into a clean `dist/`. Packages pass only what differs (extra entries, bundled files).
 */
export function libraryConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...overrides,
  });
}
