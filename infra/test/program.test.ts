import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPLOYMENT_FILE_VARIABLES } from '@matchmaking/functions/env';
import { functions } from '@matchmaking/functions/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMocks, type Recorded, resolveOutput } from './mocks.js';

const recorded = installMocks();
const buildDir = mkdtempSync(join(tmpdir(), 'infra-build-'));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let outputs: Record<string, unknown>;

beforeAll(async () => {
  const { createMatchmaking } = await import('../src/program.js');
  const { parseSettings } = await import('../src/settings.js');
  const settings = parseSettings({
    homeRegion: 'us-east-1',
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    queues: { doubles: { teamSize: 2 } },
    jwtIssuer: 'https://issuer.example/',
    jwtAudience: 'matchmaking',
    jwksUrl: 'https://issuer.example/.well-known/jwks.json',
  });
  const result = createMatchmaking(settings, { prefix: 'mm-test', repoRoot, buildDir });
  createMatchmaking(
    parseSettings({
      homeRegion: 'eu-west-1',
      regions: ['eu-west-1'],
      jwtIssuer: 'https://issuer.example/',
      jwtAudience: 'matchmaking',
      jwksUrl: 'https://issuer.example/.well-known/jwks.json',
      fargateSpot: 'true',
      domainName: 'play.example.com',
      hostedZoneId: 'Z123',
    }),
    { prefix: 'mm-one', repoRoot, buildDir },
  );
  outputs = {
    websocketUrl: await resolveOutput(result.websocketUrl),
    clusters: await resolveOutput(pulumi.output(result.clusters)),
  };
  // Let every apply() settle so policies and env are recorded.
  await new Promise((resolve) => setTimeout(resolve, 200));
}, 120_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

import * as pulumi from '@pulumi/pulumi';

/** Resources of the three-region stack (the one-region stack is prefixed mm-one). */
const ofType = (type: string): Recorded[] =>
  recorded.filter((r) => r.type === type && !r.name.startsWith('mm-one'));
const ofOneRegion = (type: string): Recorded[] =>
  recorded.filter((r) => r.type === type && r.name.startsWith('mm-one'));

describe('the Pulumi program (with mocks)', () => {
  it('gives every region its own provider, cluster, ECR repository, image and task definition', () => {
    const providers = ofType('pulumi:providers:aws').map((p) => p.inputs.region);
    expect(providers).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']));
    for (const type of [
      'aws:ecs/cluster:Cluster',
      'aws:ecr/repository:Repository',
      'aws:ecs/taskDefinition:TaskDefinition',
    ]) {
      const regional = ofType(type);
      expect(regional).toHaveLength(3);
      expect(new Set(regional.map((r) => r.provider)).size, type).toBe(3);
      expect(regional.every((r) => r.provider?.includes('-provider'))).toBe(true);
    }
    expect(ofType('awsx:ecr:Image')).toHaveLength(3);
    expect(Object.keys(outputs.clusters as object)).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
  });

  it('declares exactly one WebSocket API, one callback API, two FIFO queues with DLQs and the seven tables', () => {
    const apis = ofType('aws:apigatewayv2/api:Api');
    expect(apis.map((a) => a.inputs.protocolType).sort()).toEqual(['HTTP', 'WEBSOCKET']);
    expect(apis.find((a) => a.inputs.protocolType === 'WEBSOCKET')?.inputs.routeSelectionExpression).toBe(
      '$request.body.action',
    );
    const queues = ofType('aws:sqs/queue:Queue');
    expect(queues).toHaveLength(4);
    expect(queues.every((q) => q.inputs.fifoQueue === true)).toBe(true);
    const main = queues.find((q) => String(q.inputs.name).endsWith('-matchmaking.fifo'));
    const starts = queues.find((q) => String(q.inputs.name).endsWith('-match-starts.fifo'));
    // Just above the consumers' timeouts (30 s, 60 s): a failed record's message group waits no longer.
    expect(starts?.inputs).toMatchObject({ contentBasedDeduplication: false, visibilityTimeoutSeconds: 60 });
    expect(main?.inputs).toMatchObject({
      fifoQueue: true,
      contentBasedDeduplication: false,
      visibilityTimeoutSeconds: 90,
    });
    expect(JSON.parse(String(main?.inputs.redrivePolicy))).toMatchObject({ maxReceiveCount: 10 });
    const tables = ofType('aws:dynamodb/table:Table');
    expect(tables).toHaveLength(7);
    const tickets = tables.find((t) => t.name.endsWith('tickets'));
    // Sharded partitions (no region is one hot key); sparse indexes for waiting and claimed tickets.
    expect(tickets?.inputs).toMatchObject({
      hashKey: 'shardKey',
      rangeKey: 'ticketId',
      billingMode: 'PAY_PER_REQUEST',
      globalSecondaryIndexes: [
        { name: 'waitingByShard', hashKey: 'waitingShard', rangeKey: 'ticketId', projectionType: 'ALL' },
        { name: 'claimedByShard', hashKey: 'claimedShard', rangeKey: 'claimedAt', projectionType: 'ALL' },
      ],
    });
    const matches = tables.find((t) => t.name.endsWith('matches'));
    expect(matches?.inputs.ttl).toMatchObject({ attributeName: 'expiresAt', enabled: true });
    expect(matches?.inputs.globalSecondaryIndexes).toEqual([
      { name: 'byDeadline', hashKey: 'deadlineShard', rangeKey: 'deadlineAt', projectionType: 'ALL' },
    ]);
  });

  it('creates one Lambda per manifest entry with exactly its environment variables', () => {
    const lambdas = ofType('aws:lambda/function:Function');
    expect(lambdas).toHaveLength(functions.length);
    for (const definition of functions) {
      const lambda = lambdas.find((l) => l.name === `mm-test-${definition.name}`);
      expect(lambda?.inputs).toMatchObject({ runtime: 'nodejs22.x', timeout: definition.timeoutSeconds });
      // None reserved unless matchmaking:reservedConcurrency says so (deploy.test.ts).
      expect(lambda?.inputs.reservedConcurrentExecutions).toBeUndefined();
      const variables = Object.keys(
        ((lambda as Recorded).inputs.environment as { variables: object }).variables,
      );
      // The large settings are in the package's deployment file instead (deploy.test.ts).
      const inFile = DEPLOYMENT_FILE_VARIABLES as readonly string[];
      expect(variables.sort()).toEqual(
        [...definition.env.filter((name) => !inFile.includes(name)), 'NODE_OPTIONS'].sort(),
      );
    }
  });

  it('grants each function exactly its manifest access', async () => {
    const policies = ofType('aws:iam/rolePolicy:RolePolicy');
    const policyOf = (name: string) => {
      const found = policies.find((p) => p.name === `mm-test-${name}-policy`);
      return JSON.parse(String(found?.inputs.policy)) as {
        Statement: { Action: string[]; Resource: string[] }[];
      };
    };
    const actions = (name: string) => policyOf(name).Statement.flatMap((s) => s.Action);
    expect(actions('authorizer')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    // Reads, plus the one write of the per-connection message counter.
    expect(actions('getProfile').filter((a) => a.startsWith('dynamodb:'))).toEqual([
      ...Array(4).fill('dynamodb:GetItem'),
      'dynamodb:UpdateItem',
    ]);
    expect(actions('openSession').filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actions('getProfile')).not.toContain('sqs:SendMessage');
    // The serial pass never starts servers; the match starter does.
    expect(actions('matchmaker')).not.toContain('ecs:RunTask');
    expect(actions('matchmaker')).toEqual(expect.arrayContaining(['sqs:SendMessage']));
    expect(actions('matchStarter')).toEqual(
      expect.arrayContaining(['ecs:RunTask', 'iam:PassRole', 'execute-api:ManageConnections']),
    );
    expect(actions('joinQueue')).not.toContain('ecs:RunTask');
    const manage = policyOf('joinQueue').Statement.find((s) =>
      s.Action.includes('execute-api:ManageConnections'),
    );
    expect(manage?.Resource).toEqual([
      'arn:aws:execute-api:us-east-1:123456789012:mm-test-ws/live/*/@connections/*',
    ]);
    const query = policyOf('matchmaker').Statement.find((s) => s.Action.includes('dynamodb:Query'));
    expect(query?.Resource.some((r) => r.endsWith('/index/*'))).toBe(true);
    for (const statement of policies.flatMap((p) => JSON.parse(String(p.inputs.policy)).Statement)) {
      expect(statement.Resource).not.toContain('*');
    }
  });

  it('routes every WebSocket route, the authorizer, the callbacks, the queue, the tick and task events', () => {
    const routes = ofType('aws:apigatewayv2/route:Route').map((r) => r.inputs.routeKey);
    expect(routes).toEqual(
      expect.arrayContaining([
        '$connect',
        '$disconnect',
        '$default',
        'joinQueue',
        'leaveQueue',
        'tryCreateMatch',
        'getProfile',
        'listQueues',
        'getQueueStats',
        'createParty',
        'joinParty',
        'leaveParty',
        'kickFromParty',
        'getPingTargets',
        'keepAlive',
      ]),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /matches/{matchId}/session',
        'POST /matches/{matchId}/ready',
        'POST /matches/{matchId}/result',
        'POST /servers/{serverId}/{action}',
      ]),
    );
    const connect = ofType('aws:apigatewayv2/route:Route').find((r) => r.inputs.routeKey === '$connect');
    expect(connect?.inputs.authorizationType).toBe('CUSTOM');
    const mappings = ofType('aws:lambda/eventSourceMapping:EventSourceMapping');
    expect(mappings).toHaveLength(2);
    for (const mapping of mappings)
      expect(mapping.inputs).toMatchObject({
        batchSize: 10,
        functionResponseTypes: ['ReportBatchItemFailures'],
      });
    const rules = ofType('aws:cloudwatch/eventRule:EventRule');
    expect(rules.some((r) => r.inputs.scheduleExpression === 'rate(1 minute)')).toBe(true);
    // The home rule plus one forwarding rule per other region.
    expect(
      rules.filter((r) => String(r.inputs.eventPattern ?? '').includes('ECS Task State Change')),
    ).toHaveLength(3);
    expect(String(outputs.websocketUrl)).toMatch(/^wss:\/\/.*\/live$/);
  });
});

describe('resource counts', () => {
  it.each([
    ['aws:ecs/cluster:Cluster', 3, 1],
    ['aws:ecs/clusterCapacityProviders:ClusterCapacityProviders', 3, 1],
    ['awsx:ec2:Vpc', 3, 1],
    ['aws:ec2/securityGroup:SecurityGroup', 3, 1],
    ['aws:ecs/taskDefinition:TaskDefinition', 3, 1],
    ['aws:lambda/function:Function', functions.length, functions.length],
    // connections, players, tickets, matches, matchmaker, the warm pool's servers and parties.
    ['aws:dynamodb/table:Table', 7, 7],
    ['aws:apigatewayv2/api:Api', 2, 2],
    // 16 WebSocket routes (7, and listQueues, getQueueStats, getPingTargets, acceptMatch, keepAlive
    // and the 4 party actions); 4 callback routes (session, ready, result, the pool servers' calls).
    ['aws:apigatewayv2/route:Route', 20, 20],
    ['aws:apigatewayv2/integration:Integration', 20, 20],
    // API Gateway: the authorizer and each route; EventBridge: the tick's schedule and the task events.
    ['aws:lambda/permission:Permission', 1 + 20 + 2, 1 + 20 + 2],
    ['aws:iam/rolePolicy:RolePolicy', functions.length, functions.length],
    // One per function; per fleet a task role and an execution role; an event forwarder per non-home fleet.
    ['aws:iam/role:Role', functions.length + 3 * 2 + 2, functions.length + 2],
    ['aws:lambda/eventSourceMapping:EventSourceMapping', 2, 2],
  ])('%s: %i for three regions, %i for one', (type, three, one) => {
    expect(ofType(type)).toHaveLength(three);
    expect(ofOneRegion(type)).toHaveLength(one);
  });

  it('uses Fargate Spot when configured, and builds the custom domain with DNS validation and an alias', () => {
    const spot = ofOneRegion('aws:ecs/clusterCapacityProviders:ClusterCapacityProviders')[0];
    expect(spot?.inputs.defaultCapacityProviderStrategies).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 1 },
    ]);
    expect(ofOneRegion('aws:acm/certificate:Certificate')[0]?.inputs).toMatchObject({
      validationMethod: 'DNS',
    });
    expect(
      ofOneRegion('aws:route53/record:Record')
        .map((r) => r.inputs.type)
        .sort(),
    ).toEqual(['A', 'CNAME']);
    expect(ofOneRegion('aws:apigatewayv2/apiMapping:ApiMapping')).toHaveLength(1);
    expect(ofType('aws:acm/certificate:Certificate')).toHaveLength(0);
  });

  it('runs every function on nodejs22.x and arm64, and declares no identity source on the authorizer', () => {
    for (const fn of [
      ...ofType('aws:lambda/function:Function'),
      ...ofOneRegion('aws:lambda/function:Function'),
    ]) {
      expect(fn.inputs).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'] });
    }
    const authorizer = ofType('aws:apigatewayv2/authorizer:Authorizer')[0];
    expect(authorizer?.inputs).toMatchObject({ authorizerType: 'REQUEST' });
    // Tokens come in the Authorization header or the token query parameter: a declared source would refuse the other.
    expect(authorizer?.inputs.identitySources).toBeUndefined();
  });

  it('grants no wildcard action, and wildcard resources only where iam.ts documents them', () => {
    const statements = recorded
      .filter((r) => r.type === 'aws:iam/rolePolicy:RolePolicy')
      .flatMap(
        (p) => JSON.parse(String(p.inputs.policy)).Statement as { Action: string[]; Resource: string[] }[],
      );
    for (const statement of statements) {
      for (const action of statement.Action) expect(action).not.toContain('*');
      for (const resource of statement.Resource.filter((r) => r.includes('*'))) {
        expect(resource).toMatch(/(\/index\/\*|\/\*\/@connections\/\*|:task\/.*\/\*|:\*)$/);
      }
    }
  });
});

describe('stack configuration', () => {
  it('refuses bad configuration with a clear message', async () => {
    const { parseSettings } = await import('../src/settings.js');
    const base = {
      homeRegion: 'us-east-1',
      regions: ['us-east-1'],
      jwtIssuer: 'i',
      jwtAudience: 'a',
      jwksUrl: 'https://x/jwks.json',
    };
    expect(() => parseSettings({ ...base, regions: [] })).toThrow(/at least one region/);
    expect(() => parseSettings({ ...base, regions: ['mars-1'] })).toThrow(/region name/);
    expect(() => parseSettings({ ...base, queues: { duel: { teamSize: 0 } } })).toThrow(
      /matchmaking:queues\.duel\.teamSize/,
    );
    expect(() => parseSettings({ ...base, jwtIssuer: '' })).toThrow(/matchmaking:jwtIssuer: is required/);
    expect(() => parseSettings({ ...base, regions: ['us-east-1', 'us-east-1'] })).toThrow(/twice/);
    expect(() => parseSettings({ ...base, domainName: 'play.example.com' })).toThrow(
      /needs matchmaking:hostedZoneId/,
    );
    expect(() => parseSettings({ ...base, logRetentionDays: 13 })).toThrow(/retention/);
    // Unset: the functions' default, one 1v1 queue.
    expect(parseSettings(base).queues).toMatchObject({ duel: { teamSize: 1 } });
  });
});
