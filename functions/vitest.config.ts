import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    include: ['test/**/*.test.ts'],
    // Bundling every handler with esbuild takes a few seconds on a small CI machine.
    testTimeout: 30_000,
  },
});
