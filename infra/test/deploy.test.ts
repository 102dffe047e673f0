import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSUME_QUEUE_ACTIONS } from '@matchmaking/functions/iam-policy';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMocks, type Recorded, readDeploymentFiles, resourcesOf } from './mocks.js';

/*
 * What `pulumi up` on a fresh account needs that the mocks do not check by
 * themselves: the items 1, 2, 4 and 7. Each program below is one
 * stack; its resource options (dependsOn, protect) are seen through a stack
 * transformation, which Pulumi applies to every resource.
 */
const recorded = installMocks();
const options = new Map<string, pulumi.CustomResourceOptions>();
const buildDir = mkdtempSync(join(tmpdir(), 'infra-deploy-'));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const base = {
  homeRegion: 'us-east-1',
  regions: ['us-east-1', 'eu-west-1'],
  jwtIssuer: 'https://issuer.example/',
  jwtAudience: 'matchmaking',
  jwksUrl: 'https://issuer.example/.well-known/jwks.json',
};

beforeAll(async () => {
  const { createMatchmaking } = await import('../src/program.js');
  const { parseSettings } = await import('../src/settings.js');
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      options.set(`${args.type}::${args.name}`, args.opts);
      return undefined;
    });
    createMatchmaking(parseSettings(base), { prefix: 'mm-plain', repoRoot, buildDir });
    createMatchmaking(
      parseSettings({
        ...base,
        reservedConcurrency: '5',
        accessLogs: 'create',
        protectData: 'false',
        tableWarmThroughput: { writeUnitsPerSecond: 10000 },
      }),
      { prefix: 'mm-tuned', repoRoot, buildDir },
    );
    createMatchmaking(parseSettings({ ...base, accessLogs: 'existing' }), {
      prefix: 'mm-logged',
      repoRoot,
      buildDir,
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await readDeploymentFiles(recorded);
}, 120_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

const plain = resourcesOf(recorded, 'mm-plain');
const tuned = resourcesOf(recorded, 'mm-tuned');
const ofStack = (prefix: string, type: string): Recorded[] =>
  recorded.filter((r) => r.type === type && r.name.startsWith(`${prefix}-`));
const optionsOf = (type: string, name: string) => options.get(`${type}::${name}`);
const dependsOn = (type: string, name: string): unknown[] => [optionsOf(type, name)?.dependsOn ?? []].flat();
const MAPPING = 'aws:lambda/eventSourceMapping:EventSourceMapping';
const TABLE = 'aws:dynamodb/table:Table';

describe('queue consumers (item 1)', () => {
  it.each([
    ['matchmaker', 'mm-plain-matchmaking'],
    ['matchStarter', 'mm-plain-match-starts'],
  ])('%s may receive, delete, read attributes and change visibility on its own queue', (fn, queue) => {
    const queueArn = plain.named('aws:sqs/queue:Queue', queue).state.arn;
    const granted = plain
      .statementsOf(fn)
      .filter((s) => s.Resource.includes(String(queueArn)))
      .flatMap((s) => s.Action);
    expect(granted).toEqual(expect.arrayContaining([...CONSUME_QUEUE_ACTIONS]));
  });

  it('no other function may receive from a queue', () => {
    const consumers = ofStack('mm-plain', 'aws:iam/rolePolicy:RolePolicy')
      .filter((p) => String(p.inputs.policy).includes('sqs:ReceiveMessage'))
      .map((p) => p.name);
    expect(consumers.sort()).toEqual(['mm-plain-matchStarter-policy', 'mm-plain-matchmaker-policy']);
  });

  it("creates each event source mapping after its role's policy (IAM is eventually consistent)", () => {
    for (const fn of ['matchmaker', 'matchStarter']) {
      const policy = dependsOn(MAPPING, `mm-plain-${fn}-queue`);
      expect(policy).toHaveLength(1);
      expect((policy[0] as pulumi.Resource) instanceof pulumi.CustomResource).toBe(true);
      expect(pulumi.Resource.isInstance(policy[0])).toBe(true);
      expect((policy[0] as { __name?: string }).__name).toBe(`mm-plain-${fn}-policy`);
    }
  });
});

describe('WebSocket access logs (item 2)', () => {
  it('are off by default: CreateStage needs no account setting', () => {
    const stage = plain.named('aws:apigatewayv2/stage:Stage', 'mm-plain-ws-stage');
    expect(stage.inputs.accessLogSettings).toBeUndefined();
    expect(ofStack('mm-plain', 'aws:apigateway/account:Account')).toHaveLength(0);
  });

  it("with accessLogs create: the role, the region's API Gateway account setting, and the stage after it", () => {
    const account = tuned.named('aws:apigateway/account:Account', 'mm-tuned-apigateway-account');
    const role = tuned.named('aws:iam/role:Role', 'mm-tuned-apigateway-logs');
    expect(account.inputs.cloudwatchRoleArn).toBe(role.state.arn);
    expect(role.inputs.managedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    ]);
    expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0]).toMatchObject({
      Principal: { Service: 'apigateway.amazonaws.com' },
    });
    const stage = tuned.named('aws:apigatewayv2/stage:Stage', 'mm-tuned-ws-stage');
    expect(stage.inputs.accessLogSettings).toMatchObject({ destinationArn: expect.any(String) });
    expect(
      dependsOn('aws:apigatewayv2/stage:Stage', 'mm-tuned-ws-stage').map(
        (r) => (r as { __name?: string }).__name,
      ),
    ).toContain('mm-tuned-apigateway-account');
  });

  it('with accessLogs existing: logs on, and no account resource (the account has the role)', () => {
    const logged = resourcesOf(recorded, 'mm-logged');
    expect(
      logged.named('aws:apigatewayv2/stage:Stage', 'mm-logged-ws-stage').inputs.accessLogSettings,
    ).toBeDefined();
    expect(ofStack('mm-logged', 'aws:apigateway/account:Account')).toHaveLength(0);
  });
});

describe('reserved concurrency (item 4)', () => {
  it('reserves none by default: a new account (quota 10) refuses any reservation', () => {
    for (const fn of ofStack('mm-plain', 'aws:lambda/function:Function'))
      expect(fn.inputs.reservedConcurrentExecutions, fn.name).toBeUndefined();
  });

  it('reserves matchmaking:reservedConcurrency for the matchmaker alone when set', () => {
    const reserved = ofStack('mm-tuned', 'aws:lambda/function:Function')
      .filter((fn) => fn.inputs.reservedConcurrentExecutions !== undefined)
      .map((fn) => [fn.name, fn.inputs.reservedConcurrentExecutions]);
    expect(reserved).toEqual([['mm-tuned-matchmaker', 5]]);
  });
});

describe('data protection (item 7)', () => {
  it.each(['players', 'matches'])(
    'protects the %s table by default: deletion protection, point-in-time recovery, Pulumi protect',
    (table) => {
      const inputs = plain.named('aws:dynamodb/table:Table', `mm-plain-${table}`).inputs;
      expect(inputs).toMatchObject({
        deletionProtectionEnabled: true,
        pointInTimeRecovery: { enabled: true },
      });
      expect(optionsOf(TABLE, `mm-plain-${table}`)?.protect).toBe(true);
    },
  );

  it('protects nothing that is rebuilt anyway (connections, tickets...), and nothing with protectData false', () => {
    expect(plain.named('aws:dynamodb/table:Table', 'mm-plain-tickets').inputs.deletionProtectionEnabled).toBe(
      false,
    );
    expect(optionsOf(TABLE, 'mm-plain-tickets')?.protect).toBe(false);
    for (const table of ofStack('mm-tuned', 'aws:dynamodb/table:Table')) {
      expect(table.inputs.deletionProtectionEnabled, table.name).toBe(false);
      expect(optionsOf(TABLE, table.name)?.protect, table.name).toBe(false);
    }
  });
});

describe('large settings out of the 4 KB environment (item 5)', () => {
  /** 20 regions and 30 queues, every queue written out in full as Pulumi.dev.yaml writes them. */
  const wide = () => {
    const regions = [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'ca-central-1',
      'sa-east-1',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-central-1',
      'eu-north-1',
      'eu-south-1',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'ap-south-1',
      'me-south-1',
      'af-south-1',
    ];
    const queues = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [
        `competitive-mode-${i}`,
        {
          teamSize: 5,
          default: i === 0,
          ratingWindow: { initial: 100, growthPerSecond: 10, max: 600 },
          maxWaitSeconds: 300,
          latency: { initialMs: 60, stepMs: 10, stepSeconds: 5, maxMs: 150 },
          readyCheckSeconds: 20,
          partyRating: 'max',
        },
      ]),
    );
    return { ...base, regions, queues, warmPool: { default: { idle: 1, max: 4 }, leadSeconds: 60 } };
  };

  it("puts the fleets, the queues and the pool into each function's deployment file, not its variables", () => {
    for (const fn of ['tick', 'matchStarter', 'matchmaker', 'joinQueue']) {
      const variables = plain.variablesOf(fn);
      for (const name of ['GAME_SERVER_FLEETS', 'MATCHMAKING_QUEUES', 'WARM_POOL'])
        expect(name in variables).toBe(false);
    }
    const tick = plain.named('aws:lambda/function:Function', 'mm-plain-tick');
    expect(Object.keys(tick.deploymentFile ?? {}).sort()).toEqual([
      'GAME_SERVER_FLEETS',
      'MATCHMAKING_QUEUES',
      'WARM_POOL',
    ]);
    const fleets = JSON.parse(tick.deploymentFile?.GAME_SERVER_FLEETS ?? '{}');
    expect(Object.keys(fleets)).toEqual(['us-east-1', 'eu-west-1']);
    // A function that reads none of them gets no file.
    expect(plain.named('aws:lambda/function:Function', 'mm-plain-authorizer').deploymentFile).toEqual({});
  });

  it('fits 20 regions and 30 queues in every function, with the longest names AWS gives', async () => {
    const { parseSettings } = await import('../src/settings.js');
    const { estimatedEnvironmentSizes, refuseUndeployableEnvironments } = await import('../src/program.js');
    const settings = parseSettings(wide());
    expect(() => refuseUndeployableEnvironments(settings, 'matchmaking-production-eu')).not.toThrow();
    const largest = Math.max(
      ...estimatedEnvironmentSizes(settings, 'matchmaking-production-eu').map((s) => s.bytes),
    );
    expect(largest).toBeLessThan(2048);
  });

  it('refuses a layout that cannot deploy before anything is created, naming the 4 KB limit and the functions', async () => {
    const { parseSettings } = await import('../src/settings.js');
    const { createMatchmaking } = await import('../src/program.js');
    const huge = parseSettings({ ...base, jwksUrl: `https://issuer.example/${'k'.repeat(4000)}/jwks.json` });
    const before = recorded.length;
    expect(() => createMatchmaking(huge, { prefix: 'mm-huge', repoRoot, buildDir })).toThrow(
      /Lambda allows 4096 bytes \(4 KB\) of environment variables per function.*authorizer needs \d+ bytes/,
    );
    expect(recorded.slice(before).filter((r) => r.name.startsWith('mm-huge'))).toEqual([]);
  });
});

describe('stack keys (item 10)', () => {
  it('refuses a misspelled matchmaking: key instead of ignoring it, naming the setting it resembles', async () => {
    const { refuseRemovedKeys } = await import('../src/settings.js');
    expect(() => refuseRemovedKeys(['aws:region', 'matchmaking:warmpool'])).toThrow(
      'matchmaking:warmpool: not a setting (did you mean matchmaking:warmPool?)',
    );
    expect(() => refuseRemovedKeys(['matchmaking:homeRegion'])).toThrow(/not a setting/);
    expect(() =>
      refuseRemovedKeys(['aws:region', 'matchmaking:regions', 'matchmaking:protectData']),
    ).not.toThrow();
  });

  it('reads every setting of the schema in infra/index.ts (a setting it does not pass would be refused as unknown)', async () => {
    const { settingsSchema } = await import('../src/settings.js');
    const index = readFileSync(fileURLToPath(new URL('../index.ts', import.meta.url)), 'utf8');
    for (const name of Object.keys(settingsSchema.shape).filter((n) => n !== 'homeRegion'))
      expect(index, name).toMatch(
        new RegExp(`${name}: config\\.(get|getObject|requireObject)(<[^>]+>)?\\('${name}'\\)`),
      );
  });
});

describe('trust policies (item 10)', () => {
  it("lets a role be assumed only on this account's behalf (aws:SourceAccount) where the service documents it", () => {
    const roles = ofStack('mm-tuned', 'aws:iam/role:Role');
    const conditioned = new Set<string>();
    for (const role of roles) {
      const [statement, ...rest] = JSON.parse(String(role.inputs.assumeRolePolicy)).Statement;
      expect(rest, role.name).toEqual([]);
      // ECS's task execution role and API Gateway's CloudWatch role: no doc says the service sends the key.
      const undocumented = role.name.endsWith('-execution') || role.name.endsWith('-apigateway-logs');
      expect(statement.Condition, role.name).toEqual(
        undocumented ? undefined : { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      );
      if (!undocumented) conditioned.add(statement.Principal.Service);
    }
    expect([...conditioned].sort()).toEqual([
      'ecs-tasks.amazonaws.com',
      'events.amazonaws.com',
      'lambda.amazonaws.com',
    ]);
    expect(roles.filter((r) => r.name.endsWith('-execution'))).toHaveLength(2);
  });
});

describe('deploys and running work (item 8)', () => {
  it('keeps every earlier task definition revision registered (starts in flight still use it)', () => {
    const definitions = ofStack('mm-plain', 'aws:ecs/taskDefinition:TaskDefinition');
    expect(definitions).toHaveLength(2);
    for (const definition of definitions) expect(definition.inputs.skipDestroy, definition.name).toBe(true);
  });

  it("expires all but the latest 10 images of each region's repository", () => {
    const repositories = ofStack('mm-plain', 'aws:ecr/repository:Repository');
    const policies = ofStack('mm-plain', 'aws:ecr/lifecyclePolicy:LifecyclePolicy');
    expect(policies.map((p) => p.inputs.repository).sort()).toEqual(
      repositories.map((r) => r.state.name).sort(),
    );
    for (const policy of policies)
      expect(JSON.parse(String(policy.inputs.policy)).rules).toEqual([
        expect.objectContaining({
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
          action: { type: 'expire' },
        }),
      ]);
  });

  it('names ECR repositories in lower case, whatever the stack is called (ECR refuses capitals)', async () => {
    const { ecrRepositoryName } = await import('../src/fleet/fleet.js');
    expect(ecrRepositoryName('matchmaking-Prod_EU-eu-west-1')).toBe(
      'matchmaking-prod_eu-eu-west-1-game-server',
    );
    const ecrName = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
    expect(ecrRepositoryName('matchmaking-Prod_-EU--eu-west-1')).toBe(
      'matchmaking-prod-eu-eu-west-1-game-server',
    );
    expect(ecrRepositoryName('matchmaking-Prod_-EU--eu-west-1')).toMatch(ecrName);
    // A lower-case stack keeps its auto-named repository (a rename would replace it, images and all).
    for (const repository of ofStack('mm-plain', 'aws:ecr/repository:Repository'))
      expect(repository.inputs.name).toBeUndefined();
  });
});

describe('launch-day table throughput (item 9)', () => {
  it('pre-warms the hot tables when matchmaking:tableWarmThroughput is set, and nothing by default', () => {
    const warm = ofStack('mm-tuned', 'aws:dynamodb/table:Table')
      .filter((t) => t.inputs.warmThroughput !== undefined)
      .map((t) => [t.name, t.inputs.warmThroughput]);
    expect(warm.sort()).toEqual(
      ['connections', 'matches', 'players', 'tickets'].map((n) => [
        `mm-tuned-${n}`,
        { writeUnitsPerSecond: 10000 },
      ]),
    );
    for (const table of ofStack('mm-plain', 'aws:dynamodb/table:Table'))
      expect(table.inputs.warmThroughput, table.name).toBeUndefined();
    // Their indexes too (a throttled index throttles its table's writes).
    const tickets = tuned.named('aws:dynamodb/table:Table', 'mm-tuned-tickets');
    const indexes = tickets.inputs.globalSecondaryIndexes as { warmThroughput?: object }[];
    expect(indexes.length).toBeGreaterThan(0);
    for (const index of indexes) expect(index.warmThroughput).toEqual({ writeUnitsPerSecond: 10000 });
  });

  it('refuses warm throughput below what a new table has anyway', async () => {
    const { parseSettings } = await import('../src/settings.js');
    expect(() => parseSettings({ ...base, tableWarmThroughput: { writeUnitsPerSecond: 100 } })).toThrow(
      /matchmaking:tableWarmThroughput\.writeUnitsPerSecond/,
    );
  });
});

describe('smaller ones (item 10)', () => {
  it("passes the fleets' roles only to ECS tasks, runs tasks only in the fleets' clusters, and grants no DescribeTasks", () => {
    const statements = plain.statementsOf('matchStarter') as { Action: string[]; Condition?: object }[];
    expect(statements.find((s) => s.Action.includes('iam:PassRole'))?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    expect(statements.find((s) => s.Action.includes('ecs:RunTask'))?.Condition).toHaveProperty('ArnEquals');
    for (const policy of ofStack('mm-plain', 'aws:iam/rolePolicy:RolePolicy'))
      expect(String(policy.inputs.policy)).not.toContain('ecs:DescribeTasks');
  });

  it('exports matchStartDeadLetterQueueUrl, as the README documents', () => {
    const index = readFileSync(fileURLToPath(new URL('../index.ts', import.meta.url)), 'utf8');
    expect(index).toContain(
      'export const matchStartDeadLetterQueueUrl = outputs.matchStartDeadLetterQueueUrl;',
    );
  });
});
