import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envDefaults, envDefinitions } from '@matchmaking/functions/env';
import { type Access, functions } from '@matchmaking/functions/manifest';
import { queueCatalog, queuesSchema } from '@matchmaking/functions/queue-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installMocks, type Recorded, readDeploymentFiles, resourcesOf } from './mocks.js';

/*
 * Game modes and parties in the deployment: `matchmaking:queues` validated
 * (naming the key) and handed to exactly the functions that read it, the
 * parties table, the queue and party routes, and least privilege on the
 * parties table and the queue figures (BatchGetItem on the matchmaker table).
 */
const recorded = installMocks();
const buildDir = mkdtempSync(join(tmpdir(), 'infra-queues-build-'));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const QUEUES = {
  duel: { teamSize: 1, default: true },
  squad: {
    teamSize: 4,
    ratingWindow: { initial: 150, growthPerSecond: 15, max: 800 },
    maxWaitSeconds: 600,
    partyRating: 'max',
  },
};
const base = {
  homeRegion: 'us-east-1',
  regions: ['us-east-1'],
  jwtIssuer: 'i',
  jwtAudience: 'a',
  jwksUrl: 'https://x/jwks.json',
};

beforeAll(async () => {
  const { createMatchmaking } = await import('../src/program.js');
  const { parseSettings } = await import('../src/settings.js');
  // As infra/index.ts passes it: the queues an object (config.getObject).
  createMatchmaking(parseSettings({ ...base, regions: ['us-east-1', 'eu-west-1'], queues: QUEUES }), {
    prefix: 'mm-q',
    repoRoot,
    buildDir,
  });
  // Let every apply() settle so policies and env are recorded.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await readDeploymentFiles(recorded);
}, 120_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

const { ofType, named, settingsOf, statementsOf, tableArn } = resourcesOf(recorded, 'mm-q');
/** The actions a function may take on a table (the table itself or its indexes). */
const actionsOn = (fn: string, table: string): string[] =>
  statementsOf(fn)
    .filter((s) => s.Resource.some((r) => r === tableArn(table) || r.startsWith(`${tableArn(table)}/`)))
    .flatMap((s) => s.Action);
/** The actions the manifest grants a function on a table. */
const manifestActionsOn = (fn: string, table: string): string[] =>
  (functions.find((definition) => definition.name === fn)?.access ?? [])
    .filter((a): a is Extract<Access, { kind: 'table' }> => a.kind === 'table' && a.table === table)
    .flatMap((a) => a.actions);
const names = (list: readonly { name: string }[]) => list.map((item) => item.name).sort();

describe('matchmaking:queues', () => {
  it.each([
    [
      'two queues, no default',
      { duel: { teamSize: 1 }, squad: { teamSize: 4 } },
      /matchmaking:queues: exactly one queue must have `default: true`/,
    ],
    [
      'two defaults',
      { duel: { teamSize: 1, default: true }, squad: { teamSize: 4, default: true } },
      /matchmaking:queues: exactly one queue must have `default: true`/,
    ],
    [
      'a bad queue name',
      { 'Squad 4v4': { teamSize: 4 } },
      /matchmaking:queues\.Squad 4v4: not a valid name: must be 1-32 lowercase letters/,
    ],
    ['teamSize 0', { squad: { teamSize: 0 } }, /matchmaking:queues\.squad\.teamSize: Too small/],
    ['no teamSize', { squad: {} }, /matchmaking:queues\.squad\.teamSize: Invalid input/],
    [
      'a window whose max is below its initial',
      { squad: { teamSize: 4, ratingWindow: { initial: 300, max: 200 } } },
      /matchmaking:queues\.squad\.ratingWindow: max must be at least initial/,
    ],
    [
      'an unknown partyRating',
      { squad: { teamSize: 4, partyRating: 'median' } },
      /matchmaking:queues\.squad\.partyRating: Invalid option: expected one of "mean"\|"max"/,
    ],
    [
      'a misspelt setting',
      { squad: { teamsize: 4, teamSize: 4 } },
      /matchmaking:queues\.squad\.teamsize: not a setting/,
    ],
    ['no queue at all', {}, /matchmaking:queues: must name at least one queue/],
    ['not a map of queues', ['duel'], /matchmaking:queues: Invalid input: expected record/],
  ])('refuses %s, naming the key', async (_case, queues, message) => {
    const { parseSettings } = await import('../src/settings.js');
    expect(() => parseSettings({ ...base, queues })).toThrow(message);
  });

  it("unset, is the functions' default (one 1v1 queue)", async () => {
    const { parseSettings } = await import('../src/settings.js');
    const settings = parseSettings(base);
    expect(settings.queues).toEqual(JSON.parse(String(envDefaults.MATCHMAKING_QUEUES)));
    expect(queueCatalog(queuesSchema.parse(settings.queues)).defaultQueue).toBe('duel');
  });

  it('refuses the removed teamSize and ratingWindow settings, naming matchmaking:queues instead', async () => {
    const { parseSettings, refuseRemovedKeys } = await import('../src/settings.js');
    expect(() => parseSettings({ ...base, teamSize: 2 })).toThrow(
      /matchmaking:teamSize is no longer read: use matchmaking:queues/,
    );
    // infra/index.ts checks every key of the stack, not only the ones it reads.
    expect(() =>
      refuseRemovedKeys(['aws:region', 'matchmaking:teamSize', 'matchmaking:ratingWindowMax']),
    ).toThrow(
      /matchmaking:teamSize is no longer read: use matchmaking:queues.*; matchmaking:ratingWindowMax is no longer read: use matchmaking:queues/,
    );
    expect(() => refuseRemovedKeys(['aws:region', 'matchmaking:queues'])).not.toThrow();
  });

  it('Pulumi.dev.yaml passes the validation, with duel (1v1, the default, by ping), duo (2v2), squad (4v4, partyRating max) and ranked (1v1 by ping, ready check)', async () => {
    const { parseSettings, refuseRemovedKeys } = await import('../src/settings.js');
    const file = parse(readFileSync(join(repoRoot, 'Pulumi.dev.yaml'), 'utf8')) as {
      config: Record<string, unknown>;
    };
    refuseRemovedKeys(Object.keys(file.config));
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(file.config)) {
      if (key === 'aws:region') raw.homeRegion = value;
      else if (key.startsWith('matchmaking:')) raw[key.slice('matchmaking:'.length)] = value;
    }
    // Kept as written (the functions fill in the same defaults), which the functions and `pnpm dev` read as:
    const { queues: configured } = parseSettings(raw);
    expect(configured).toEqual(file.config['matchmaking:queues']);
    const queues = queuesSchema.parse(configured);
    expect(queues).toEqual({
      duel: {
        teamSize: 1,
        default: true,
        ratingWindow: { initial: 100, growthPerSecond: 10, max: 600 },
        maxWaitSeconds: 300,
        partyRating: 'mean',
        latency: { initialMs: 60, stepMs: 10, stepSeconds: 5, maxMs: 150 },
      },
      duo: {
        teamSize: 2,
        default: false,
        ratingWindow: { initial: 100, growthPerSecond: 10, max: 600 },
        maxWaitSeconds: 300,
        partyRating: 'mean',
      },
      squad: {
        teamSize: 4,
        default: false,
        ratingWindow: { initial: 150, growthPerSecond: 15, max: 800 },
        maxWaitSeconds: 600,
        partyRating: 'max',
      },
      ranked: {
        teamSize: 1,
        default: false,
        ratingWindow: { initial: 50, growthPerSecond: 5, max: 300 },
        maxWaitSeconds: 600,
        partyRating: 'mean',
        latency: { initialMs: 60, stepMs: 10, stepSeconds: 5, maxMs: 150 },
        readyCheckSeconds: 20,
      },
    });
    expect(queueCatalog(queues).defaultQueue).toBe('duel');
  });
});

describe('queues and parties (with mocks)', () => {
  it('sets MATCHMAKING_QUEUES (the configured queues) on exactly the functions whose manifest entry lists it', () => {
    const reading = functions.filter((definition) => definition.env.includes('MATCHMAKING_QUEUES'));
    expect(names(reading)).toEqual(
      [
        'createParty',
        'disconnect',
        'getQueueStats',
        'joinParty',
        'joinQueue',
        'kickFromParty',
        'leaveParty',
        'listQueues',
        'matchmaker',
        'tick',
        'tryCreateMatch',
      ].sort(),
    );
    for (const definition of functions) {
      const variables = settingsOf(definition.name);
      expect('MATCHMAKING_QUEUES' in variables, definition.name).toBe(
        definition.env.includes('MATCHMAKING_QUEUES'),
      );
      // The variables of the old single queue are gone.
      for (const old of [
        'TEAM_SIZE',
        'RATING_WINDOW_INITIAL',
        'RATING_WINDOW_GROWTH_PER_SECOND',
        'RATING_WINDOW_MAX',
      ])
        expect(old in variables, `${definition.name} ${old}`).toBe(false);
    }
    const expected = queuesSchema.parse(QUEUES);
    for (const definition of reading) {
      // As configured (the functions fill in the same defaults: a Lambda's variables share 4 KB) ...
      const text = settingsOf(definition.name).MATCHMAKING_QUEUES as string;
      expect(JSON.parse(text), definition.name).toEqual(QUEUES);
      // ... and parsed as the functions parse it.
      const queues = envDefinitions.MATCHMAKING_QUEUES.schema.parse(text);
      expect(queues, definition.name).toEqual(expected);
      expect(queues.squad).toMatchObject({ teamSize: 4, partyRating: 'max', maxWaitSeconds: 600 });
    }
  });

  it('sets PARTIES_TABLE (the parties table) on exactly the functions whose manifest entry lists it', () => {
    for (const definition of functions) {
      const variables = settingsOf(definition.name);
      expect(variables.PARTIES_TABLE, definition.name).toBe(
        definition.env.includes('PARTIES_TABLE') ? 'mm-q-parties' : undefined,
      );
    }
  });

  it('declares the parties table: hash key partyId, on demand, encrypted, no index, no TTL, no point-in-time recovery', () => {
    const parties = named('aws:dynamodb/table:Table', 'mm-q-parties');
    expect(parties.inputs).toMatchObject({
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'partyId',
      attributes: [{ name: 'partyId', type: 'S' }],
      globalSecondaryIndexes: [],
      serverSideEncryption: { enabled: true },
      // Like tickets: short-lived, rebuilt by players; only players (ratings) are backed up.
      pointInTimeRecovery: { enabled: false },
    });
    expect(parties.inputs.rangeKey).toBeUndefined();
    // A party item has no expiry attribute (tables.ts names none): a TTL would delete nothing.
    expect(parties.inputs.ttl).toBeUndefined();
    expect(parties.provider).toContain('::mm-q-home::');
  });

  it.each([
    ['createParty', 'createParty'],
    ['joinParty', 'joinParty'],
    ['leaveParty', 'leaveParty'],
    ['kickFromParty', 'kickFromParty'],
    ['listQueues', 'listQueues'],
    ['getQueueStats', 'getQueueStats'],
  ])('routes the WebSocket action %s to the %s function', (routeKey, fn) => {
    const websocket = named('aws:apigatewayv2/api:Api', 'mm-q-ws');
    const routes = ofType('aws:apigatewayv2/route:Route').filter((r) => r.inputs.routeKey === routeKey);
    expect(routes).toHaveLength(1);
    const route = routes[0] as Recorded;
    expect(route.inputs.apiId).toBe(websocket.id);
    // Only $connect is authorized (the connection carries the user from then on).
    expect(route.inputs.authorizationType).toBeUndefined();
    const integration = ofType('aws:apigatewayv2/integration:Integration').find(
      (i) => route.inputs.target === `integrations/${i.id}`,
    );
    const lambda = named('aws:lambda/function:Function', `mm-q-${fn}`);
    expect(integration?.inputs).toMatchObject({
      apiId: websocket.id,
      integrationType: 'AWS_PROXY',
      integrationUri: lambda.state.invokeArn,
    });
    const invoke = ofType('aws:lambda/permission:Permission').filter(
      (p) => p.inputs.function === lambda.state.name,
    );
    expect(invoke.map((p) => p.inputs)).toEqual([
      expect.objectContaining({
        principal: 'apigateway.amazonaws.com',
        sourceArn: `${websocket.state.executionArn}/*`,
      }),
    ]);
  });

  it('gives the parties table only to the party functions, disconnect and joinQueue (joinQueue: GetItem only)', () => {
    const withParties = functions.filter((definition) => actionsOn(definition.name, 'parties').length > 0);
    expect(names(withParties)).toEqual(
      ['createParty', 'disconnect', 'joinParty', 'joinQueue', 'kickFromParty', 'leaveParty'].sort(),
    );
    expect(actionsOn('joinQueue', 'parties')).toEqual(['dynamodb:GetItem']);
    for (const fn of ['createParty', 'joinParty', 'leaveParty', 'kickFromParty', 'disconnect']) {
      expect(actionsOn(fn, 'parties'), fn).toEqual([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ]);
    }
    // Exactly what the manifest says, for every function.
    for (const definition of functions)
      expect(actionsOn(definition.name, 'parties'), definition.name).toEqual(
        manifestActionsOn(definition.name, 'parties'),
      );
  });

  it('allows dynamodb:BatchGetItem (the queue figures) on the matchmaker table only, to joinQueue, listQueues and getQueueStats', () => {
    const batchGetters = functions.filter((definition) =>
      statementsOf(definition.name).some((s) => s.Action.includes('dynamodb:BatchGetItem')),
    );
    expect(names(batchGetters)).toEqual(['getQueueStats', 'joinQueue', 'listQueues']);
    expect(names(batchGetters)).toEqual(
      names(
        functions.filter((d) => manifestActionsOn(d.name, 'matchmaker').includes('dynamodb:BatchGetItem')),
      ),
    );
    for (const { name } of batchGetters) {
      const statements = statementsOf(name).filter((s) => s.Action.includes('dynamodb:BatchGetItem'));
      expect(statements, name).toEqual([
        { Effect: 'Allow', Action: ['dynamodb:BatchGetItem'], Resource: [tableArn('matchmaker')] },
      ]);
    }
    // listQueues and getQueueStats only read the figures and count the caller's messages.
    for (const fn of ['listQueues', 'getQueueStats'])
      expect(
        statementsOf(fn)
          .flatMap((s) => s.Action)
          .filter((a) => a.startsWith('dynamodb:')),
        fn,
      ).toEqual(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
  });

  it("caps the matchmaker's event source at its maximum concurrency, and reserves none by default (new accounts have 10)", () => {
    const matchmaker = functions.find((definition) => definition.name === 'matchmaker');
    expect(matchmaker?.maximumConcurrency).toBe(5);
    const mappingOf = (fn: string) =>
      named('aws:lambda/eventSourceMapping:EventSourceMapping', `mm-q-${fn}-queue`).inputs;
    expect(mappingOf('matchmaker')).toMatchObject({
      eventSourceArn: named('aws:sqs/queue:Queue', 'mm-q-matchmaking').state.arn,
      functionName: named('aws:lambda/function:Function', 'mm-q-matchmaker').state.arn,
      scalingConfig: { maximumConcurrency: 5 },
    });
    expect(
      named('aws:lambda/function:Function', 'mm-q-matchmaker').inputs.reservedConcurrentExecutions,
    ).toBeUndefined();
    // The match starter has no reserved concurrency: one group per match, as many as Lambda runs.
    expect(mappingOf('matchStarter').scalingConfig).toBeUndefined();
  });
});
