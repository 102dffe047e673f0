import { open, readFile, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a running stack leaves the secret of its dev-token endpoint for
 * `pnpm -s token`: a file named by the port, readable only by its owner,
 * removed when the stack stops.
 */
export function devTokenFile(port: number): string {
  return join(tmpdir(), `matchmaking-local-${port}.json`);
}

export interface DevTokenFile {
  port: number;
  devTokenSecret: string;
}

/** Writes the file, mode 0600, replacing a stale one of an earlier run (never someone else's). */
export async function writeDevTokenFile(port: number, devTokenSecret: string): Promise<string> {
  const path = devTokenFile(port);
  await unlink(path).catch(() => undefined);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    throw new Error(`cannot create ${path} (${(error as Error).message}); remove it, or use another --port`);
  }
  try {
    await handle.writeFile(JSON.stringify({ port, devTokenSecret } satisfies DevTokenFile));
  } finally {
    await handle.close();
  }
  return path;
}

/** Reads the file of the stack on `port`; refuses one another user could have written or read. */
export async function readDevTokenFile(port: number): Promise<DevTokenFile | undefined> {
  const path = devTokenFile(port);
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  if (typeof process.getuid === 'function' && info.uid !== process.getuid())
    throw new Error(`${path} belongs to another user: not using it`);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0)
    throw new Error(`${path} is readable by other users: not using it`);
  return JSON.parse(await readFile(path, 'utf8')) as DevTokenFile;
}

export async function removeDevTokenFile(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
