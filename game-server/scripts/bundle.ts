import { buildSync } from 'esbuild';

/**
 * Bundles the game server into one ESM file for Node 22 (what the container
 * image runs): dist/main.mjs. `pnpm --filter @matchmaking/game-server build`.
 */
const here = new URL('..', import.meta.url).pathname;
buildSync({
  entryPoints: [`${here}src/main.ts`],
  outfile: `${here}dist/main.mjs`,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: false,
  sourcemap: true,
  // ws loads optional native helpers with require(); keep them optional.
  external: ['bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log(`bundled ${here}dist/main.mjs`);
