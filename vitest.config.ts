import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Quiet handler logs in tests; the privacy test turns them up to DEBUG to read them.
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
  },
});
