import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envDefaults, envDefinitions } from '@matchmaking/functions/env';
import { functions } from '@matchmaking/functions/manifest';
import { NO_POOL, poolOf } from '@matchmaking/functions/pool-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installMocks, type Recorded, readDeploymentFiles, resourcesOf, type Statement } from './mocks.js';

/*
 * The warm pool's side of the deployment: its table, its settings in the
 * functions' environment, the fleets its servers are launched into, and
 * least-privilege access (only the keepers run tasks; the pool servers' own
 * calls touch two tables; the game server's task role grants nothing).
 */
const recorded = installMocks();
const buildDir = mkdtempSync(join(tmpdir(), 'infra-pool-build-'));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
const POOL = {
  default: { idle: 2, max: 10 },
  regions: { 'eu-west-1': { idle: 1, max: 4 }, 'ap-southeast-2': { idle: 0, max: 0 } },
  leadSeconds: 90,
};
/** What each region's pool must be, as the functions read it. */
const EXPECTED_POOL = {
  'us-east-1': { idle: 2, max: 10 },
  'eu-west-1': { idle: 1, max: 4 },
  'ap-southeast-2': { idle: 0, max: 0 },
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
  // As infra/index.ts passes them: scalars are strings (config.get), the pool an object (config.getObject).
  const settings = parseSettings({
    ...base,
    regions: [...REGIONS],
    warmPool: POOL,
    warmServerHeartbeatSeconds: '7',
    warmAssignTimeoutSeconds: '2',
    warmServerRegisterSeconds: '240',
    warmServerMatches: '3',
  });
  createMatchmaking(settings, { prefix: 'mm-pool', repoRoot, buildDir });
  // Let every apply() settle so policies and env are recorded.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await readDeploymentFiles(recorded);
}, 120_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

const { ofType, named, settingsOf, statementsOf, tableArn } = resourcesOf(recorded, 'mm-pool');
/** Every statement but the function's own logs. */
const grantsOf = (fn: string): Statement[] =>
  statementsOf(fn).filter((s) => !s.Action.every((a) => a.startsWith('logs:')));
/** Functions whose policy allows this action, sorted. */
const allowedTo = (action: string): string[] =>
  functions
    .filter((definition) => statementsOf(definition.name).some((s) => s.Action.includes(action)))
    .map((definition) => definition.name)
    .sort();

describe('warm pool settings', () => {
  it('refuses a warmPool region that is not in matchmaking:regions, naming the key', async () => {
    const { parseSettings } = await import('../src/settings.js');
    expect(() =>
      parseSettings({ ...base, warmPool: { regions: { 'eu-west-1': { idle: 1, max: 2 } } } }),
    ).toThrow(/matchmaking:warmPool\.regions names eu-west-1, which is not in matchmaking:regions/);
  });

  it('refuses max below idle, naming the key (the default and a region override)', async () => {
    const { parseSettings } = await import('../src/settings.js');
    expect(() => parseSettings({ ...base, warmPool: { default: { idle: 3, max: 2 } } })).toThrow(
      /warmPool\.default: max must be at least idle/,
    );
    expect(() =>
      parseSettings({ ...base, warmPool: { regions: { 'us-east-1': { idle: 5, max: 1 } } } }),
    ).toThrow(/warmPool\.regions\.us-east-1: max must be at least idle/);
  });

  it('refuses a bad warm setting, naming the key', async () => {
    const { parseSettings } = await import('../src/settings.js');
    expect(() => parseSettings({ ...base, warmPool: { default: { idle: -1, max: 2 } } })).toThrow(
      /warmPool\.default\.idle/,
    );
    expect(() => parseSettings({ ...base, warmPool: { leadSeconds: 0 } })).toThrow(/warmPool\.leadSeconds/);
    expect(() => parseSettings({ ...base, warmPool: { defaults: { idle: 1, max: 1 } } })).toThrow(/warmPool/);
    expect(() => parseSettings({ ...base, warmAssignTimeoutSeconds: '9' })).toThrow(
      /warmAssignTimeoutSeconds/,
    );
    expect(() => parseSettings({ ...base, warmServerHeartbeatSeconds: '0' })).toThrow(
      /warmServerHeartbeatSeconds/,
    );
    expect(() => parseSettings({ ...base, warmServerRegisterSeconds: '1.5' })).toThrow(
      /warmServerRegisterSeconds/,
    );
    expect(() => parseSettings({ ...base, warmServerMatches: '0' })).toThrow(/warmServerMatches/);
  });

  it("unset, the pool is off in every region and the warm timings are the functions' defaults", async () => {
    const { parseSettings } = await import('../src/settings.js');
    const settings = parseSettings(base);
    expect(settings.warmPool).toEqual(NO_POOL);
    expect(poolOf(settings.warmPool, 'us-east-1')).toEqual({ idle: 0, max: 0 });
    // What the program puts in WARM_POOL is what the functions read: still no pool.
    expect(envDefinitions.WARM_POOL.schema.parse(JSON.stringify(settings.warmPool))).toEqual(NO_POOL);
    expect(envDefinitions.WARM_POOL.schema.parse(envDefaults.WARM_POOL)).toEqual(NO_POOL);
    expect(settings).toMatchObject({
      warmServerHeartbeatSeconds: Number(envDefaults.WARM_SERVER_HEARTBEAT_SECONDS),
      warmAssignTimeoutSeconds: Number(envDefaults.WARM_ASSIGN_TIMEOUT_SECONDS),
      warmServerRegisterSeconds: Number(envDefaults.WARM_SERVER_REGISTER_SECONDS),
      warmServerMatches: Number(envDefaults.WARM_SERVER_MATCHES),
    });
  });

  it("Pulumi.dev.yaml passes the validation with no pool (the README's idle cost), and its commented pool example is what it says", async () => {
    const { parseSettings } = await import('../src/settings.js');
    const text = readFileSync(join(repoRoot, 'Pulumi.dev.yaml'), 'utf8');
    const file = parse(text) as { config: Record<string, unknown> };
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(file.config)) {
      if (key === 'aws:region') raw.homeRegion = value;
      else if (key.startsWith('matchmaking:')) raw[key.slice('matchmaking:'.length)] = value;
    }
    const settings = parseSettings(raw);
    expect(settings.warmPool).toEqual(parseSettings({ ...raw, warmPool: undefined }).warmPool);
    for (const region of settings.regions)
      expect(poolOf(settings.warmPool, region)).toEqual({ idle: 0, max: 0 });
    // The example, uncommented, is a valid pool of the stack's regions.
    const lines = text.split('\n');
    const start = lines.findIndex((line) => line.startsWith('  # matchmaking:warmPool:'));
    const block = [lines[start] as string];
    for (const line of lines.slice(start + 1)) {
      if (!line.startsWith('  #   ')) break;
      block.push(line);
    }
    const example = parse(block.map((line) => line.replace(/^ {2}# /, '')).join('\n')) as Record<
      string,
      unknown
    >;
    const withPool = parseSettings({ ...raw, warmPool: example['matchmaking:warmPool'] });
    expect(withPool.warmPool).toEqual({
      default: { idle: 2, max: 10 },
      regions: { 'eu-west-1': { idle: 1, max: 4 } },
      leadSeconds: 60,
    });
    expect(Object.keys(withPool.warmPool.regions).every((r) => settings.regions.includes(r))).toBe(true);
    expect(settings).toMatchObject({
      warmServerHeartbeatSeconds: Number(envDefaults.WARM_SERVER_HEARTBEAT_SECONDS),
      warmAssignTimeoutSeconds: Number(envDefaults.WARM_ASSIGN_TIMEOUT_SECONDS),
      warmServerRegisterSeconds: Number(envDefaults.WARM_SERVER_REGISTER_SECONDS),
      warmServerMatches: Number(envDefaults.WARM_SERVER_MATCHES),
    });
  });
});

describe('the warm pool (three regions, with mocks)', () => {
  it('declares the servers table: hash serverId, the sparse spareByShard index, TTL on expiresAt', () => {
    const servers = named('aws:dynamodb/table:Table', 'mm-pool-servers');
    expect(servers.inputs).toMatchObject({
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'serverId',
      ttl: { attributeName: 'expiresAt', enabled: true },
      serverSideEncryption: { enabled: true },
    });
    expect(servers.inputs.rangeKey).toBeUndefined();
    expect(servers.inputs.globalSecondaryIndexes).toEqual([
      { name: 'spareByShard', hashKey: 'spareShard', rangeKey: 'serverId', projectionType: 'ALL' },
    ]);
    // Only key attributes are declared (DynamoDB refuses others).
    expect(servers.inputs.attributes).toEqual([
      { name: 'serverId', type: 'S' },
      { name: 'spareShard', type: 'S' },
    ]);
    // The pool's per-minute demand counters expire from the matchmaker table.
    expect(named('aws:dynamodb/table:Table', 'mm-pool-matchmaker').inputs.ttl).toEqual({
      attributeName: 'expiresAt',
      enabled: true,
    });
  });

  it('sets WARM_POOL (per-region values as configured) and the warm settings on exactly the functions whose manifest entry lists them', () => {
    const withPool = functions.filter((definition) => definition.env.includes('WARM_POOL'));
    expect(withPool.map((definition) => definition.name).sort()).toEqual(
      ['matchStarter', 'poolServer', 'taskStateChange', 'tick'].sort(),
    );
    for (const definition of functions) {
      const variables = settingsOf(definition.name);
      for (const name of [
        'WARM_POOL',
        'WARM_SERVER_HEARTBEAT_SECONDS',
        'WARM_ASSIGN_TIMEOUT_SECONDS',
        'WARM_SERVER_REGISTER_SECONDS',
        'WARM_SERVER_MATCHES',
        'SERVERS_TABLE',
      ] as const) {
        expect(name in variables, `${definition.name} ${name}`).toBe(definition.env.includes(name));
      }
    }
    for (const definition of withPool) {
      const variables = settingsOf(definition.name);
      // Parsed as the functions parse it.
      const pool = envDefinitions.WARM_POOL.schema.parse(variables.WARM_POOL);
      expect(pool.leadSeconds).toBe(90);
      for (const region of REGIONS) expect(poolOf(pool, region), region).toEqual(EXPECTED_POOL[region]);
      expect(variables).toMatchObject({
        SERVERS_TABLE: 'mm-pool-servers',
        WARM_SERVER_HEARTBEAT_SECONDS: '7',
        WARM_ASSIGN_TIMEOUT_SECONDS: '2',
        WARM_SERVER_REGISTER_SECONDS: '240',
        WARM_SERVER_MATCHES: '3',
      });
    }
  });

  it.each(REGIONS)(
    'launches pool servers in %s into that region fleet (GAME_SERVER_FLEETS), whose container has stopTimeout 120',
    (region) => {
      const name = `mm-pool-${region}`;
      const cluster = named('aws:ecs/cluster:Cluster', `${name}-cluster`);
      const taskDefinition = named('aws:ecs/taskDefinition:TaskDefinition', `${name}-game-server`);
      // Both through the region's own provider.
      for (const resource of [cluster, taskDefinition]) {
        expect(resource.provider).toContain(`::${name}-provider::`);
        expect(String(resource.state.arn)).toContain(`:${region}:`);
      }
      const container = (JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as object[])[0];
      expect(container).toMatchObject({ name: 'game-server', essential: true, stopTimeout: 120 });
      // Every function that launches pool servers gets this fleet for the region.
      for (const fn of ['matchStarter', 'tick', 'taskStateChange']) {
        const fleets = envDefinitions.GAME_SERVER_FLEETS.schema.parse(settingsOf(fn).GAME_SERVER_FLEETS);
        expect(Object.keys(fleets)).toEqual([...REGIONS]);
        expect(fleets[region], fn).toEqual({
          cluster: cluster.state.name,
          taskDefinition: taskDefinition.state.arn,
          containerName: 'game-server',
          subnets: [`${name}-vpc-public-a`, `${name}-vpc-public-b`],
          securityGroups: [named('aws:ec2/securityGroup:SecurityGroup', `${name}-game-servers`).id],
          assignPublicIp: true,
          capacityProvider: 'FARGATE',
        });
        // ... and may run its tasks there (in that cluster), from that task definition's family only,
        // and stop them.
        const run = grantsOf(fn).find((s) => s.Action.includes('ecs:RunTask'));
        expect(run?.Resource).toContain(`${taskDefinition.state.arnWithoutRevision}:*`);
        expect(run?.Condition).toEqual({
          ArnEquals: { 'ecs:cluster': expect.arrayContaining([cluster.state.arn]) },
        });
        const stop = grantsOf(fn).find((s) => s.Action.includes('ecs:StopTask'));
        expect(stop?.Resource).toContain(`${String(cluster.state.arn).replace(':cluster/', ':task/')}/*`);
      }
    },
  );

  it('allows poolServer only dynamodb:GetItem and UpdateItem on the servers and matches tables', () => {
    expect(grantsOf('poolServer')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: [tableArn('servers')],
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: [tableArn('matches')],
      },
    ]);
    const all = statementsOf('poolServer');
    const actions = all.flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith('ecs:'))).toEqual([]);
    expect(actions).not.toContain('iam:PassRole');
    const resources = all.flatMap((s) => s.Resource);
    for (const other of ['connections', 'players', 'tickets', 'matchmaker'])
      expect(resources.some((r) => r.startsWith(tableArn(other)))).toBe(false);
    // Its own logs, nothing else.
    expect(all.filter((s) => s.Action.some((a) => a.startsWith('logs:')))).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${named('aws:cloudwatch/logGroup:LogGroup', 'mm-pool-poolServer-logs').state.arn}:*`],
      },
    ]);
  });

  it('lets only matchStarter, tick and taskStateChange run, stop or pass roles to game-server tasks', () => {
    const keepers = ['matchStarter', 'taskStateChange', 'tick'];
    for (const action of ['ecs:RunTask', 'ecs:StopTask', 'iam:PassRole'])
      expect(allowedTo(action)).toEqual(keepers);
    // The servers table: the keepers read, write and query its spare index; poolServer reads and updates.
    expect(
      functions
        .filter((definition) =>
          statementsOf(definition.name).some((s) => s.Resource.includes(tableArn('servers'))),
        )
        .map((definition) => definition.name)
        .sort(),
    ).toEqual(['matchStarter', 'poolServer', 'taskStateChange', 'tick']);
    for (const fn of keepers) {
      expect(grantsOf(fn)).toContainEqual({
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        Resource: [tableArn('servers'), `${tableArn('servers')}/index/*`],
      });
    }
    // Demand counters: the starter counts servers taken, the tick reads them.
    const matchmakerActions = (fn: string) =>
      grantsOf(fn)
        .filter((s) => s.Resource.includes(tableArn('matchmaker')))
        .flatMap((s) => s.Action);
    expect(matchmakerActions('matchStarter')).toEqual(['dynamodb:UpdateItem']);
    expect(matchmakerActions('tick')).toEqual(['dynamodb:GetItem']);
    expect(matchmakerActions('taskStateChange')).toEqual([]);
  });

  it('routes POST /servers/{serverId}/{action} on the callback API to poolServer', () => {
    const callbacks = named('aws:apigatewayv2/api:Api', 'mm-pool-callbacks');
    expect(callbacks.inputs.protocolType).toBe('HTTP');
    const routes = ofType('aws:apigatewayv2/route:Route').filter(
      (r) => r.inputs.routeKey === 'POST /servers/{serverId}/{action}',
    );
    expect(routes).toHaveLength(1);
    const route = routes[0] as Recorded;
    expect(route.inputs.apiId).toBe(callbacks.id);
    const integration = ofType('aws:apigatewayv2/integration:Integration').find(
      (i) => route.inputs.target === `integrations/${i.id}`,
    );
    const poolServer = named('aws:lambda/function:Function', 'mm-pool-poolServer');
    expect(integration?.inputs).toMatchObject({
      apiId: callbacks.id,
      integrationType: 'AWS_PROXY',
      integrationUri: poolServer.state.invokeArn,
      payloadFormatVersion: '2.0',
    });
    // API Gateway may invoke it, from this API only.
    const invoke = ofType('aws:lambda/permission:Permission').filter(
      (p) => p.inputs.function === poolServer.state.name,
    );
    expect(invoke.map((p) => p.inputs)).toEqual([
      expect.objectContaining({
        action: 'lambda:InvokeFunction',
        principal: 'apigateway.amazonaws.com',
        sourceArn: `${callbacks.state.executionArn}/*`,
      }),
    ]);
  });

  it.each(REGIONS)('gives the game-server task role in %s no policy at all', (region) => {
    const name = `mm-pool-${region}`;
    const role = named('aws:iam/role:Role', `${name}-task`);
    expect(role.inputs.managedPolicyArns).toEqual([]);
    expect(role.inputs.inlinePolicies ?? []).toEqual([]);
    expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      },
    ]);
    const attached = recorded.filter(
      (r) =>
        /^aws:iam\/(rolePolicy|rolePolicyAttachment|policyAttachment|rolePoliciesExclusive):/.test(r.type) &&
        [role.id, role.state.name, role.state.arn].some(
          (ref) => r.inputs.role === ref || (r.inputs.roles as unknown[] | undefined)?.includes(ref),
        ),
    );
    expect(attached).toEqual([]);
    expect(named('aws:ecs/taskDefinition:TaskDefinition', `${name}-game-server`).inputs.taskRoleArn).toBe(
      role.state.arn,
    );
  });
});
