import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** The lobby's sources: index.html and src/. */
export const lobbyRoot = dirname(fileURLToPath(import.meta.url));

/**
 * Builds the lobby page with Vite into a fresh temporary directory (or `outDir`)
 * and returns it: static files (index.html, assets/) the local stack serves at `/`.
 */
export async function buildLobby(outDir?: string): Promise<string> {
  const out = outDir ?? (await mkdtemp(join(tmpdir(), 'matchmaking-lobby-')));
  await build({
    root: lobbyRoot,
    logLevel: 'warn',
    configFile: false,
    build: { outDir: out, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  });
  return out;
}
