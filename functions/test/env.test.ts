import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEPLOYMENT_FILE, DEPLOYMENT_FILE_VARIABLES, loadConfig } from '../src/env.js';

describe('loadConfig', () => {
  it('parses lists, numbers and JSON and applies defaults', () => {
    const config = loadConfig(['MATCHMAKING_REGIONS', 'MATCHMAKING_QUEUES', 'GAME_SERVER_FLEETS'], {
      MATCHMAKING_REGIONS: 'us-east-1, eu-west-1',
      GAME_SERVER_FLEETS: JSON.stringify({
        'us-east-1': {
          cluster: 'c',
          taskDefinition: 't',
          containerName: 'g',
          subnets: ['s'],
          securityGroups: ['sg'],
        },
      }),
    });
    expect(config.MATCHMAKING_REGIONS).toEqual(['us-east-1', 'eu-west-1']);
    expect(config.MATCHMAKING_QUEUES).toEqual({
      duel: {
        teamSize: 1,
        ratingWindow: { initial: 100, growthPerSecond: 10, max: 600 },
        maxWaitSeconds: 300,
        partyRating: 'mean',
        default: false,
      },
    });
    expect(config.GAME_SERVER_FLEETS['us-east-1']?.assignPublicIp).toBe(true);
  });

  it('names every missing or bad variable at once', () => {
    const load = () =>
      loadConfig(['JWKS_URL', 'MATCHMAKING_QUEUES', 'MATCHMAKING_QUEUE_URL'], {
        MATCHMAKING_QUEUES: '{"duel":{"teamSize":0}}',
        MATCHMAKING_QUEUE_URL: 'http://q/standard',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /JWKS_URL is not set.*MATCHMAKING_QUEUES is invalid.*MATCHMAKING_QUEUE_URL is invalid: must be a FIFO/,
    );
  });

  it('refuses queues without exactly one default, or with a bad name or window, naming the problem', () => {
    const load = (queues: unknown) => () =>
      loadConfig(['MATCHMAKING_QUEUES'], { MATCHMAKING_QUEUES: JSON.stringify(queues) });
    expect(load({ duel: { teamSize: 1 }, squad: { teamSize: 4 } })).toThrow(/exactly one queue must have/);
    expect(load({ duel: { teamSize: 1, default: true }, squad: { teamSize: 4, default: true } })).toThrow(
      /exactly one queue/,
    );
    expect(load({ Duel: { teamSize: 1 } })).toThrow(/lowercase/);
    expect(load({ duel: { teamSize: 1, ratingWindow: { initial: 200, max: 100 } } })).toThrow(
      /max must be at least initial/,
    );
    expect(load({ duel: { teamSize: 1, partyRating: 'median' } })).toThrow(/MATCHMAKING_QUEUES is invalid/);
    expect(load({})).toThrow(/at least one queue/);
  });

  it('reads a latency limit (with its defaults) and a ready check, and refuses bad ones, naming the key', () => {
    const load = (queues: unknown) =>
      loadConfig(['MATCHMAKING_QUEUES'], { MATCHMAKING_QUEUES: JSON.stringify(queues) }).MATCHMAKING_QUEUES;
    expect(load({ duel: { teamSize: 1, latency: {}, readyCheckSeconds: 20 } }).duel).toMatchObject({
      latency: { initialMs: 60, stepMs: 10, stepSeconds: 5, maxMs: 150 },
      readyCheckSeconds: 20,
    });
    expect(load({ duel: { teamSize: 1 } }).duel).not.toHaveProperty('latency');
    expect(load({ duel: { teamSize: 1 } }).duel).not.toHaveProperty('readyCheckSeconds');
    expect(() => load({ duel: { teamSize: 1, latency: { initialMs: 200, maxMs: 100 } } })).toThrow(
      /maxMs must be at least initialMs/,
    );
    expect(() => load({ duel: { teamSize: 1, latency: { stepSeconds: 0 } } })).toThrow(/stepSeconds/);
    expect(() => load({ duel: { teamSize: 1, readyCheckSeconds: 0 } })).toThrow(/readyCheckSeconds/);
    expect(() => load({ duel: { teamSize: 1, readyCheckSeconds: 601 } })).toThrow(/readyCheckSeconds/);
  });
});

describe('PING_URL_TEMPLATE', () => {
  const load = (template: string | undefined) => () =>
    loadConfig(['PING_URL_TEMPLATE'], { PING_URL_TEMPLATE: template }).PING_URL_TEMPLATE;

  it("defaults to DynamoDB's regional /ping and accepts an http(s) URL with {region}", () => {
    expect(load(undefined)()).toBe('https://dynamodb.{region}.{dnsSuffix}/ping');
    expect(load('http://127.0.0.1:3001/ping/{region}')()).toBe('http://127.0.0.1:3001/ping/{region}');
    expect(load('https://dynamodb.{region}.api.aws/ping')()).toBe('https://dynamodb.{region}.api.aws/ping');
  });

  it('refuses a template without {region}, with another placeholder, not http(s), or with credentials', () => {
    expect(load('https://dynamodb.us-east-1.amazonaws.com/ping')).toThrow(
      /PING_URL_TEMPLATE is invalid: must contain \{region\}/,
    );
    expect(load('https://dynamodb.{regoin}.amazonaws.com/ping?r={region}')).toThrow(
      /unknown placeholder \{regoin\}/,
    );
    expect(load('ftp://ping.example.com/{region}')).toThrow(/must be an http\(s\) URL, not ftp:/);
    expect(load('dynamodb.{region}.amazonaws.com/ping')).toThrow(/must be an http\(s\) URL/);
    expect(load('https://user:secret@{region}.example.com/ping')).toThrow(/must not carry credentials/);
    expect(load('')).toThrow(/PING_URL_TEMPLATE is not set/);
  });
});

describe('the deployment file (the large settings, beside the handler)', () => {
  const fleets = {
    'eu-west-1': {
      cluster: 'c',
      taskDefinition: 't',
      containerName: 'g',
      subnets: ['s'],
      securityGroups: ['sg'],
    },
  };
  const taskRoot = (content: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'env-test-'));
    writeFileSync(join(dir, DEPLOYMENT_FILE), content);
    return dir;
  };
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const made: string[] = [];

  it('reads GAME_SERVER_FLEETS, MATCHMAKING_QUEUES and WARM_POOL from $LAMBDA_TASK_ROOT/deployment.json', () => {
    const dir = taskRoot(
      JSON.stringify({
        GAME_SERVER_FLEETS: JSON.stringify(fleets),
        MATCHMAKING_QUEUES: JSON.stringify({ squad: { teamSize: 4 } }),
        WARM_POOL: JSON.stringify({ default: { idle: 1, max: 2 } }),
      }),
    );
    made.push(dir);
    const config = loadConfig(['GAME_SERVER_FLEETS', 'MATCHMAKING_QUEUES', 'WARM_POOL'], {
      LAMBDA_TASK_ROOT: dir,
    });
    expect(Object.keys(config.GAME_SERVER_FLEETS)).toEqual(['eu-west-1']);
    expect(Object.keys(config.MATCHMAKING_QUEUES)).toEqual(['squad']);
    expect(config.WARM_POOL.default).toEqual({ idle: 1, max: 2 });
    expect(DEPLOYMENT_FILE_VARIABLES).toEqual(['GAME_SERVER_FLEETS', 'MATCHMAKING_QUEUES', 'WARM_POOL']);
  });

  it('validates the file as it validates variables, and names a file that is not JSON', () => {
    const bad = taskRoot(JSON.stringify({ MATCHMAKING_QUEUES: '{"duel":{"teamSize":0}}' }));
    const broken = taskRoot('{not json');
    made.push(bad, broken);
    expect(() => loadConfig(['MATCHMAKING_QUEUES'], { LAMBDA_TASK_ROOT: bad })).toThrow(
      /MATCHMAKING_QUEUES is invalid/,
    );
    expect(() => loadConfig(['MATCHMAKING_QUEUES'], { LAMBDA_TASK_ROOT: broken })).toThrow(
      /deployment\.json is not JSON/,
    );
  });

  it('reads no file for the small settings, and a missing file leaves the defaults', () => {
    const empty = mkdtempSync(join(tmpdir(), 'env-test-'));
    made.push(empty);
    expect(loadConfig(['MATCHMAKING_QUEUES'], { LAMBDA_TASK_ROOT: empty }).MATCHMAKING_QUEUES).toHaveProperty(
      'duel',
    );
  });
});
