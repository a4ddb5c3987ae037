import { defineConfig } from 'vitest/config';

/** One vitest process over every package, for the local loop and IDEs (CI goes through turbo). */
export default defineConfig({ test: { projects: ['packages/*', 'apps/*'] } });
