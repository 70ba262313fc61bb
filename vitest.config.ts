import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Browser tests share one Chromium at a time on a 2-core machine.
    fileParallelism: false,
  },
});
