import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // The two builds run concurrently: this clean must spare the testing entry's files.
    clean: ['!testing.*'],
    target: 'node20',
  },
  {
    // The conformance kit registers vitest suites; vitest is ESM, so this entry is ESM only.
    entry: ['src/testing.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
]);
