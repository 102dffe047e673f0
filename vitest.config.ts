import { defineConfig } from 'vitest/config';

// One test command for the whole monorepo: each workspace package is a project
// with its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'functions', 'game-server', 'infra'],
  },
});
