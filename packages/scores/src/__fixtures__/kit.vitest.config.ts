import { defineConfig } from 'vitest/config';

/** Runs only broken-scorers.kit.ts (see conformance-kit.test.ts). */
export default defineConfig({
  test: { include: ['src/__fixtures__/broken-scorers.kit.ts'], environment: 'node' },
});
