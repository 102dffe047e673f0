import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MatchmakingClient } from '@matchmaking/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { repoRoot } from '../../src/lambda.js';
import { startTestStack } from '../helpers/stack.js';
import { reportResult } from './game.js';
import { connectAs } from './sdk.js';

/*
 * The SDK README's example, as written, run by tsx in a process of its own
 * against the local stack (Pulumi.dev.yaml's queues: `ranked` is by ping with
 * a ready check). Only its environment is given (MATCHMAKING_URL and
 * MATCHMAKING_TOKEN); the opponent is an SDK client here, and the test plays
 * the game on the real game server with both players' keys.
 */
let stack: LocalStack;
let opponent: MatchmakingClient | undefined;
let file: string | undefined;

beforeAll(async () => {
  stack = await startTestStack({ regions: ['us-east-1', 'eu-west-1'], gameServer: defaultGameServer });
});
afterAll(async () => {
  if (file) await rm(file, { force: true });
  await opponent?.close();
  await stack.stop();
});

/** The first ```ts block of the README's "## Example" section. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(repoRoot, 'packages/client/README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Example'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('no ts example in packages/client/README.md');
  return code;
}

/** Runs `file` with tsx; `onLine` sees each line it prints. Resolves with its exit code and output. */
function run(file: string, env: Record<string, string>, onLine: (line: string) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let errors = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<{ code: number | null; lines: string[]; errors: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, lines, errors })),
  );
  return { child, exited };
}

describe("the SDK README's example", () => {
  it('runs as written: queued by ping, accepts, gets the game server, and prints the new rating', async () => {
    const code = await readmeExample();
    expect(code).toContain("from '@matchmaking/client'");
    // Beside packages/local's dependencies, so `@matchmaking/client` resolves as an application's would.
    const dir = join(repoRoot, 'packages/local/node_modules/.cache/readme-example');
    await mkdir(dir, { recursive: true });
    file = join(dir, `example-${process.pid}.mts`);
    await writeFile(file, code);

    opponent = await connectAs(stack, 'readme-opponent');
    const opponentSide = opponent;
    opponentSide.on('matchProposed', (proposal) => void opponentSide.acceptMatch(proposal.matchId));
    const opponentReady = opponentSide.once('serverReady');
    const opponentFinished = opponentSide.once('matchFinished');
    await opponentSide.joinQueue({ queue: 'ranked', latencies: await opponentSide.measurePings() });

    let exampleGameUrl: (url: string) => void = () => {};
    const gameUrl = new Promise<string>((resolve) => {
      exampleGameUrl = resolve;
    });
    const example = run(
      file,
      { MATCHMAKING_URL: stack.endpoints.websocket, MATCHMAKING_TOKEN: await stack.token('readme-player') },
      (line) => {
        const url = /^play at (ws:\/\/\S+)$/.exec(line)?.[1];
        if (url) exampleGameUrl(url);
      },
    );
    const failed = example.exited.then(({ code: exit, errors }) => {
      throw new Error(`the example exited (${exit}) before its game: ${errors}`);
    });
    const urls = await Promise.race([Promise.all([gameUrl, opponentReady.then((e) => e.gameUrl)]), failed]);
    await reportResult(urls, 'HOME');
    const { code: exit, lines, errors } = await example.exited;
    expect(errors).toBe('');
    expect(exit).toBe(0);
    expect(lines[0]).toBe('queued in us-east-1 (ranked)');
    expect(lines[1]).toMatch(
      /^MATCH FOUND: (readme-player vs readme-opponent|readme-opponent vs readme-player)$/,
    );
    expect(lines[2]).toMatch(/^play at ws:\/\/127\.0\.0\.1:\d+\/\?key=/);
    expect(lines[3]).toMatch(/^match finished: you (won|lost): rating 1500 -> \d+(\.\d+)?$/);
    expect(lines).toHaveLength(4);
    const theirs = await opponentFinished;
    const mine = lines[3]?.includes('you won') ? 'won' : 'lost';
    expect(theirs.message).toBe(`match finished: you ${mine === 'won' ? 'lost' : 'won'}`);
  }, 60_000);
});
