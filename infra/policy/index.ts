import { PolicyPack, type PolicyResource, type ReportViolation } from '@pulumi/policy';
import { accessLogAccountViolations } from './rules/access-logs.js';
import { reservedConcurrencyWarnings } from './rules/concurrency.js';
import { dashboardViolations, duplicateAlarmViolations } from './rules/dashboards.js';
import { dataTableProtectWarnings, dataTableViolations } from './rules/data-tables.js';
import { ecrLifecycleViolations } from './rules/ecr-lifecycle.js';
import { fargateSizeViolations } from './rules/fargate-size.js';
import { lambdaEnvironmentViolations } from './rules/lambda-environment.js';
import { nameViolations } from './rules/names.js';
import { consumerPermissionViolations, visibilityViolations } from './rules/queue-consumers.js';
import { StackIndex, type StackResource, UNKNOWN } from './rules/resource.js';

/*
 * `pulumi preview --policy-pack infra/policy`: what AWS refuses or quietly
 * breaks that the program's mocks cannot see. The rules are pure functions in
 * rules/; this file only adapts @pulumi/policy's arguments to them.
 */

/**
 * A plain copy of the analyzer's props: its proxy throws on reading a value
 * unknown at preview; rules get UNKNOWN there and decide (skip, or say so).
 */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((_, i) => read(() => value[i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value).map((key) => [key, read(() => (value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function read(get: () => unknown): unknown {
  try {
    return plain(get());
  } catch {
    return UNKNOWN;
  }
}

const regionOf = (provider?: { props: Record<string, unknown> }) =>
  typeof read(() => provider?.props.region) === 'string'
    ? String(read(() => provider?.props.region))
    : undefined;

function toStackResource(r: PolicyResource): StackResource {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: plain(r.props) as Record<string, unknown>,
    protect: r.opts.protect,
    region: regionOf(r.provider),
    dependencies: r.dependencies.map((d) => d.urn),
    propertyDependencies: Object.fromEntries(
      Object.entries(r.propertyDependencies).map(([key, deps]) => [key, deps.map((d) => d.urn)]),
    ),
  };
}

/** A resource policy from a rule over (type, props, name). */
function resourceRule(rule: (type: string, props: Record<string, unknown>, name: string) => string[]) {
  return (args: { type: string; props: Record<string, unknown>; name: string }, report: ReportViolation) => {
    for (const message of rule(args.type, plain(args.props) as Record<string, unknown>, args.name))
      report(message);
  };
}

/** A stack policy from a rule over the whole stack. */
function stackRule(rule: (stack: StackIndex, config: Record<string, unknown>) => string[]) {
  return (
    args: { resources: PolicyResource[]; getConfig: <T extends object>() => T },
    report: ReportViolation,
  ) => {
    const stack = new StackIndex(args.resources.map(toStackResource));
    for (const message of rule(stack, args.getConfig<Record<string, unknown>>())) report(message);
  };
}

new PolicyPack('matchmaking-aws-limits', {
  enforcementLevel: 'mandatory',
  policies: [
    {
      name: 'lambda-environment-4kb',
      description: "A function's environment variables take at most 4 KB (Lambda quotas).",
      validateResource: resourceRule(lambdaEnvironmentViolations),
    },
    {
      name: 'sqs-consumer-role-can-receive',
      description:
        "An SQS event source's function role may receive, delete, change visibility and read attributes on its queue, and the mapping depends on that grant.",
      validateStack: stackRule(consumerPermissionViolations),
    },
    {
      name: 'access-logs-need-account-role',
      description: "A stage with access logs needs the region's API Gateway account CloudWatch role.",
      configSchema: {
        properties: { accountRoleExists: { type: 'boolean', default: false } },
      },
      validateStack: stackRule((stack, config) =>
        accessLogAccountViolations(stack, config.accountRoleExists === true),
      ),
    },
    {
      name: 'data-tables-protected',
      description: 'The players and matches tables have deletion protection and point-in-time recovery.',
      validateStack: stackRule((stack) => stack.resources.flatMap(dataTableViolations)),
    },
    {
      name: 'data-tables-pulumi-protect',
      description:
        'The players and matches tables are Pulumi-protected (retainOnDelete is invisible to the analyzer).',
      enforcementLevel: 'advisory',
      validateStack: stackRule((stack) => stack.resources.flatMap(dataTableProtectWarnings)),
    },
    {
      name: 'reserved-concurrency-new-account',
      description:
        'Reserved concurrency fails on a new account, whose concurrency quota is below 100 + the reservation.',
      enforcementLevel: 'advisory',
      validateResource: resourceRule(reservedConcurrencyWarnings),
    },
    {
      name: 'sqs-visibility-fits-consumer',
      description:
        "A consumed queue's visibility timeout is at least its function's timeout, at most a minute more, and below the ready deadline for match starts.",
      validateStack: stackRule(visibilityViolations),
    },
    {
      name: 'ecr-lifecycle-policy',
      description: 'Every ECR repository has a lifecycle policy.',
      validateStack: stackRule(ecrLifecycleViolations),
    },
    {
      name: 'fargate-task-size',
      description: 'Fargate task definitions use a valid cpu/memory pair (ECS "Task size").',
      validateResource: resourceRule(fargateSizeViolations),
    },
    {
      name: 'aws-resource-names',
      description:
        'ECR, SQS, Lambda, IAM role and DynamoDB names (explicit or auto-named) are valid for AWS.',
      validateResource: resourceRule((type, props, name) => nameViolations(type, name, props)),
    },
    {
      name: 'cloudwatch-dashboard-limits',
      description: "Dashboards within CloudWatch's body, widget, metric and alarm limits.",
      validateResource: resourceRule(dashboardViolations),
    },
    {
      name: 'cloudwatch-alarm-names-unique',
      description: 'No two alarms share a name in a region.',
      validateStack: stackRule(duplicateAlarmViolations),
    },
  ],
});
