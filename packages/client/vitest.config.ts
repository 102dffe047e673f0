import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    include: ['test/**/*.test.ts'],
    // These tests run real processes and sockets; a slow CI machine needs more than the 5 s default.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
