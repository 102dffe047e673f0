import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envDefaults } from '@matchmaking/functions/env';
import { functions } from '@matchmaking/functions/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installMocks, type Recorded, resourcesOf } from './mocks.js';

/*
 * getPingTargets in the deployment: its route and function, PING_URL_TEMPLATE
 * (`matchmaking:pingUrlTemplate`, DynamoDB's regional /ping when unset) on
 * exactly the functions that read it, bad templates refused naming the key,
 * and least privilege: no table but the caller's message count.
 */
const recorded = installMocks();
const buildDir = mkdtempSync(join(tmpdir(), 'infra-ping-build-'));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const base = {
  homeRegion: 'us-east-1',
  regions: ['us-east-1', 'eu-west-1'],
  jwtIssuer: 'i',
  jwtAudience: 'a',
  jwksUrl: 'https://x/jwks.json',
};
const CUSTOM = 'https://ping-{region}.example.com/health';

beforeAll(async () => {
  const { createMatchmaking } = await import('../src/program.js');
  const { parseSettings } = await import('../src/settings.js');
  // As infra/index.ts passes it (config.get): a string, or undefined when unset.
  createMatchmaking(parseSettings({ ...base, pingUrlTemplate: undefined }), {
    prefix: 'mm-p',
    repoRoot,
    buildDir,
  });
  createMatchmaking(parseSettings({ ...base, pingUrlTemplate: CUSTOM }), {
    prefix: 'mm-c',
    repoRoot,
    buildDir,
  });
  // Let every apply() settle so policies and env are recorded.
  await new Promise((resolve) => setTimeout(resolve, 200));
}, 120_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

const { ofType, named, statementsOf } = resourcesOf(recorded, 'mm-p');
const variablesOf = (prefix: string, fn: string) => resourcesOf(recorded, prefix).variablesOf(fn);

describe('matchmaking:pingUrlTemplate', () => {
  it("unset, is DynamoDB's regional /ping, the functions' own default", async () => {
    const { parseSettings } = await import('../src/settings.js');
    expect(parseSettings(base).pingUrlTemplate).toBe('https://dynamodb.{region}.{dnsSuffix}/ping');
    expect(parseSettings(base).pingUrlTemplate).toBe(envDefaults.PING_URL_TEMPLATE);
  });

  it("is set in Pulumi.dev.yaml to the default, which the functions' schema accepts", async () => {
    const { parseSettings } = await import('../src/settings.js');
    const file = parse(readFileSync(join(repoRoot, 'Pulumi.dev.yaml'), 'utf8')) as {
      config: Record<string, unknown>;
    };
    const configured = file.config['matchmaking:pingUrlTemplate'];
    expect(configured).toBe(envDefaults.PING_URL_TEMPLATE);
    expect(parseSettings({ ...base, pingUrlTemplate: configured }).pingUrlTemplate).toBe(configured);
  });

  it.each([
    ['no {region}', 'https://dynamodb.us-east-1.amazonaws.com/ping', /must contain \{region\}/],
    ['a misspelt placeholder', 'https://{regoin}.example.com/{region}', /unknown placeholder \{regoin\}/],
    ['not http(s)', 'ftp://{region}.example.com/ping', /must be an http\(s\) URL, not ftp:/],
    ['not a URL', '{region}.example.com/ping', /must be an http\(s\) URL/],
  ])('refuses a template with %s, naming the key', async (_case, template, message) => {
    const { parseSettings } = await import('../src/settings.js');
    const load = () => parseSettings({ ...base, pingUrlTemplate: template });
    expect(load).toThrow(/invalid stack configuration: matchmaking:pingUrlTemplate: /);
    expect(load).toThrow(message);
  });
});

describe('getPingTargets (with mocks)', () => {
  it('sets PING_URL_TEMPLATE, as configured or the default, on exactly the functions whose manifest entry lists it', () => {
    const reading = functions.filter((definition) => definition.env.includes('PING_URL_TEMPLATE'));
    expect(reading.map((definition) => definition.name)).toEqual(['getPingTargets']);
    for (const definition of functions) {
      for (const [prefix, expected] of [
        ['mm-p', 'https://dynamodb.{region}.{dnsSuffix}/ping'],
        ['mm-c', CUSTOM],
      ] as const) {
        expect(variablesOf(prefix, definition.name).PING_URL_TEMPLATE, definition.name).toBe(
          definition.env.includes('PING_URL_TEMPLATE') ? expected : undefined,
        );
      }
    }
    // It also gets the served regions, and what every message route needs (replies, the message limit).
    expect(variablesOf('mm-p', 'getPingTargets')).toMatchObject({
      MATCHMAKING_REGIONS: 'us-east-1,eu-west-1',
      PLAYERS_TABLE: 'mm-p-players',
      MAX_MESSAGES_PER_PLAYER: '20',
    });
  });

  it('routes the WebSocket action getPingTargets to its own function, unauthorized (the connection carries the user)', () => {
    const websocket = named('aws:apigatewayv2/api:Api', 'mm-p-ws');
    const routes = ofType('aws:apigatewayv2/route:Route').filter(
      (r) => r.inputs.routeKey === 'getPingTargets' && r.inputs.apiId === websocket.id,
    );
    expect(routes).toHaveLength(1);
    const route = routes[0] as Recorded;
    expect(route.inputs.authorizationType).toBeUndefined();
    const integration = ofType('aws:apigatewayv2/integration:Integration').find(
      (i) => route.inputs.target === `integrations/${i.id}`,
    );
    const lambda = named('aws:lambda/function:Function', 'mm-p-getPingTargets');
    expect(integration?.inputs).toMatchObject({
      apiId: websocket.id,
      integrationType: 'AWS_PROXY',
      integrationUri: lambda.state.invokeArn,
    });
    expect(lambda.inputs).toMatchObject({ timeout: 10, memorySize: 256 });
  });

  it('grants it only the message count (UpdateItem on players) and replies, as $default: no other table, queue or ECS', () => {
    const statements = statementsOf('getPingTargets');
    const actions = statements.flatMap((s) => s.Action).sort();
    expect(actions).toEqual(
      [
        'dynamodb:UpdateItem',
        'execute-api:ManageConnections',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
    const players = String(named('aws:dynamodb/table:Table', 'mm-p-players').state.arn);
    expect(statements.find((s) => s.Action.includes('dynamodb:UpdateItem'))?.Resource).toEqual([players]);
    // Exactly the lightest existing route's access.
    const defaultActions = statementsOf('default')
      .flatMap((s) => s.Action)
      .sort();
    expect(actions).toEqual(defaultActions);
  });
});
