import { defineConfig } from 'vitest/config';

/** The test settings every workspace shares; each package's vitest.config.ts re-exports them. */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Forks, not worker threads: the wasm backend starts pthread workers of its own.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
