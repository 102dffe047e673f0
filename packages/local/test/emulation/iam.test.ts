import { type FunctionDefinition, functions } from '@matchmaking/functions/manifest';
import { afterEach, describe, expect, it } from 'vitest';
import { newLocalCredentials } from '../../src/emulators/aws-auth.js';
import { type Denial, LocalIam } from '../../src/emulators/iam.js';
import { SqsEmulator } from '../../src/emulators/sqs.js';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { localTargets } from '../../src/stack.js';
import { playFullMatch } from '../helpers/full-match.js';
import { dropKind, dropTableAction, manifestWithout } from '../helpers/manifest.js';
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
      expect(
        await playWith(manifestWithout(fn, change), (denials) => denialOf(denials) !== undefined),
      ).not.toBe('played');
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
        startTestStack({
          regions: ['us-east-1'],
          teamSize: 1,
          functions: manifestWithout(fn, dropKind(kind)),
        }),
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
      functions: manifestWithout('joinQueue', dropKind('sendToMatchmakingQueue')),
    });
    await playFullMatch(stack, ['open-a', 'open-b'], 'us-east-1');
    expect(stack.iam.denials).toEqual([]);
  });

  it("checks RunTask in its cluster and the PassRole of the task's two roles to ECS tasks, as ECS does", async () => {
    stack = await startTestStack({ regions: ['us-east-1'], teamSize: 1, gameServer: defaultGameServer });
    const active = stack;
    const checked: { action: string; resource: string; context?: object }[] = [];
    const guard = active.ecs.guard;
    active.ecs.guard = (request, action, resource, context) => {
      checked.push({ action, resource, context });
      return guard ? guard(request, action, resource, context) : Promise.resolve(undefined);
    };
    await playFullMatch(active, ['pass-a', 'pass-b'], 'us-east-1');
    const account = '000000000000';
    expect(checked.slice(0, 3)).toEqual([
      {
        action: 'ecs:RunTask',
        resource: `arn:aws:ecs:us-east-1:${account}:task-definition/game-server:1`,
        context: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${account}:cluster/matchmaking-local-us-east-1` },
      },
      ...['task', 'execution'].map((role) => ({
        action: 'iam:PassRole',
        resource: `arn:aws:iam::${account}:role/matchmaking-local-us-east-1-${role}`,
        context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      })),
    ]);
    expect(active.iam.denials).toEqual([]);
  });

  it("lets only the fleets' users pass their roles, only to ECS tasks, and stop only the fleets' tasks", async () => {
    const sqs = new SqsEmulator('http://127.0.0.1:1', 'us-east-1');
    const iam = new LocalIam({
      functions,
      targets: localTargets({
        home: 'us-east-1',
        regions: ['us-east-1'],
        tableNames: {
          connections: 'c',
          players: 'p',
          tickets: 't',
          matches: 'm',
          matchmaker: 'mm',
          servers: 's',
          parties: 'pa',
        },
        sqs,
        queueUrl: sqs.createQueue('a.fifo', { visibilityTimeoutSeconds: 1, maxReceiveCount: 1 }),
        matchStartQueueUrl: sqs.createQueue('b.fifo', { visibilityTimeoutSeconds: 1, maxReceiveCount: 1 }),
      }),
      admin: newLocalCredentials(),
      enforce: true,
    });
    const role = 'arn:aws:iam::000000000000:role/matchmaking-local-us-east-1-task';
    const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    expect(await iam.checkRole('matchStarter', 'iam:PassRole', role, toEcs)).toBeUndefined();
    expect(
      await iam.checkRole('matchStarter', 'iam:PassRole', role, {
        'iam:PassedToService': 'ec2.amazonaws.com',
      }),
    ).toMatch(/not authorized to perform: iam:PassRole/);
    expect(await iam.checkRole('joinQueue', 'iam:PassRole', role, toEcs)).toMatch(/joinQueue-role/);
    const task = (cluster: string) => `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/abc`;
    expect(await iam.checkRole('tick', 'ecs:StopTask', task('matchmaking-local-us-east-1'))).toBeUndefined();
    expect(await iam.checkRole('tick', 'ecs:StopTask', task('someone-else'))).toMatch(/ecs:StopTask/);
    sqs.stop();
  });
});
