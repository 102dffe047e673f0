import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Dev-only (AGPL): the simulator checks the policy here and is never imported by the program.
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import {
  ACCOUNT,
  type DeclaredResource,
  PREFLIGHT_ACTIONS,
  preflightRequests,
  type Request,
  requiredActions,
  requiredRequests,
} from '../deploy-role/required-actions.js';
import { installMocks } from './mocks.js';

/*
 * The deploy role's policy (infra/deploy-role/policy.json) against the program: every resource
 * type the program declares has its required actions listed, and the policy allows every one of
 * them on the resource it is made for. Also the figures the README's idle cost counts.
 */

// The functions' code is not what the role is about: no bundling (esbuild, 24 functions, twice).
vi.mock('@matchmaking/functions/bundle', () => ({ bundleFunction: (_: unknown, outDir: string) => outDir }));

const recorded = installMocks();
const buildDir = mkdtempSync(join(tmpdir(), 'infra-deploy-role-'));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const deployRole = (file: string) => join(repoRoot, 'infra', 'deploy-role', file);
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/matchmaking-deploy`;

/** Pulumi.dev.yaml's settings as the program reads them (index.ts): aws:region and the matchmaking:* keys. */
function devConfig(): Record<string, unknown> {
  const file = parse(readFileSync(join(repoRoot, 'Pulumi.dev.yaml'), 'utf8')) as {
    config: Record<string, unknown>;
  };
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(file.config)) {
    if (key === 'aws:region') raw.homeRegion = value;
    else if (key.startsWith('matchmaking:')) raw[key.slice('matchmaking:'.length)] = value;
  }
  return raw;
}

/** The dev stack with the warm pool off (its default): what the README's idle cost is computed for. */
const DEV = 'matchmaking-dev';
/** Pulumi.dev.yaml with every optional resource on: custom domain, alarm e-mail and topic, Spot, a warm pool in each region. */
const FULL = 'matchmaking-prod';

beforeAll(async () => {
  const { createMatchmaking } = await import('../src/program.js');
  const { parseSettings } = await import('../src/settings.js');
  const { warmPool: _, ...dev } = devConfig();
  expect(dev.regions).toHaveLength(2);
  createMatchmaking(parseSettings(dev), { prefix: DEV, repoRoot, buildDir });
  createMatchmaking(
    parseSettings({
      ...devConfig(),
      fargateSpot: true,
      warmPool: { default: { idle: 1, max: 4 } },
      domainName: 'play.example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      alarms: {
        timeToMatchP95Seconds: 60,
        email: 'ops@example.com',
        topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:pager`,
      },
    }),
    { prefix: FULL, repoRoot, buildDir },
  );
  // Let every apply() settle so every resource is registered.
  await new Promise((resolve) => setTimeout(resolve, 200));
}, 120_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

const of = (prefix: string) => recorded.filter((r) => r.name.startsWith(`${prefix}-`));

interface Policy {
  Version: string;
  Statement: { Sid: string; Action: string | string[]; Resource: string | string[] }[];
}
const readPolicy = (): Policy => JSON.parse(readFileSync(deployRole('policy.json'), 'utf8')) as Policy;

/**
 * The simulator's verdict on one request. Its action data lists no resource types for API
 * Gateway v2's paths (/apis/..., /domainnames/.../apimappings: the v1 and v2 APIs share the
 * `apigateway` prefix and their GET/POST/... actions), so those alone are evaluated without
 * that validation; every other request is validated (the action exists, the ARN is of a
 * resource type the action takes, the context keys apply).
 */
async function verdict(policy: Policy, request: Request): Promise<string> {
  const simulation: Simulation = {
    identityPolicies: [{ name: 'deploy', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      principal: PRINCIPAL,
      action: request.action,
      resource: { resource: request.resource, accountId: ACCOUNT },
      contextVariables: request.context,
    },
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType !== 'error') return result.overallResult;
  if (result.errors.message === 'no.resource.types' && request.action.startsWith('apigateway:'))
    return runUnsafeSimulation(simulation, {});
  return `invalid request (${result.errors.message})`;
}

/** The requests the policy does not allow, each with what it is for. */
async function notAllowed(policy: Policy, requests: readonly Request[]): Promise<string[]> {
  const unique = new Map(requests.map((r) => [`${r.action} ${r.resource} ${JSON.stringify(r.context)}`, r]));
  const denied: string[] = [];
  for (const [key, request] of unique) {
    const answer = await verdict(policy, request);
    if (answer !== 'Allowed') denied.push(`${key}: ${answer} (for ${request.for})`);
  }
  return denied;
}

describe('the deploy role (infra/deploy-role/policy.json)', () => {
  it('has required actions listed for every resource type the program declares', () => {
    const types = new Set(recorded.map((r) => r.type));
    // The full stack declares the optional ones too (custom domain, alarm e-mail).
    expect(types).toContain('aws:acm/certificate:Certificate');
    expect(types).toContain('aws:sns/topicSubscription:TopicSubscription');
    const missing = [...types].filter((type) => !(type in requiredActions));
    expect(missing, 'add them to infra/deploy-role/required-actions.ts and policy.json').toEqual([]);
  });

  it('allows every action pulumi up, preview and destroy call on the resources of the program', async () => {
    const requests = requiredRequests(recorded as DeclaredResource[]);
    // Realistic names: the stack's resources are named matchmaking-<stack>-..., which the policy scopes to.
    expect(requests.find((r) => r.action === 'dynamodb:CreateTable')?.resource).toMatch(
      /^arn:aws:dynamodb:us-east-1:123456789012:table\/matchmaking-(dev|prod)-\w+-[0-9a-f]{7}$/,
    );
    expect(
      requests.filter((r) => r.action === 'ecs:CreateCluster').map((r) => r.resource.split(':')[3]),
    ).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
    expect(await notAllowed(readPolicy(), requests)).toEqual([]);
  });

  it('reports a denied action when a statement the program needs is taken out', async () => {
    const policy = readPolicy();
    const withoutTables = { ...policy, Statement: policy.Statement.filter((s) => s.Sid !== 'Tables') };
    const requests = requiredRequests(of(DEV) as DeclaredResource[]);
    const denied = await notAllowed(withoutTables, requests);
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((line) => line.startsWith('dynamodb:'))).toBe(true);
    expect(denied.join('\n')).toContain(
      `dynamodb:CreateTable arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${DEV}-`,
    );
  });

  it('passes roles only to the services the program gives them to, and only its own roles', async () => {
    const pass = (role: string, service: string) =>
      verdict(readPolicy(), {
        action: 'iam:PassRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        context: { 'iam:PassedToService': service },
        for: 'a role',
      });
    expect(await pass('matchmaking-dev-matchmaker-role-1234567', 'lambda.amazonaws.com')).toBe('Allowed');
    expect(await pass('matchmaking-dev-matchmaker-role-1234567', 'ec2.amazonaws.com')).not.toBe('Allowed');
    expect(await pass('OrganizationAccountAccessRole', 'lambda.amazonaws.com')).not.toBe('Allowed');
  });

  it('allows every read pnpm preflight makes before pulumi up (the deploy workflow runs it with this role)', async () => {
    const requests = preflightRequests(DEV, ['us-east-1', 'eu-west-1'], 'us-east-1');
    expect(new Set(requests.map((r) => r.action))).toEqual(new Set(PREFLIGHT_ACTIONS));
    expect(await notAllowed(readPolicy(), requests)).toEqual([]);
    const withoutReads = {
      ...readPolicy(),
      Statement: readPolicy().Statement.filter((s) => s.Sid !== 'PreflightReads'),
    };
    expect((await notAllowed(withoutReads, requests)).join('\n')).toContain('lambda:GetAccountSettings');
  });

  it('grants no action that no resource type of the program (or preflight) needs', () => {
    const needed = new Set([
      ...Object.values(requiredActions).flatMap((needs) => needs.flatMap((n) => n.actions)),
      ...PREFLIGHT_ACTIONS,
    ]);
    const granted = readPolicy().Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(granted.filter((action) => !needed.has(action))).toEqual([]);
  });

  it('needs no KMS permission: tables and queues are encrypted with keys AWS owns or manages', () => {
    const tables = recorded.filter((r) => r.type === 'aws:dynamodb/table:Table');
    const queues = recorded.filter((r) => r.type === 'aws:sqs/queue:Queue');
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables)
      expect((table.inputs.serverSideEncryption as { kmsKeyArn?: string }).kmsKeyArn).toBeUndefined();
    for (const queue of queues) {
      expect(queue.inputs.kmsMasterKeyId).toBeUndefined();
      expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
    }
    expect(JSON.stringify(readPolicy())).not.toContain('kms:');
  });

  it('fits an inline role policy (10,240 characters, whitespace not counted)', () => {
    // IAM object quotas: "Role policy size" 10,240; a managed policy's 6,144 is too small for it.
    const size = JSON.stringify(readPolicy()).replace(/\s/g, '').length;
    expect(size).toBeLessThanOrEqual(10_240);
    expect(size).toBeGreaterThan(6_144);
  });
});

describe("the README's idle cost (its deploy guide)", () => {
  /** README's "What it costs" part of "Deploy to AWS". */
  const guide = () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    return readme.slice(readme.indexOf('### What it costs'), readme.indexOf('<!-- deploy:end -->'));
  };
  /** The number the README states before `what`, e.g. "**17 CloudWatch alarms**". */
  const stated = (what: string): number => {
    const match = guide().match(new RegExp(`(\\d+) ${what}`));
    if (!match) throw new Error(`README's cost states no "<n> ${what}"`);
    return Number(match[1]);
  };
  const count = (prefix: string, type: string) => of(prefix).filter((r) => r.type === type).length;

  it('counts the alarms, dashboards and log groups the dev stack declares with the warm pool off', () => {
    expect(stated('CloudWatch alarms')).toBe(count(DEV, 'aws:cloudwatch/metricAlarm:MetricAlarm'));
    expect(stated('CloudWatch dashboard')).toBe(count(DEV, 'aws:cloudwatch/dashboard:Dashboard'));
    expect(stated('log groups')).toBe(count(DEV, 'aws:cloudwatch/logGroup:LogGroup'));
  });

  it("shows more than the free tier's 50 metrics on the dashboard (so it is billed)", () => {
    expect(guide()).toContain('more than 50 metrics');
    const dashboard = of(DEV).find((r) => r.type === 'aws:cloudwatch/dashboard:Dashboard');
    const body = JSON.parse(String(dashboard?.inputs.dashboardBody)) as {
      widgets: { type: string; properties: { metrics?: unknown[] } }[];
    };
    const metrics = body.widgets.flatMap((w) => (w.type === 'metric' ? (w.properties.metrics ?? []) : []));
    expect(metrics.length).toBeGreaterThan(50);
  });

  it('adds one alarm per region whose warm pool keeps idle servers', () => {
    expect(guide().match(/\+(\d+) alarm per warm region/)?.[1]).toBe('1');
    // The full stack keeps an idle server in each of its regions.
    const warmRegions = (devConfig().regions as string[]).length;
    expect(count(FULL, 'aws:cloudwatch/metricAlarm:MetricAlarm')).toBe(
      count(DEV, 'aws:cloudwatch/metricAlarm:MetricAlarm') + warmRegions,
    );
  });
});
