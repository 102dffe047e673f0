import type { Access, TableName } from '@matchmaking/functions/manifest';

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
 * Least privilege from the manifest: each access entry becomes exactly the
 * actions it names on exactly the resources it names (a table and its
 * indexes, the stage's @connections, the queue, the fleets' tasks).
 */
export function statementsFor(access: readonly Access[], targets: AccessTargets): Statement[] {
  return access.map((entry) => statementFor(entry, targets));
}

function statementFor(entry: Access, targets: AccessTargets): Statement {
  switch (entry.kind) {
    case 'table': {
      const arn = targets.tables[entry.table];
      // Wildcard: Query on a table's indexes needs `<table>/index/*` (index names are part of the table).
      const needsIndexes = entry.actions.includes('dynamodb:Query');
      return {
        Effect: 'Allow',
        Action: [...entry.actions],
        Resource: needsIndexes ? [arn, `${arn}/index/*`] : [arn],
      };
    }
    // Wildcard: connection ids are made at runtime; the ARN pins this API and stage, any method.
    case 'manageConnections':
      return {
        Effect: 'Allow',
        Action: ['execute-api:ManageConnections'],
        Resource: [`${targets.websocketStageArn}/*/@connections/*`],
      };
    case 'sendToMatchmakingQueue':
      return { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [targets.queueArn] };
    case 'sendToMatchStartQueue':
      return { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [targets.matchStartQueueArn] };
    // Wildcards: task ARNs exist only once RunTask made them (pinned to each fleet's cluster), and
    // task-definition revisions change on every deploy (pinned to each fleet's family).
    case 'runGameServers':
      return {
        Effect: 'Allow',
        Action: ['ecs:RunTask', 'ecs:StopTask', 'ecs:DescribeTasks', 'iam:PassRole'],
        Resource: targets.fleets.flatMap((fleet) => [
          fleet.taskDefinitionArn,
          `${fleet.clusterArn.replace(':cluster/', ':task/')}/*`,
          fleet.taskRoleArn,
          fleet.executionRoleArn,
        ]),
      };
  }
}
