import type { Access, TableName } from './manifest.js';

/**
 * The one generator of the functions' IAM policies: the Pulumi program
 * attaches these statements to each function's role, and the local runtime
 * evaluates every call a handler makes against the very same statements
 * (packages/local, emulators/iam.ts). A permission missing here fails a local
 * test with AccessDenied before it fails a deploy.
 */

/** The ARNs a function's access can name. */
export interface AccessTargets {
  tables: Record<TableName, string>;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}` of the WebSocket stage. */
  websocketStageArn: string;
  queueArn: string;
  matchStartQueueArn: string;
  /** Per fleet region: cluster ARN, task definition ARN (family:*), task and execution role ARNs. */
  fleets: { clusterArn: string; taskDefinitionArn: string; taskRoleArn: string; executionRoleArn: string }[];
}

export interface Statement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * What a Lambda event source mapping's role needs to poll a queue for its
 * function ("Amazon SQS execution role permissions", Lambda Developer Guide),
 * plus ChangeMessageVisibility: the consumer hands a failed record back within
 * seconds instead of after the whole visibility timeout.
 */
export const CONSUME_QUEUE_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:ChangeMessageVisibility',
] as const;

/**
 * Least privilege from the manifest: each access entry becomes exactly the
 * actions it names on exactly the resources it names (a table and its
 * indexes, the stage's @connections, a queue, the fleets' tasks).
 */
export function statementsFor(access: readonly Access[], targets: AccessTargets): Statement[] {
  return access.flatMap((entry) => statementsOf(entry, targets));
}

function statementsOf(entry: Access, targets: AccessTargets): Statement[] {
  switch (entry.kind) {
    case 'table': {
      const arn = targets.tables[entry.table];
      // Wildcard: Query on a table's indexes needs `<table>/index/*` (index names are part of the table).
      const needsIndexes = entry.actions.includes('dynamodb:Query');
      return [
        {
          Effect: 'Allow',
          Action: [...entry.actions],
          Resource: needsIndexes ? [arn, `${arn}/index/*`] : [arn],
        },
      ];
    }
    // Wildcard: connection ids are made at runtime; the ARN pins this API and stage, any method.
    case 'manageConnections':
      return [
        {
          Effect: 'Allow',
          Action: ['execute-api:ManageConnections'],
          Resource: [`${targets.websocketStageArn}/*/@connections/*`],
        },
      ];
    case 'sendToMatchmakingQueue':
      return [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [targets.queueArn] }];
    case 'sendToMatchStartQueue':
      return [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [targets.matchStartQueueArn] }];
    case 'consumeMatchmakingQueue':
      return [{ Effect: 'Allow', Action: [...CONSUME_QUEUE_ACTIONS], Resource: [targets.queueArn] }];
    case 'consumeMatchStartQueue':
      return [
        { Effect: 'Allow', Action: [...CONSUME_QUEUE_ACTIONS], Resource: [targets.matchStartQueueArn] },
      ];
    case 'runGameServers':
      return runGameServerStatements(targets);
  }
}

/**
 * RunTask on the fleets' task definitions, only in the fleets' clusters;
 * StopTask on their tasks; PassRole of their task and execution roles, only
 * to ECS tasks ("Amazon ECS task execution IAM role" and "iam:PassedToService",
 * IAM User Guide). Wildcards: task-definition revisions change on every deploy
 * (pinned to each fleet's family) and task ARNs exist only once RunTask made
 * them (pinned to each fleet's cluster).
 */
function runGameServerStatements(targets: AccessTargets): Statement[] {
  const { fleets } = targets;
  return [
    {
      Effect: 'Allow',
      Action: ['ecs:RunTask'],
      Resource: fleets.map((fleet) => fleet.taskDefinitionArn),
      Condition: { ArnEquals: { 'ecs:cluster': fleets.map((fleet) => fleet.clusterArn) } },
    },
    {
      Effect: 'Allow',
      Action: ['ecs:StopTask'],
      Resource: fleets.map((fleet) => `${fleet.clusterArn.replace(':cluster/', ':task/')}/*`),
    },
    {
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: fleets.flatMap((fleet) => [fleet.taskRoleArn, fleet.executionRoleArn]),
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
  ];
}
