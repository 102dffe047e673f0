import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // The workflow parser imports its JSON schema without an import attribute, which Node's own ESM
    // loader refuses; letting Vite load the package handles the JSON import.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
