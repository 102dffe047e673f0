import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmokeMatch, SmokeError, type SmokeSummary } from '../../smoke/smoke-match.js';
import { generateSmokeKeys, mintSmokeToken } from '../../smoke/tokens.js';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { repoRoot } from '../../src/lambda.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * The deployment smoke test (smoke/, run nightly against AWS by
 * .github/workflows/smoke.yml) played here against the local stack with a
 * real game-server process, so every CI run exercises the script itself.
 */
let stack: LocalStack;
const wide = { initial: 1000, growthPerSecond: 0, max: 1000 };

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['us-east-1', 'eu-west-1'],
    gameServer: defaultGameServer,
    queues: {
      duel: { teamSize: 1, default: true, ratingWindow: wide },
      ranked: { teamSize: 1, ratingWindow: wide, readyCheckSeconds: 30 },
    },
  });
});
afterAll(() => stack.stop());

const cli = join(repoRoot, 'packages/local/smoke/cli.ts');

/** The smoke CLI as the workflow runs it, with the players' tokens in its environment. */
function runCli(args: string[], users: [string, string]) {
  return Promise.all(users.map((user) => stack.token(user))).then(
    ([token1, token2]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', cli, ...args],
          {
            cwd: repoRoot,
            env: {
              ...process.env,
              SMOKE_WEBSOCKET_URL: stack.endpoints.websocket,
              SMOKE_TOKEN_1: token1,
              SMOKE_TOKEN_2: token2,
            },
          },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        ),
      ),
  );
}

function expectRatingsMovedApart(summary: SmokeSummary) {
  const home = summary.players.find((p) => p.team === 'home');
  const away = summary.players.find((p) => p.team === 'away');
  expect(home?.after.rating).toBeGreaterThan(home?.before.rating ?? Number.POSITIVE_INFINITY);
  expect(away?.after.rating).toBeLessThan(away?.before.rating ?? Number.NEGATIVE_INFINITY);
  for (const player of summary.players) expect(player.after.rd).not.toBe(player.before.rd);
}

describe('the deployment smoke script against the local stack', () => {
  it('plays a match with two SDK players in the first served region and returns their new ratings', async () => {
    const lines: string[] = [];
    const summary = await runSmokeMatch({
      websocketUrl: stack.endpoints.websocket,
      tokens: [() => stack.token('smoke-ann'), () => stack.token('smoke-bo')],
      timeoutMs: 30_000,
      log: (line) => lines.push(line),
    });
    expect(summary).toMatchObject({ queue: 'duel', region: 'us-east-1', outcome: 'home' });
    expect(summary.players.map((p) => p.userId)).toEqual(['smoke-ann', 'smoke-bo']);
    expect(new Set(summary.players.map((p) => p.team))).toEqual(new Set(['home', 'away']));
    for (const player of summary.players) expect(player.before).toEqual({ rating: 1500, rd: 350 });
    expectRatingsMovedApart(summary);
    expect(summary.timings.finishedMs).toBeGreaterThanOrEqual(summary.timings.serverReadyMs);
    expect(lines.some((line) => line.includes('MATCH FOUND'))).toBe(true);
  }, 40_000);

  it('the CLI plays a queue with a ready check in the region asked and prints the summary, exit 0', async () => {
    const { code, stdout, stderr } = await runCli(
      ['--queue', 'ranked', '--region', 'eu-west-1', '--timeout-seconds', '30'],
      ['smoke-cy', 'smoke-di'],
    );
    expect({ code, stderr }).toMatchObject({ code: 0, stderr: expect.stringContaining('smoke: passed') });
    const summary = JSON.parse(stdout) as SmokeSummary;
    expect(summary).toMatchObject({ queue: 'ranked', region: 'eu-west-1', outcome: 'home' });
    expectRatingsMovedApart(summary);
  }, 40_000);

  it('fails, exit 1, when the ratings do not show who won (a draw between equal players)', async () => {
    const { code, stderr } = await runCli(
      ['--outcome', 'DRAW', '--timeout-seconds', '30'],
      ['smoke-ed', 'smoke-fay'],
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/smoke: FAILED: ratings: .*draw/);
  }, 40_000);

  it('refuses two tokens of one user before queueing', async () => {
    const token = () => stack.token('smoke-gus');
    await expect(
      runSmokeMatch({ websocketUrl: stack.endpoints.websocket, tokens: [token, token], timeoutMs: 10_000 }),
    ).rejects.toThrow(new SmokeError('both tokens are for the same user (smoke-gus)'));
  });
});

describe('the smoke identity', () => {
  it('signs tokens the authorizer accepts: its checks (issuer, audience, exp, sub, iat) against the published JWKS', async () => {
    const { privateJwk, jwks } = await generateSmokeKeys();
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const identity = { privateJwk, issuer: 'https://smoke.example/', audience: 'matchmaking' };
    const token = await mintSmokeToken(identity, 'smoke-42-1');
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: identity.issuer,
      audience: identity.audience,
      algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      requiredClaims: ['exp', 'sub'],
      maxTokenAge: 86_400,
    });
    expect(payload.sub).toBe('smoke-42-1');
  });
});
