import { describe, expect, it } from 'vitest';
import { accessLogAccountViolations } from '../policy/rules/access-logs.js';
import { duplicateAlarmViolations } from '../policy/rules/dashboards.js';
import { dataTableProtectWarnings, dataTableViolations } from '../policy/rules/data-tables.js';
import { ecrLifecycleViolations } from '../policy/rules/ecr-lifecycle.js';
import { allows, wildcardMatch } from '../policy/rules/iam-allow.js';
import { consumerPermissionViolations, visibilityViolations } from '../policy/rules/queue-consumers.js';
import { StackIndex, type StackResource } from '../policy/rules/resource.js';

/** A resource as the pack sees it; its URN is its name. */
const res = (
  type: string,
  name: string,
  props: Record<string, unknown>,
  more: Partial<StackResource> = {},
): StackResource => ({
  type,
  name,
  urn: name,
  props,
  protect: false,
  dependencies: [],
  propertyDependencies: {},
  ...more,
});

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:mm-starts.fifo';

/** A queue, its consumer function with a role and inline policy, and the mapping. */
function consumer(
  options: {
    actions?: string[];
    resource?: string;
    dependsOnPolicy?: boolean;
    visibility?: number;
    timeout?: number;
    queueName?: string;
    ready?: string;
  } = {},
) {
  const queueName = options.queueName ?? 'mm-starts.fifo';
  const queue = res('aws:sqs/queue:Queue', 'mm-starts', {
    name: queueName,
    arn: QUEUE_ARN,
    url: `https://sqs.us-east-1.amazonaws.com/123456789012/${queueName}`,
    visibilityTimeoutSeconds: options.visibility ?? 60,
  });
  const role = res('aws:iam/role:Role', 'mm-starter-role', {
    name: 'mm-starter-role-1a2b3c4',
    arn: 'arn:aws:iam::123456789012:role/mm-starter-role-1a2b3c4',
  });
  const policy = res(
    'aws:iam/rolePolicy:RolePolicy',
    'mm-starter-policy',
    {
      role: 'mm-starter-role-1a2b3c4',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: options.actions ?? [
              'sqs:ReceiveMessage',
              'sqs:DeleteMessage',
              'sqs:GetQueueAttributes',
              'sqs:ChangeMessageVisibility',
            ],
            Resource: options.resource ?? QUEUE_ARN,
          },
        ],
      }),
    },
    { propertyDependencies: { role: ['mm-starter-role'] }, dependencies: ['mm-starter-role'] },
  );
  const fn = res(
    'aws:lambda/function:Function',
    'mm-starter',
    {
      name: 'mm-starter',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:mm-starter',
      role: role.props.arn,
      timeout: options.timeout ?? 30,
      environment: {
        variables: {
          READY_TIMEOUT_SECONDS: options.ready ?? '120',
          MATCH_START_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/mm-starts.fifo',
        },
      },
    },
    { propertyDependencies: { role: ['mm-starter-role'] }, dependencies: ['mm-starter-role'] },
  );
  const mapping = res(
    'aws:lambda/eventSourceMapping:EventSourceMapping',
    'mm-starter-queue',
    {
      eventSourceArn: QUEUE_ARN,
      functionName: fn.props.arn,
    },
    {
      propertyDependencies: { eventSourceArn: ['mm-starts'], functionName: ['mm-starter'] },
      dependencies: [
        'mm-starts',
        'mm-starter',
        ...(options.dependsOnPolicy === false ? [] : ['mm-starter-policy']),
      ],
    },
  );
  return new StackIndex([queue, role, policy, fn, mapping]);
}

describe('the IAM Allow matcher', () => {
  it('matches * and ? in actions (any case) and resources', () => {
    expect(wildcardMatch('sqs:*', 'SQS:ReceiveMessage', true)).toBe(true);
    expect(wildcardMatch('arn:aws:sqs:us-east-?:*:mm-*', QUEUE_ARN)).toBe(true);
    expect(wildcardMatch('arn:aws:sqs:eu-*', QUEUE_ARN)).toBe(false);
    expect(
      allows(
        [{ Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }],
        'sqs:ReceiveMessage',
        QUEUE_ARN,
      ),
    ).toBe(false);
  });
});

describe('sqs-consumer-role-can-receive', () => {
  it('passes a role granting the four actions, also through wildcards, with the mapping after the grant', () => {
    expect(consumerPermissionViolations(consumer())).toEqual([]);
    expect(
      consumerPermissionViolations(
        consumer({ actions: ['sqs:*'], resource: 'arn:aws:sqs:us-east-1:123456789012:mm-*' }),
      ),
    ).toEqual([]);
  });

  it('names the missing actions', () => {
    expect(
      consumerPermissionViolations(consumer({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'] })),
    ).toEqual([
      `mm-starter-queue: role mm-starter-role (inline policies mm-starter-policy) does not allow sqs:GetQueueAttributes, sqs:ChangeMessageVisibility on ${QUEUE_ARN}`,
    ]);
  });

  it('refuses a grant on another queue', () => {
    expect(
      consumerPermissionViolations(consumer({ resource: 'arn:aws:sqs:us-east-1:123456789012:other' }))[0],
    ).toContain('does not allow sqs:ReceiveMessage');
  });

  it('refuses a mapping that does not wait for the role policy', () => {
    expect(consumerPermissionViolations(consumer({ dependsOnPolicy: false }))).toEqual([
      'mm-starter-queue: does not depend on mm-starter-policy (add it to dependsOn: IAM is eventually consistent)',
    ]);
  });
});

describe('sqs-visibility-fits-consumer', () => {
  it('passes visibility between the timeout and a minute more, below the ready deadline', () => {
    expect(visibilityViolations(consumer({ visibility: 60, timeout: 30 }))).toEqual([]);
  });

  it('refuses visibility below the function timeout, as CreateEventSourceMapping does', () => {
    expect(visibilityViolations(consumer({ visibility: 20, timeout: 30 }))).toEqual([
      "mm-starts.fifo: visibility timeout 20 s is below mm-starter's timeout 30 s; CreateEventSourceMapping refuses it",
    ]);
  });

  it('refuses visibility more than a minute past the timeout', () => {
    expect(
      visibilityViolations(consumer({ visibility: 91, timeout: 30, queueName: 'mm-passes.fifo' })),
    ).toEqual([
      "mm-passes.fifo: visibility timeout 91 s exceeds mm-starter's timeout 30 s + 60 s; a failed record blocks its message group that long",
    ]);
  });

  it("refuses a match-start visibility at or past the functions' ready deadline", () => {
    expect(visibilityViolations(consumer({ visibility: 60, timeout: 30, ready: '60' }))).toEqual([
      'mm-starts.fifo: visibility timeout 60 s is not below the ready deadline 60 s; a retried start would come after the match is cancelled',
    ]);
  });
});

describe('access-logs-need-account-role', () => {
  const stage = res(
    'aws:apigatewayv2/stage:Stage',
    'mm-ws-stage',
    { accessLogSettings: { destinationArn: 'arn' } },
    { region: 'us-east-1' },
  );
  const account = (region: string) =>
    res(
      'aws:apigateway/account:Account',
      `acct-${region}`,
      { cloudwatchRoleArn: 'arn:aws:iam::123456789012:role/logs' },
      { region },
    );

  it('passes a stage with the account role in its region, or when told the role exists', () => {
    expect(accessLogAccountViolations(new StackIndex([stage, account('us-east-1')]), false)).toEqual([]);
    expect(accessLogAccountViolations(new StackIndex([stage]), true)).toEqual([]);
  });

  it('refuses access logs without the account role in the same region', () => {
    expect(accessLogAccountViolations(new StackIndex([stage, account('eu-west-1')]), false)[0]).toMatch(
      /^mm-ws-stage: has access logs but no aws.apigateway.Account with a cloudwatchRoleArn in us-east-1/,
    );
  });
});

describe('data-tables-protected', () => {
  const table = (props: Record<string, unknown>, protect = false) =>
    res('aws:dynamodb/table:Table', 'mm-players', { name: 'mm-players-1a2b3c4', ...props }, { protect });

  it('passes a players table with deletion protection and point-in-time recovery, and ignores other tables', () => {
    expect(
      dataTableViolations(table({ deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true } })),
    ).toEqual([]);
    expect(dataTableViolations(res('aws:dynamodb/table:Table', 'mm-tickets', {}))).toEqual([]);
  });

  it('refuses a data table without them', () => {
    expect(dataTableViolations(table({ pointInTimeRecovery: { enabled: false } }))).toEqual([
      'mm-players-1a2b3c4: deletionProtectionEnabled must be true',
      'mm-players-1a2b3c4: pointInTimeRecovery must be enabled',
    ]);
  });

  it('warns of a data table Pulumi does not protect', () => {
    expect(dataTableProtectWarnings(table({}, true))).toEqual([]);
    expect(dataTableProtectWarnings(table({}))[0]).toMatch(/^mm-players-1a2b3c4: not Pulumi-protected/);
  });
});

describe('ecr-lifecycle-policy', () => {
  const repository = res('aws:ecr/repository:Repository', 'mm-repo', { name: 'mm-repo-1a2b3c4' });
  it('passes a repository named by a lifecycle policy', () => {
    const policy = res('aws:ecr/lifecyclePolicy:LifecyclePolicy', 'mm-repo-lifecycle', {
      repository: 'mm-repo-1a2b3c4',
    });
    expect(ecrLifecycleViolations(new StackIndex([repository, policy]))).toEqual([]);
  });

  it('refuses a repository without one', () => {
    expect(ecrLifecycleViolations(new StackIndex([repository]))).toEqual([
      'mm-repo-1a2b3c4: ECR repository without an aws.ecr.LifecyclePolicy; its images accumulate',
    ]);
  });
});

describe('cloudwatch-alarm-names-unique', () => {
  const alarm = (logical: string, name: string, region = 'us-east-1') =>
    res('aws:cloudwatch/metricAlarm:MetricAlarm', logical, { name }, { region });
  it('passes distinct names, and one name in two regions', () => {
    expect(
      duplicateAlarmViolations(
        new StackIndex([alarm('a', 'x'), alarm('b', 'y'), alarm('c', 'x', 'eu-west-1')]),
      ),
    ).toEqual([]);
  });
  it('refuses one name twice in a region', () => {
    expect(duplicateAlarmViolations(new StackIndex([alarm('a', 'x'), alarm('b', 'x')]))).toEqual([
      'alarm name x is used by both a and b',
    ]);
  });
});
