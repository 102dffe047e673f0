/**
 * How the game server is bundled: one ESM file for Node 22 (what the container
 * image runs, and what `pnpm dev` runs per match). One definition for
 * `pnpm --filter @matchmaking/game-server build` and the local runtime.
 */
export function gameServerBundleOptions(packageDir: string) {
  const dir = packageDir.replace(/\/+$/, '');
  return {
    entryPoints: [`${dir}/src/main.ts`],
    outfile: `${dir}/dist/main.mjs`,
    bundle: true,
    platform: 'node' as const,
    target: 'node22',
    format: 'esm' as const,
    minify: false,
    sourcemap: true,
    // ws loads optional native helpers with require(); keep them optional.
    external: ['bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  };
}
