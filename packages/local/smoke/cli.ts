import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { TokenSource } from '@matchmaking/client';
import { type ReportedOutcome, runSmokeMatch, SmokeError } from './smoke-match.js';
import { mintSmokeToken } from './tokens.js';

/*
 * The smoke test as a command (.github/workflows/smoke.yml runs it against
 * a throwaway stack): plays one match through a deployment with two players,
 * prints the summary as JSON on stdout and progress on stderr. Exit 0 when
 * the match was played and the ratings moved as they must, 1 when not, 2 on
 * a usage error.
 */
const HELP = `tsx packages/local/smoke/cli.ts [--url <wss://...>] [--token1 <jwt> --token2 <jwt>]
    [--queue <name>] [--region <region>] [--outcome HOME|AWAY|DRAW] [--timeout-seconds <n>]
  --url       the deployment's WebSocket URL (or SMOKE_WEBSOCKET_URL)
  --token1/2  two different players' tokens (or SMOKE_TOKEN_1, SMOKE_TOKEN_2); without them the
              tokens are signed with SMOKE_JWT_PRIVATE_KEY for SMOKE_JWT_ISSUER and SMOKE_JWT_AUDIENCE
              (two new users per run: smoke-<SMOKE_RUN_ID or a random id>-1 and -2)`;

function usage(message: string): never {
  console.error(`${message}\n${HELP}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        url: { type: 'string' },
        token1: { type: 'string' },
        token2: { type: 'string' },
        queue: { type: 'string' },
        region: { type: 'string' },
        outcome: { type: 'string' },
        'timeout-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const env = process.env;
const websocketUrl = values.url ?? env.SMOKE_WEBSOCKET_URL;
if (!websocketUrl) usage('no WebSocket URL: --url or SMOKE_WEBSOCKET_URL');
const outcome = (values.outcome ?? 'HOME').toUpperCase();
if (!['HOME', 'AWAY', 'DRAW'].includes(outcome)) usage(`--outcome ${values.outcome}: HOME, AWAY or DRAW`);
const timeoutSeconds =
  values['timeout-seconds'] === undefined ? undefined : Number(values['timeout-seconds']);
if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) usage('--timeout-seconds: a positive number');

function tokens(): [TokenSource, TokenSource] {
  const given = [values.token1 ?? env.SMOKE_TOKEN_1, values.token2 ?? env.SMOKE_TOKEN_2];
  if (given[0] && given[1]) return [given[0], given[1]];
  if (given[0] || given[1]) usage('two tokens, or none (then SMOKE_JWT_PRIVATE_KEY signs them)');
  const { SMOKE_JWT_PRIVATE_KEY: key, SMOKE_JWT_ISSUER: issuer, SMOKE_JWT_AUDIENCE: audience } = env;
  if (!key || !issuer || !audience)
    usage(
      'no tokens: SMOKE_TOKEN_1 and SMOKE_TOKEN_2, or SMOKE_JWT_PRIVATE_KEY, SMOKE_JWT_ISSUER, SMOKE_JWT_AUDIENCE',
    );
  let privateJwk: object;
  try {
    privateJwk = JSON.parse(key);
  } catch {
    return usage('SMOKE_JWT_PRIVATE_KEY is not a JWK (JSON)');
  }
  const run = env.SMOKE_RUN_ID || randomUUID();
  // A function, so each (re)connection gets a fresh token as from a real identity provider.
  const player = (n: number) => () => mintSmokeToken({ privateJwk, issuer, audience }, `smoke-${run}-${n}`);
  return [player(1), player(2)];
}

try {
  const summary = await runSmokeMatch({
    websocketUrl,
    tokens: tokens(),
    queue: values.queue,
    region: values.region,
    outcome: outcome as ReportedOutcome,
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    log: (line) => console.error(`smoke: ${line}`),
  });
  console.log(JSON.stringify(summary, null, 2));
  console.error('smoke: passed');
  process.exit(0);
} catch (error) {
  const reason = error instanceof SmokeError ? error.message : String((error as Error)?.stack ?? error);
  console.error(`smoke: FAILED: ${reason}`);
  process.exit(1);
}
