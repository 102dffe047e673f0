import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { gameServerBundleOptions } from '@matchmaking/game-server/bundle-options';
import { repoRoot } from './lambda.js';

/** The game server's esbuild bundle: what its container image runs, and what `pnpm dev` runs per match. */
export const gameServerBundle = join(repoRoot, 'game-server/dist/main.mjs');

/** The sources the bundle is built from: it is rebuilt when any is newer. */
const sources = [
  join(repoRoot, 'game-server/src'),
  join(repoRoot, 'packages/core/src/protocol/game-server-env.ts'),
];

/**
 * Builds game-server/dist/main.mjs when it is missing or older than any of its
 * sources, with the game server's own bundle options and the esbuild
 * of the game-server package. Each output is written to a temporary name and
 * renamed, so stacks starting at the same time never run a half-written file.
 */
export async function ensureGameServerBundle(): Promise<string> {
  const built = await mtimeOf(gameServerBundle);
  if (built !== undefined && built >= (await newestSource())) return gameServerBundle;
  const esbuild = createRequire(join(repoRoot, 'game-server/package.json'))('esbuild') as Esbuild;
  const result = await esbuild.build({
    ...gameServerBundleOptions(join(repoRoot, 'game-server')),
    logLevel: 'silent',
    write: false,
  });
  await mkdir(dirname(gameServerBundle), { recursive: true });
  // The map first: once main.mjs is renamed into place, everything it refers to is there.
  const outputs = [...result.outputFiles].sort((a) => (a.path.endsWith('.map') ? -1 : 1));
  for (const output of outputs) {
    const temporary = join(
      dirname(output.path),
      `.${basename(output.path)}.${randomBytes(6).toString('hex')}`,
    );
    try {
      await writeFile(temporary, output.contents);
      await rename(temporary, output.path);
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return gameServerBundle;
}

/** The part of esbuild's API used here (esbuild is the game-server package's dependency, not this one's). */
interface Esbuild {
  build(options: Record<string, unknown> & { write: false }): Promise<{
    outputFiles: { path: string; contents: Uint8Array }[];
  }>;
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function newestSource(): Promise<number> {
  let newest = 0;
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (!info) return;
    newest = Math.max(newest, info.mtimeMs);
    if (!info.isDirectory()) return;
    for (const entry of await readdir(path)) await visit(join(path, entry));
  };
  for (const source of sources) await visit(source);
  return newest;
}
