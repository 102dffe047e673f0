import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { GameServerEnv } from '@matchmaking/core/game-server-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contextFiles,
  copies,
  copySources,
  missingCopySources,
  replayStage,
  type StageResult,
  stages,
} from '../scripts/image-rehearsal.js';

/*
 * Issue items 3 and 13: the image could not be built (the ignore file left
 * out manifests the Dockerfile copies), and nothing caught it without Docker.
 * The build is rehearsed here: the context the ignore file lets through, the
 * build stage's COPY and RUN replayed in a temporary directory, the final
 * stage's bundle started as its CMD and probed with its HEALTHCHECK.
 */
const repo = join(import.meta.dirname, '../..');
const dockerfilePath = join(repo, 'game-server/Dockerfile');
const ignoreFilePath = join(repo, 'game-server/Dockerfile.dockerignore');
const dockerfile = readFileSync(dockerfilePath, 'utf8');
const [buildStage, finalStage] = stages(dockerfile);
const exec = promisify(execFile);

/** The image installs pnpm with `npm install -g pnpm@<version>`; here it is already installed. */
const PINNED_PNPM = /^npm install -g pnpm@(\S+)$/;

describe('the game-server image context', () => {
  it('holds every COPY source of the Dockerfile (BuildKit fails "not found" otherwise)', () => {
    expect(missingCopySources(dockerfilePath, repo, ignoreFilePath)).toEqual([]);
  });

  it('leaves out node_modules, dist, .git, the tests and the other workspace projects', () => {
    const files = contextFiles(repo, readFileSync(ignoreFilePath, 'utf8'));
    expect(files.filter((f) => /(^|\/)(node_modules|dist|\.git)(\/|$)/.test(f))).toEqual([]);
    expect(files.filter((f) => /^(infra|functions|packages\/(?!core\/))/.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('game-server/test/'))).toEqual([]);
  });
});

describe('the Dockerfile reader', () => {
  it('takes context sources from COPY and ADD, with flags and continuations, not --from= copies', () => {
    const text = [
      'FROM node AS build',
      'COPY --chown=node:node a.json \\',
      '  # a comment inside the continuation',
      '  b.json ./',
      'ADD ["c d", "e/"]',
      'ADD https://example.com/x.tgz /x.tgz',
      'FROM node',
      'COPY --from=build /repo/dist/ ./',
    ].join('\n');
    expect(copySources(text)).toEqual(['a.json', 'b.json', 'c d']);
  });

  it('matches ignore patterns from the context root as Docker does, and re-includes inside a left-out folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-ignore-'));
    try {
      for (const file of [
        'src/a.ts',
        'pkg/src/b.ts',
        'pkg/package.json',
        'package.json',
        'x/node_modules/m.js',
      ]) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), '');
      }
      // `src` is only /src, not pkg/src (unlike .gitignore).
      expect(contextFiles(dir, 'src\npackage.json\n**/node_modules\n')).toEqual([
        'pkg/package.json',
        'pkg/src/b.ts',
      ]);
      expect(contextFiles(dir, '*\n!pkg/package.json\n')).toEqual(['pkg/package.json']);
      // Case-sensitive, as on Linux.
      expect(contextFiles(dir, 'SRC\n')).toContain('src/a.ts');
      // A source left out by the ignore file is as missing as one that does not exist.
      writeFileSync(join(dir, 'Dockerfile'), 'FROM node\nCOPY pkg/package.json src absent pkg/*.json ./\n');
      writeFileSync(join(dir, 'ignore'), 'src\n');
      expect(missingCopySources(join(dir, 'Dockerfile'), dir, join(dir, 'ignore'))).toEqual([
        'src',
        'absent',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the rehearsed image build', () => {
  let scratch: string;
  let build: StageResult;
  let image: StageResult;
  let server: ChildProcess | undefined;
  let callbacks: Server | undefined;

  // What a RUN starts with in the node image (PATH, HOME), plus where this machine keeps pnpm's store and proxies.
  const baseEnv = Object.fromEntries(
    ['PATH', 'HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'PNPM_HOME', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']
      .filter((name) => process.env[name] !== undefined)
      .map((name) => [name, process.env[name]!]),
  );

  /** A RUN as replayed here: pnpm is already present (its version is checked below); the install may use the store. */
  const translate = (command: string[]): string[] | undefined => {
    const script = command.at(-1)!;
    if (PINNED_PNPM.test(script)) return undefined;
    if (/^pnpm install\s/.test(script)) return [...command.slice(0, -1), `${script} --prefer-offline`];
    return command;
  };

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'image-rehearsal-'));
    const context = contextFiles(repo, readFileSync(ignoreFilePath, 'utf8'));
    const common = { contextDir: repo, context, baseEnv, translate };
    build = await replayStage(buildStage!, { ...common, rootfs: join(scratch, 'build'), built: {} });
    image = await replayStage(finalStage!, {
      ...common,
      rootfs: join(scratch, 'final'),
      built: { [buildStage!.name!]: build },
    });
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    await new Promise((resolve) => (callbacks ? callbacks.close(resolve) : resolve(undefined)));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('installs the pnpm that package.json pins, the one the rehearsal runs', async () => {
    const pinned = buildStage!.instructions.map((i) => PINNED_PNPM.exec(i.args)?.[1]).find(Boolean);
    const { stdout } = await exec('pnpm', ['--version'], { env: baseEnv });
    expect(pinned).toBe(stdout.trim());
    const rootManifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    expect(rootManifest.packageManager).toBe(`pnpm@${pinned}`);
  });

  it('bundles the server from the context alone, after the frozen filtered install', () => {
    // beforeAll replayed every RUN: a failed install or bundle would have thrown.
    const dist = join(build.rootfs, posix.resolve(build.workdir, 'game-server/dist'));
    expect(readdirSync(dist).sort()).toEqual(['main.mjs', 'main.mjs.map']);
  });

  it("copies only the build stage's dist output into the final image, run as the node user", () => {
    const dist = posix.resolve(build.workdir, 'game-server/dist');
    const finalCopies = copies(finalStage!);
    expect(finalCopies.length).toBeGreaterThan(0);
    for (const copy of finalCopies) {
      expect(copy.flags.from).toBe(buildStage!.name);
      for (const source of copy.sources) {
        expect(`${posix.resolve(build.workdir, source)}/`.startsWith(`${dist}/`), source).toBe(true);
      }
    }
    expect(readdirSync(join(image.rootfs, image.workdir)).sort()).toEqual(['main.mjs', 'main.mjs.map']);
    expect(image.user).toBe('node');
  });

  it('starts as its CMD runs it, answers the HEALTHCHECK, and stops on SIGTERM', async () => {
    // The warm-pool mode listens before it registers: a stub callback API takes the registration.
    const calls: string[] = [];
    let registered!: () => void;
    const registration = new Promise<void>((resolve) => {
      registered = resolve;
    });
    callbacks = createServer((request, response) => {
      calls.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' });
      if (request.url?.endsWith('/register')) {
        response.end(JSON.stringify({ serverId: 'rehearsal', token: 'server-token', heartbeatSeconds: 60 }));
        registered();
      } else {
        response.end(JSON.stringify({ state: 'draining' }));
      }
    });
    await new Promise<void>((resolve) => callbacks!.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      ...image.env,
      [GameServerEnv.port]: String(port),
      [GameServerEnv.serverId]: 'rehearsal',
      [GameServerEnv.registrationToken]: 'one-time',
      [GameServerEnv.callbackBaseUrl]: `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}`,
    };
    const [command, ...args] = image.cmd!;
    server = spawn(command!, args, { cwd: join(image.rootfs, image.workdir), env, stdio: 'pipe' });
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    server.stderr!.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => server!.once('exit', resolve));
    const early = await Promise.race([registration.then(() => 'registered'), exited]);
    expect(early, output).toBe('registered');

    const [check, ...checkArgs] = image.healthcheck!;
    await expect(exec(check!, checkArgs, { env })).resolves.toBeDefined();
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', serverId: 'rehearsal', state: 'idle' });

    server.kill('SIGTERM');
    expect(await exited, output).toBe(0);
    expect(calls).toEqual(['/servers/rehearsal/register', '/servers/rehearsal/deregister']);
  }, 20_000);
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
