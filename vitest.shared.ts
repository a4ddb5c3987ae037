import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration every package uses: colocated `src/**\/*.test.ts` files, Node environment,
 * and under CI a JSON report in `.vitest/results.json` that `scripts/test-summary.mjs` adds up.
 */
export function packageConfig(overrides: { testTimeout?: number } = {}) {
  const ci = Boolean(process.env.CI);
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      reporters: ci ? ['default', 'json'] : ['default'],
      ...(ci ? { outputFile: { json: '.vitest/results.json' } } : {}),
    },
  });
}
