import { accessLogAccountViolations } from './access-logs.js';
import { reservedConcurrencyWarnings } from './concurrency.js';
import { dashboardViolations, duplicateAlarmViolations } from './dashboards.js';
import { dataTableProtectWarnings, dataTableViolations } from './data-tables.js';
import { ecrLifecycleViolations } from './ecr-lifecycle.js';
import { fargateSizeViolations } from './fargate-size.js';
import { lambdaEnvironmentViolations } from './lambda-environment.js';
import { nameViolations } from './names.js';
import { consumerPermissionViolations, visibilityViolations } from './queue-consumers.js';
import type { StackIndex } from './resource.js';

/** The pack's configuration (PulumiPolicy config, per policy; see index.ts). */
export interface PackConfig {
  /** The region's API Gateway account already names a CloudWatch role (`matchmaking:accessLogs: existing`). */
  accountRoleExists?: boolean;
}

/** Every rule, with its level: index.ts makes the policies of it, the tests run it over the program. */
export interface Rule {
  name: string;
  description: string;
  level: 'mandatory' | 'advisory';
  check: (stack: StackIndex, config: PackConfig) => string[];
}

/** A per-resource rule, run over each resource of the stack. */
const each =
  (rule: (type: string, props: Record<string, unknown>, name: string) => string[]) => (stack: StackIndex) =>
    stack.resources.flatMap((r) => rule(r.type, r.props, r.name));

export const RULES: readonly Rule[] = [
  {
    name: 'lambda-environment-4kb',
    level: 'mandatory',
    description: "A function's environment variables take at most 4 KB (Lambda quotas).",
    check: each(lambdaEnvironmentViolations),
  },
  {
    name: 'sqs-consumer-role-can-receive',
    level: 'mandatory',
    description:
      "An SQS event source's function role may receive, delete, change visibility and read attributes on its queue, and the mapping depends on that grant.",
    check: consumerPermissionViolations,
  },
  {
    name: 'access-logs-need-account-role',
    level: 'mandatory',
    description: "A stage with access logs needs the region's API Gateway account CloudWatch role.",
    check: (stack, config) => accessLogAccountViolations(stack, config.accountRoleExists === true),
  },
  {
    name: 'data-tables-protected',
    level: 'mandatory',
    description: 'The players and matches tables have deletion protection and point-in-time recovery.',
    check: (stack) => stack.resources.flatMap(dataTableViolations),
  },
  {
    name: 'data-tables-pulumi-protect',
    level: 'advisory',
    description:
      'The players and matches tables are Pulumi-protected (retainOnDelete is invisible to the analyzer).',
    check: (stack) => stack.resources.flatMap(dataTableProtectWarnings),
  },
  {
    name: 'reserved-concurrency-new-account',
    level: 'advisory',
    description:
      'Reserved concurrency fails on a new account, whose concurrency quota is below 100 + the reservation.',
    check: each(reservedConcurrencyWarnings),
  },
  {
    name: 'sqs-visibility-fits-consumer',
    level: 'mandatory',
    description:
      "A consumed queue's visibility timeout is at least its function's timeout, at most a minute more, and below the ready deadline for match starts.",
    check: visibilityViolations,
  },
  {
    name: 'ecr-lifecycle-policy',
    level: 'mandatory',
    description: 'Every ECR repository has a lifecycle policy.',
    check: ecrLifecycleViolations,
  },
  {
    name: 'fargate-task-size',
    level: 'mandatory',
    description: 'Fargate task definitions use a valid cpu/memory pair (ECS "Task size").',
    check: each(fargateSizeViolations),
  },
  {
    name: 'aws-resource-names',
    level: 'mandatory',
    description: 'ECR, SQS, Lambda, IAM role and DynamoDB names (explicit or auto-named) are valid for AWS.',
    check: each((type, props, name) => nameViolations(type, name, props)),
  },
  {
    name: 'cloudwatch-dashboard-limits',
    level: 'mandatory',
    description: "Dashboards within CloudWatch's body, widget, metric and alarm limits.",
    check: each(dashboardViolations),
  },
  {
    name: 'cloudwatch-alarm-names-unique',
    level: 'mandatory',
    description: 'No two alarms share a name in a region.',
    check: duplicateAlarmViolations,
  },
];
