import { describe, expect, it } from 'vitest';
import { reservedConcurrencyWarnings } from '../policy/rules/concurrency.js';
import { dashboardViolations } from '../policy/rules/dashboards.js';
import { fargateSizeViolations } from '../policy/rules/fargate-size.js';
import { environmentSize, lambdaEnvironmentViolations } from '../policy/rules/lambda-environment.js';
import { nameViolations } from '../policy/rules/names.js';
import { UNKNOWN } from '../policy/rules/resource.js';

const FUNCTION = 'aws:lambda/function:Function';

describe('lambda-environment-4kb', () => {
  const withValue = (value: string) => ({ name: 'mm-fn', environment: { variables: { BIG: value } } });
  // {"BIG":"..."} is 10 bytes around the value.
  it('passes a function whose variables take 4096 bytes as JSON', () => {
    expect(environmentSize(withValue('x'.repeat(4086))).bytes).toBe(4096);
    expect(lambdaEnvironmentViolations(FUNCTION, withValue('x'.repeat(4086)))).toEqual([]);
  });

  it('refuses one byte more, counting UTF-8 bytes rather than characters', () => {
    expect(lambdaEnvironmentViolations(FUNCTION, withValue(`${'x'.repeat(4085)}é`))).toEqual([
      'mm-fn: environment variables take 4097 bytes as JSON; Lambda allows 4 KB (4096 bytes) in all',
    ]);
  });

  it('skips values unknown at preview and names them', () => {
    const props = { name: 'mm-fn', environment: { variables: { BIG: 'x'.repeat(5000), LATER: UNKNOWN } } };
    expect(environmentSize(props).unknown).toEqual(['LATER']);
    expect(lambdaEnvironmentViolations(FUNCTION, props)[0]).toContain(
      '(not counting LATER, unknown at preview)',
    );
  });
});

describe('reserved-concurrency-new-account (advisory)', () => {
  it('says nothing of a function without reserved concurrency', () => {
    expect(reservedConcurrencyWarnings(FUNCTION, { name: 'mm-fn' })).toEqual([]);
  });

  it('warns of any reservation', () => {
    expect(
      reservedConcurrencyWarnings(FUNCTION, { name: 'mm-fn', reservedConcurrentExecutions: 5 })[0],
    ).toMatch(/^mm-fn: reserves 5 concurrent executions; AWS keeps 100 unreserved/);
  });
});

describe('fargate-task-size', () => {
  const task = (cpu: string, memory: string) => ({
    family: 'mm-game-server',
    requiresCompatibilities: ['FARGATE'],
    cpu,
    memory,
  });
  it.each([
    ['256', '512'],
    ['256', '2048'],
    ['4096', '30720'],
    ['8192', '20480'],
    ['16384', '122880'],
  ])('accepts cpu %s with memory %s', (cpu, memory) => {
    expect(fargateSizeViolations('aws:ecs/taskDefinition:TaskDefinition', task(cpu, memory))).toEqual([]);
  });

  it('refuses memory not offered with the cpu, and a cpu Fargate does not have', () => {
    expect(fargateSizeViolations('aws:ecs/taskDefinition:TaskDefinition', task('256', '4096'))).toEqual([
      'mm-game-server: memory 4096 MiB is not valid with cpu 256 on Fargate (valid: 512, 1024, 2048)',
    ]);
    expect(
      fargateSizeViolations('aws:ecs/taskDefinition:TaskDefinition', task('8192', '18432'))[0],
    ).toContain('memory 18432 MiB is not valid with cpu 8192');
    expect(fargateSizeViolations('aws:ecs/taskDefinition:TaskDefinition', task('300', '512'))[0]).toContain(
      'cpu 300 is not a Fargate size',
    );
  });
});

describe('aws-resource-names', () => {
  it('accepts an auto-named ECR repository of a lowercase stack', () => {
    expect(
      nameViolations('aws:ecr/repository:Repository', 'matchmaking-production-eu-west-1-game-server', {}),
    ).toEqual([]);
  });

  it('refuses an ECR repository name with capitals (a capitalised stack name)', () => {
    expect(nameViolations('aws:ecr/repository:Repository', 'matchmaking-Production-game-server', {})).toEqual(
      [
        'matchmaking-Production-game-server-0000000: not a valid ECR repository name (lowercase letters, digits, . _ - and / between parts) (Amazon ECR API, CreateRepository repositoryName)',
      ],
    );
  });

  it('counts the 8 characters Pulumi adds to an auto-named role', () => {
    expect(nameViolations('aws:iam/role:Role', 'r'.repeat(56), {})).toEqual([]);
    expect(nameViolations('aws:iam/role:Role', 'r'.repeat(57), {})[0]).toMatch(
      /: 65 characters; a IAM role name .* has 1-64/,
    );
  });

  it('limits SQS names to 80 characters with .fifo on FIFO queues only', () => {
    expect(
      nameViolations('aws:sqs/queue:Queue', 'q', { name: `${'q'.repeat(75)}.fifo`, fifoQueue: true }),
    ).toEqual([]);
    expect(
      nameViolations('aws:sqs/queue:Queue', 'q', { name: `${'q'.repeat(76)}.fifo`, fifoQueue: true })[0],
    ).toContain('81 characters');
    expect(nameViolations('aws:sqs/queue:Queue', 'q', { name: 'jobs', fifoQueue: true })).toEqual([
      "jobs: a FIFO queue's name ends in .fifo, and only a FIFO queue's (Amazon SQS API, CreateQueue QueueName)",
    ]);
  });

  it('limits Lambda names to 64 characters and DynamoDB names to 3-255', () => {
    expect(nameViolations(FUNCTION, 'f', { name: 'f'.repeat(64) })).toEqual([]);
    expect(nameViolations(FUNCTION, 'f', { name: 'f'.repeat(65) })).toHaveLength(1);
    expect(nameViolations('aws:dynamodb/table:Table', 't', { name: 'ab' })[0]).toContain(
      'a DynamoDB table name',
    );
  });
});

describe('cloudwatch-dashboard-limits', () => {
  const DASHBOARD = 'aws:cloudwatch/dashboard:Dashboard';
  const body = (widgets: unknown[]) => ({ dashboardName: 'mm', dashboardBody: JSON.stringify({ widgets }) });
  const metricWidget = (n: number) => ({
    type: 'metric',
    properties: { metrics: Array(n).fill(['AWS/SQS', 'X']) },
  });

  it('accepts a dashboard within the limits', () => {
    expect(
      dashboardViolations(
        DASHBOARD,
        body([metricWidget(500), { type: 'alarm', properties: { alarms: Array(100).fill('a') } }]),
      ),
    ).toEqual([]);
  });

  it('refuses too many widgets, metrics in a graph and alarms in an alarm widget', () => {
    expect(dashboardViolations(DASHBOARD, body(Array(501).fill({ type: 'text' })))).toEqual([
      'mm: 501 widgets; a dashboard holds at most 500',
    ]);
    expect(dashboardViolations(DASHBOARD, body([metricWidget(501)]))).toEqual([
      'mm: widget 0 graphs 501 metrics; at most 500',
    ]);
    expect(
      dashboardViolations(DASHBOARD, body([{ type: 'alarm', properties: { alarms: Array(101).fill('a') } }])),
    ).toEqual(['mm: alarm widget 0 lists 101 alarms; at most 100']);
  });

  it('refuses a body over 1 MB', () => {
    const big = {
      dashboardName: 'mm',
      dashboardBody: JSON.stringify({
        widgets: [{ type: 'text', properties: { markdown: 'x'.repeat(1024 * 1024) } }],
      }),
    };
    expect(dashboardViolations(DASHBOARD, big)[0]).toMatch(/^mm: body is \d+ bytes; at most 1 MB$/);
  });
});
