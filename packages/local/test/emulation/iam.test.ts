import { type Access, type FunctionDefinition, functions } from '@matchmaking/functions/manifest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Denial } from '../../src/emulators/iam.js';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { playFullMatch } from '../helpers/full-match.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * The local runtime enforces the IAM policy the Pulumi program writes: each
 * function calls the emulators with its own role's credentials, and a call
 * its policy does not allow is refused with AWS's AccessDenied. So taking
 * one permission out of the manifest breaks a played match here, naming the
 * function, the action and the resource, before it could break a deploy.
 */
let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** The manifest with one access entry of one function taken away (or narrowed). */
function without(
  functionName: string,
  change: (access: readonly Access[]) => Access[],
): readonly FunctionDefinition[] {
  expect(functions.some((f) => f.name === functionName)).toBe(true);
  return functions.map((f) => (f.name === functionName ? { ...f, access: change(f.access) } : f));
}
const dropKind = (kind: Access['kind']) => (access: readonly Access[]) => {
  expect(access.some((a) => a.kind === kind)).toBe(true);
  return access.filter((a) => a.kind !== kind);
};
const dropTableAction = (table: string, action: string) => (access: readonly Access[]) => {
  const changed = access.map((a) =>
    a.kind === 'table' && a.table === table ? { ...a, actions: a.actions.filter((x) => x !== action) } : a,
  );
  expect(JSON.stringify(changed)).not.toBe(JSON.stringify(access));
  return changed;
};

/**
 * Plays a match on a stack serving `manifest`: 'played', or, once a call was
 * refused (`until`), whatever the match came to a moment later ('stuck' if nothing).
 */
async function playWith(
  manifest: readonly FunctionDefinition[],
  until: (denials: readonly Denial[]) => boolean = () => false,
): Promise<unknown> {
  const active = await startTestStack({
    regions: ['us-east-1'],
    teamSize: 1,
    gameServer: defaultGameServer,
    readyTimeoutSeconds: 5,
    functions: manifest,
  });
  stack = active;
  let outcome: unknown = 'stuck';
  const played = playFullMatch(active, ['iam-a', 'iam-b'], 'us-east-1').then(
    () => {
      outcome = 'played';
    },
    (error: unknown) => {
      outcome = error;
    },
  );
  const denied = (async () => {
    while (!until(active.iam.denials)) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  })();
  await Promise.race([played, denied]);
  return outcome;
}

describe('IAM, enforced locally from the same policy the program deploys', () => {
  it('plays a whole match with the manifest as it is: every call allowed, each signed by its own function', async () => {
    expect(await playWith(functions)).toBe('played');
    const active = stack as LocalStack;
    expect(active.iam.denials).toEqual([]);
    expect(active.iam.enforce).toBe(true);
    const keys = new Set(functions.map((f) => active.iam.credentialsOf(f.name).accessKeyId));
    expect(keys.size).toBe(functions.length);
    expect(keys.has(active.credentials.accessKeyId)).toBe(false);
  });

  it.each([
    [
      'joinQueue',
      'dynamodb:PutItem',
      'table/matchmaking-local-tickets',
      dropTableAction('tickets', 'dynamodb:PutItem'),
    ],
    ['joinQueue', 'sqs:SendMessage', 'matchmaking-local.fifo', dropKind('sendToMatchmakingQueue')],
    ['joinQueue', 'execute-api:ManageConnections', '/@connections/', dropKind('manageConnections')],
    [
      'matchmaker',
      'dynamodb:Query',
      'table/matchmaking-local-tickets/index/',
      dropTableAction('tickets', 'dynamodb:Query'),
    ],
    ['matchmaker', 'sqs:SendMessage', 'match-starts-local.fifo', dropKind('sendToMatchStartQueue')],
    ['matchStarter', 'ecs:RunTask', 'task-definition/game-server:1', dropKind('runGameServers')],
    [
      'serverReady',
      'dynamodb:UpdateItem',
      'table/matchmaking-local-matches',
      dropTableAction('matches', 'dynamodb:UpdateItem'),
    ],
    [
      'matchResult',
      'dynamodb:UpdateItem',
      'table/matchmaking-local-players',
      dropTableAction('players', 'dynamodb:UpdateItem'),
    ],
  ])(
    'without one permission of %s, the match fails with AccessDenied for %s on %s',
    async (fn, action, resource, change) => {
      const denialOf = (denials: readonly Denial[]) =>
        denials.find((d) => d.functionName === fn && d.action === action);
      expect(await playWith(without(fn, change), (denials) => denialOf(denials) !== undefined)).not.toBe(
        'played',
      );
      const denial = denialOf((stack as LocalStack).iam.denials);
      expect(denial?.resource).toContain(resource);
      expect(denial?.message).toMatch(
        new RegExp(
          `assumed-role/matchmaking-local-${fn}-role/.* is not authorized to perform: ${action} on resource: arn:aws:`,
        ),
      );
    },
  );

  it.each([
    ['matchmaker', 'consumeMatchmakingQueue'],
    ['matchStarter', 'consumeMatchStartQueue'],
  ] as const)(
    "refuses to start when %s's role cannot receive from its queue (as CreateEventSourceMapping does)",
    async (fn, kind) => {
      await expect(
        startTestStack({ regions: ['us-east-1'], teamSize: 1, functions: without(fn, dropKind(kind)) }),
      ).rejects.toThrow(
        new RegExp(
          `CreateEventSourceMapping for ${fn}: .*does not have permissions to call ReceiveMessage on SQS`,
        ),
      );
    },
  );

  it('allows every call with iam: false (pnpm dev --no-iam)', async () => {
    stack = await startTestStack({
      regions: ['us-east-1'],
      teamSize: 1,
      gameServer: defaultGameServer,
      iam: false,
      functions: without('joinQueue', dropKind('sendToMatchmakingQueue')),
    });
    await playFullMatch(stack, ['open-a', 'open-b'], 'us-east-1');
    expect(stack.iam.denials).toEqual([]);
  });
});
