import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { GetRoleCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  LambdaServiceException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  AccessDeniedException,
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  NoSuchResourceException,
} from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { NO_POOL } from '@matchmaking/functions/pool-config';
import { afterAll, describe, expect, it } from 'vitest';
import { type AwsClients, awsAccountReader, type Sender } from '../preflight/aws-reader.js';
import {
  checkApiGatewayRole,
  checkLambdaConcurrency,
  couldNotCheck,
  type PreflightPlan,
} from '../preflight/checks.js';
import { runCli } from '../preflight/cli.js';
import { type AccountReader, runPreflight } from '../preflight/preflight.js';

/*
 * pnpm preflight: the checks over a fake AccountReader (a fresh account, a ready one, denied
 * reads), the reader over fake SDK clients answering with the SDK's own exceptions, and the CLI
 * over temporary Pulumi stack files.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function stackDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const DEV_LIKE = `config:
  aws:region: us-east-1
  matchmaking:regions:
    - us-east-1
    - eu-west-1
  matchmaking:gameServerCpu: "256"
  matchmaking:warmPool:
    default: { idle: 2, max: 10 }
    regions:
      eu-west-1: { idle: 1, max: 4 }
  matchmaking:accessLogs: existing
`;

interface Account {
  identity: { account: string; arn: string } | Error;
  lambda: { concurrentExecutions: number; unreservedConcurrentExecutions: number } | Error;
  reserved: Record<string, number>;
  cloudwatchRoleArn: string | undefined | Error;
  ecsRole: boolean | Error;
  fargate: Record<string, number | undefined | Error>;
}

const READY: Account = {
  identity: { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/deploy/ci' },
  lambda: { concurrentExecutions: 1000, unreservedConcurrentExecutions: 1000 },
  reserved: {},
  cloudwatchRoleArn: 'arn:aws:iam::123456789012:role/APIGatewayCloudWatchLogs',
  ecsRole: true,
  fargate: { 'us-east-1': 4000, 'eu-west-1': 4000 },
};

const FRESH: Account = {
  identity: READY.identity,
  lambda: { concurrentExecutions: 10, unreservedConcurrentExecutions: 10 },
  reserved: {},
  cloudwatchRoleArn: undefined,
  ecsRole: false,
  fargate: { 'us-east-1': 2, 'eu-west-1': 2 },
};

function denied(action: string): Error {
  const error = new Error(
    `User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: ${action}`,
  );
  error.name = 'AccessDeniedException';
  return error;
}

/** An AccountReader answering from `account`, recording each read. */
function fakeReader(account: Account, calls: string[] = []): AccountReader {
  const answer = async <T>(value: T | Error): Promise<T> => {
    if (value instanceof Error) throw value;
    return value;
  };
  return {
    callerIdentity: () => {
      calls.push('sts');
      return answer(account.identity);
    },
    lambdaAccountSettings: (region) => {
      calls.push(`lambda:${region}`);
      return answer(account.lambda);
    },
    functionReservedConcurrency: async (region, name) => {
      calls.push(`concurrency:${region}:${name}`);
      return account.reserved[name];
    },
    apiGatewayCloudWatchRoleArn: (region) => {
      calls.push(`apigateway:${region}`);
      return answer(account.cloudwatchRoleArn);
    },
    roleExists: (name) => {
      calls.push(`iam:${name}`);
      return answer(account.ecsRole);
    },
    serviceQuota: (region, service, code) => {
      calls.push(`quota:${region}:${service}:${code}`);
      return answer(account.fargate[region]);
    },
  };
}

async function cli(args: string[], dir: string, reader: AccountReader) {
  let out = '';
  let err = '';
  const homes: string[] = [];
  const code = await runCli(args, {
    rootDir: dir,
    readerFor: (home) => {
      homes.push(home);
      return reader;
    },
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { code, out, err, homes };
}

function plan(overrides: Partial<PreflightPlan> = {}): PreflightPlan {
  return {
    stack: 'dev',
    homeRegion: 'us-east-1',
    regions: ['us-east-1'],
    gameServerCpu: 256,
    fargateSpot: false,
    warmPool: NO_POOL,
    concurrentMatches: 10,
    reservations: [],
    accessLogs: 'off',
    ...overrides,
  };
}

describe('pnpm preflight over an account', () => {
  it('lists every action with its command on a fresh account and exits 1', async () => {
    const dir = stackDir({ 'Pulumi.dev.yaml': DEV_LIKE });
    const { code, out } = await cli(['--stack', 'dev'], dir, fakeReader(FRESH));
    expect(code).toBe(1);
    expect(out).toContain('concurrent executions 10 (recommended >= 1000)');
    expect(out).toContain('throttled');
    expect(out).toContain(
      'aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000 --region us-east-1',
    );
    expect(out).toContain('aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com');
    expect(out).toContain(
      'aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=arn:aws:iam::<account>:role/APIGatewayCloudWatchLogs --region us-east-1',
    );
    // us-east-1: (pool max 10 + 10 matches) x 0.25 vCPU; eu-west-1: (4 + 10) x 0.25.
    expect(out).toContain(
      'aws service-quotas request-service-quota-increase --service-code fargate --quota-code L-3032A538 --desired-value 5 --region us-east-1',
    );
    expect(out).toContain(
      'aws service-quotas request-service-quota-increase --service-code fargate --quota-code L-3032A538 --desired-value 4 --region eu-west-1',
    );
    expect(out).toContain(
      'Service Quotas > AWS services > AWS Fargate > Fargate On-Demand vCPU resource count',
    );
    expect(out.match(/ACTION NEEDED/g)).toHaveLength(5);
  });

  it('exits 0 on an account ready for the stack', async () => {
    const dir = stackDir({ 'Pulumi.dev.yaml': DEV_LIKE });
    const { code, out } = await cli([], dir, fakeReader(READY));
    expect(code).toBe(0);
    expect(out).not.toContain('ACTION NEEDED');
    expect(out).not.toContain('COULD NOT CHECK');
    expect(out).toContain('Nothing to raise or create');
    expect(out).toContain('account 123456789012 as arn:aws:sts::123456789012:assumed-role/deploy/ci');
  });

  it('reports a denied read as could not check, naming the permission the caller lacks', async () => {
    const results = await runPreflight(
      fakeReader({
        ...READY,
        lambda: denied('lambda:GetAccountSettings'),
        fargate: { 'us-east-1': denied('servicequotas:GetServiceQuota') },
      }),
      plan(),
    );
    const lambda = results.find((r) => r.title === 'Lambda concurrency')!;
    expect(lambda.status).toBe('unknown');
    expect(lambda.detail).toContain('the caller lacks lambda:GetAccountSettings');
    expect(lambda.fix[0]).toBe(
      'Grant the deploy credentials lambda:GetAccountSettings, then run pnpm preflight again',
    );
    const fargate = results.find((r) => r.title === 'Fargate On-Demand vCPU')!;
    expect(fargate.status).toBe('unknown');
    expect(fargate.detail).toContain('servicequotas:GetServiceQuota');
  });

  it('exits 1 when a check could not be made', async () => {
    const dir = stackDir({ 'Pulumi.dev.yaml': DEV_LIKE });
    const { code, out } = await cli([], dir, fakeReader({ ...READY, ecsRole: denied('iam:GetRole') }));
    expect(code).toBe(1);
    expect(out).toMatch(/COULD NOT CHECK\s+ECS service-linked role\s+-\s+the caller lacks iam:GetRole/);
  });

  it('stops at the credentials when they do not work, without the other reads', async () => {
    const calls: string[] = [];
    const noCredentials = new Error('Could not load credentials from any providers');
    noCredentials.name = 'CredentialsProviderError';
    const results = await runPreflight(fakeReader({ ...READY, identity: noCredentials }, calls), plan());
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ title: 'Credentials', status: 'unknown' });
    expect(calls).toEqual(['sts']);
  });

  it('names the region to enable when an opt-in region refuses the credentials', () => {
    const result = couldNotCheck(
      'Fargate On-Demand vCPU',
      {
        name: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid',
      },
      'servicequotas:GetServiceQuota',
      'af-south-1',
    );
    expect(result.status).toBe('unknown');
    expect(result.fix).toContain('aws account enable-region --region-name af-south-1');
    const elsewhere = couldNotCheck(
      'Fargate On-Demand vCPU',
      { name: 'UnrecognizedClientException', message: 'invalid token' },
      'servicequotas:GetServiceQuota',
      'eu-west-1',
    );
    expect(elsewhere.fix).toEqual([]);
  });

  it('checks the Spot quota when the stack runs game servers on Fargate Spot', async () => {
    const calls: string[] = [];
    await runPreflight(fakeReader(READY, calls), plan({ fargateSpot: true }));
    expect(calls).toContain('quota:us-east-1:fargate:L-36FBB829');
    expect(calls.filter((c) => c.startsWith('quota:'))).toHaveLength(1);
  });
});

describe('reserved concurrency', () => {
  const limits = (limit: number, unreserved: number) => ({
    ok: true as const,
    value: { concurrentExecutions: limit, unreservedConcurrentExecutions: unreserved },
  });
  const current = (n: number) => ({ ok: true as const, value: n });
  const reserving = (reserved: number) =>
    plan({ reservations: [{ functionName: 'matchmaking-dev-matchmaker', reserved }] });

  it('refuses a reservation that leaves fewer than 10 unreserved on a 10-execution account', () => {
    const result = checkLambdaConcurrency(reserving(5), limits(10, 10), current(0));
    expect(result.status).toBe('action');
    expect(result.detail).toContain(
      "reserving 5 (matchmaking-dev-matchmaker 5) leaves 5 unreserved of 10, below AWS's minimum of 10",
    );
  });

  it('holds an account of 1000 to 100 unreserved and asks for enough to keep them', () => {
    const refused = checkLambdaConcurrency(reserving(950), limits(1000, 1000), current(0));
    expect(refused.status).toBe('action');
    expect(refused.detail).toContain("leaves 50 unreserved of 1000, below AWS's minimum of 100");
    expect(refused.fix).toContain(
      'aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1050 --region us-east-1',
    );
    expect(checkLambdaConcurrency(reserving(900), limits(1000, 1000), current(0)).status).toBe('ok');
  });

  it("adds back the stack's own current reservation, so a second pulumi up is not counted twice", () => {
    // Other functions reserve 895 and ours 5: 100 unreserved is exactly the minimum.
    expect(checkLambdaConcurrency(reserving(5), limits(1000, 100), current(5)).status).toBe('ok');
    expect(checkLambdaConcurrency(reserving(5), limits(1000, 100), current(0)).status).toBe('action');
  });

  it('reads the current reservation of each function the stack reserves for', async () => {
    const calls: string[] = [];
    await runPreflight(fakeReader(READY, calls), reserving(5));
    expect(calls).toContain('concurrency:us-east-1:matchmaking-dev-matchmaker');
  });

  it('takes matchmaking:reservedConcurrency from the stack file for the matchmaker', async () => {
    const dir = stackDir({
      'Pulumi.dev.yaml': `${DEV_LIKE}  matchmaking:reservedConcurrency: 950\n`,
      'Pulumi.none.yaml': DEV_LIKE,
    });
    const reserved = await cli([], dir, fakeReader(READY));
    expect(reserved.code).toBe(1);
    expect(reserved.out).toContain('reserving 950 (matchmaking-dev-matchmaker 950) leaves 50 unreserved');
    const none = await cli(['--stack', 'none'], dir, fakeReader(READY));
    expect(none.code).toBe(0);
    expect(none.out).not.toContain('reserving');
  });
});

describe('API Gateway CloudWatch role', () => {
  const role = (value: string | undefined) => ({ ok: true as const, value });

  it('is not read when access logs are off', async () => {
    const calls: string[] = [];
    const results = await runPreflight(fakeReader(FRESH, calls), plan({ accessLogs: 'off' }));
    expect(calls.some((c) => c.startsWith('apigateway'))).toBe(false);
    expect(results.find((r) => r.title === 'API Gateway CloudWatch role')?.status).toBe('ok');
  });

  it('must already be set with accessLogs existing', () => {
    expect(checkApiGatewayRole(plan({ accessLogs: 'existing' }), role('arn:aws:iam::1:role/x')).status).toBe(
      'ok',
    );
    const missing = checkApiGatewayRole(plan({ accessLogs: 'existing' }), role(undefined));
    expect(missing.status).toBe('action');
    expect(missing.detail).toContain('CloudWatch Logs role ARN must be set');
  });

  it('warns that accessLogs create would take over a role another stack already set', () => {
    const taken = checkApiGatewayRole(plan({ accessLogs: 'create' }), role('arn:aws:iam::1:role/other'));
    expect(taken.status).toBe('action');
    expect(taken.detail).toContain('one per account and region');
    expect(taken.fix).toEqual(['pulumi config set matchmaking:accessLogs existing --stack dev']);
    const free = checkApiGatewayRole(plan({ accessLogs: 'create' }), role(undefined));
    expect(free.status).toBe('ok');
    expect(free.detail).toContain('no other stack in us-east-1 may manage it');
  });
});

describe('the CLI and the stack file', () => {
  it('reads the home region, the fleet regions, the pool, the CPU and Spot from Pulumi.<stack>.yaml', async () => {
    const dir = stackDir({
      'Pulumi.staging.yaml': `config:
  aws:region: eu-central-1
  matchmaking:regions: [eu-central-1, ap-southeast-2]
  matchmaking:gameServerCpu: 1024
  matchmaking:fargateSpot: "true"
  matchmaking:warmPool:
    default: { idle: 1, max: 3 }
`,
    });
    const calls: string[] = [];
    const { code, out, homes } = await cli(
      ['--stack', 'staging', '--concurrent-matches', '5'],
      dir,
      fakeReader({ ...READY, fargate: { 'eu-central-1': 100, 'ap-southeast-2': 7 } }, calls),
    );
    expect(homes).toEqual(['eu-central-1']);
    expect(calls).toContain('lambda:eu-central-1');
    expect(calls).toContain('quota:eu-central-1:fargate:L-36FBB829');
    expect(calls).toContain('quota:ap-southeast-2:fargate:L-36FBB829');
    expect(out).toContain('home region eu-central-1, fleets in eu-central-1, ap-southeast-2');
    // (max 3 + 5 matches) x 1 vCPU = 8 > 7 in ap-southeast-2 only.
    expect(out).toMatch(/ok\s+Fargate Spot vCPU\s+eu-central-1/);
    expect(out).toContain('quota 7 vCPU < 8 tasks');
    expect(out).toContain('--quota-code L-36FBB829 --desired-value 8 --region ap-southeast-2');
    expect(code).toBe(1);
  });

  it('exits 2 on bad usage: an unknown flag, a missing stack file, a bad setting', async () => {
    const dir = stackDir({
      'Pulumi.dev.yaml': DEV_LIKE,
      'Pulumi.bad.yaml': `${DEV_LIKE.replace('accessLogs: existing', 'accessLogs: always')}`,
    });
    const reader = fakeReader(READY);
    expect((await cli(['--stak', 'dev'], dir, reader)).code).toBe(2);
    const missing = await cli(['--stack', 'prod'], dir, reader);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('Pulumi.prod.yaml');
    const bad = await cli(['--stack', 'bad'], dir, reader);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('matchmaking:accessLogs');
    expect((await cli(['--concurrent-matches', '-1'], dir, reader)).code).toBe(2);
  });
});

describe('the AWS SDK reader', () => {
  /** Fake clients per service and region: `answer` gets the command and the region, like the SDK's send. */
  function clients(answer: (command: object, region: string) => unknown): {
    clients: AwsClients;
    made: string[];
  } {
    const made: string[] = [];
    const sender =
      (service: string) =>
      (region: string): Sender => {
        made.push(`${service}:${region}`);
        return {
          send: async (command) => {
            const out = answer(command, region);
            if (out instanceof Error) throw out;
            return out;
          },
        };
      };
    return {
      made,
      clients: {
        sts: sender('sts'),
        lambda: sender('lambda'),
        apiGateway: sender('apigateway'),
        iam: () => sender('iam')('global'),
        serviceQuotas: sender('servicequotas'),
      },
    };
  }

  it('maps the SDK answers and exceptions to ok, action needed and could not check', async () => {
    const { clients: fakes, made } = clients((command, region) => {
      if (command instanceof GetCallerIdentityCommand) {
        return { Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/dev' };
      }
      if (command instanceof GetAccountSettingsCommand) {
        return new LambdaServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          message: 'not authorized to perform: lambda:GetAccountSettings',
          $metadata: {},
        });
      }
      if (command instanceof GetFunctionConcurrencyCommand) {
        return new ResourceNotFoundException({ message: 'Function not found', $metadata: {} });
      }
      if (command instanceof GetAccountCommand) return { cloudwatchRoleArn: 'arn:aws:iam::1:role/logs' };
      if (command instanceof GetRoleCommand) {
        return new NoSuchEntityException({
          message: 'The role AWSServiceRoleForECS cannot be found.',
          $metadata: {},
        });
      }
      if (command instanceof GetServiceQuotaCommand) {
        if (region === 'eu-west-1') return new AccessDeniedException({ message: 'denied', $metadata: {} });
        // No applied value in either region: the default is read next.
        return new NoSuchResourceException({ message: 'no applied quota', $metadata: {} });
      }
      if (command instanceof GetAWSDefaultServiceQuotaCommand) {
        if (region === 'us-east-1') return { Quota: { Value: 6 } };
        return new NoSuchResourceException({ message: 'no such quota', $metadata: {} });
      }
      throw new Error(`unexpected command ${command.constructor.name}`);
    });
    const reader = awsAccountReader(fakes, 'us-east-1');
    const results = await runPreflight(
      reader,
      plan({
        regions: ['us-east-1', 'eu-west-1', 'ap-northeast-3'],
        reservations: [{ functionName: 'matchmaking-dev-matchmaker', reserved: 5 }],
        accessLogs: 'existing',
      }),
    );
    const byKey = Object.fromEntries(results.map((r) => [`${r.title}@${r.region ?? '-'}`, r]));
    expect(byKey['Credentials@-']).toMatchObject({ status: 'ok' });
    expect(byKey['Lambda concurrency@us-east-1']).toMatchObject({ status: 'unknown' });
    expect(byKey['Lambda concurrency@us-east-1']?.detail).toContain(
      'the caller lacks lambda:GetAccountSettings',
    );
    expect(byKey['API Gateway CloudWatch role@us-east-1']).toMatchObject({
      status: 'ok',
      detail: 'set: arn:aws:iam::1:role/logs',
    });
    expect(byKey['ECS service-linked role@-']).toMatchObject({ status: 'action' });
    // us-east-1: AWS's default 6 >= (0 + 10) x 0.25.
    expect(byKey['Fargate On-Demand vCPU@us-east-1']).toMatchObject({ status: 'ok' });
    expect(byKey['Fargate On-Demand vCPU@us-east-1']?.detail).toContain('quota 6 vCPU');
    expect(byKey['Fargate On-Demand vCPU@eu-west-1']?.status).toBe('unknown');
    expect(byKey['Fargate On-Demand vCPU@eu-west-1']?.detail).toContain('servicequotas:GetServiceQuota');
    expect(byKey['Fargate On-Demand vCPU@ap-northeast-3']?.status).toBe('unknown');
    expect(byKey['Fargate On-Demand vCPU@ap-northeast-3']?.detail).toContain('has no L-3032A538');
    // One client per region for Service Quotas; IAM once.
    expect(made.filter((m) => m.startsWith('servicequotas:')).sort()).toEqual(
      expect.arrayContaining([
        'servicequotas:ap-northeast-3',
        'servicequotas:eu-west-1',
        'servicequotas:us-east-1',
      ]),
    );
  });

  it('reads a function that is not deployed yet as no reservation', async () => {
    const { clients: fakes } = clients((command) => {
      if (command instanceof GetFunctionConcurrencyCommand) {
        return new ResourceNotFoundException({ message: 'Function not found', $metadata: {} });
      }
      throw new Error('unexpected');
    });
    const reader = awsAccountReader(fakes, 'us-east-1');
    await expect(reader.functionReservedConcurrency('us-east-1', 'matchmaking-dev-matchmaker')).resolves.toBe(
      undefined,
    );
  });

  it('reads the applied quota value first', async () => {
    const asked: string[] = [];
    const { clients: fakes } = clients((command) => {
      asked.push(command.constructor.name);
      if (command instanceof GetServiceQuotaCommand) return { Quota: { Value: 40 } };
      throw new Error('unexpected');
    });
    const reader = awsAccountReader(fakes, 'us-east-1');
    await expect(reader.serviceQuota('us-east-1', 'fargate', 'L-3032A538')).resolves.toBe(40);
    expect(asked).toEqual(['GetServiceQuotaCommand']);
  });
});
