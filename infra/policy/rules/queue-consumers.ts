import { allows } from './iam-allow.js';
import { hasUnknown, num, type StackIndex, type StackResource, str } from './resource.js';

/**
 * The actions Lambda's SQS poller uses with the function's execution role
 * ("Using Lambda with Amazon SQS", execution role permissions:
 * ReceiveMessage, DeleteMessage, GetQueueAttributes), plus
 * ChangeMessageVisibility, which our consumers call to retry a failed record
 * within seconds instead of after the whole visibility timeout.
 */
export const CONSUMER_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:ChangeMessageVisibility',
] as const;

/** The ready deadline when no function says otherwise (matchmaking:readyTimeoutSeconds' default). */
export const DEFAULT_READY_TIMEOUT_SECONDS = 120;
/** A failed record's message group waits the whole visibility timeout: at most a minute past the timeout. */
export const VISIBILITY_SLACK_SECONDS = 60;

/** An SQS event source mapping with its queue, function, role and the role's inline policies. */
export interface QueueConsumer {
  mapping: StackResource;
  queue?: StackResource;
  fn?: StackResource;
  role?: StackResource;
  rolePolicies: StackResource[];
}

const isSqsMapping = (r: StackResource) =>
  r.type === 'aws:lambda/eventSourceMapping:EventSourceMapping' &&
  (str(r.props.eventSourceArn)?.startsWith('arn:aws:sqs:') ||
    r.propertyDependencies.eventSourceArn !== undefined);

/** Every SQS event source mapping, followed to its queue, function, role and role policies. */
export function queueConsumers(stack: StackIndex): QueueConsumer[] {
  return stack.resources.filter(isSqsMapping).flatMap((mapping) => {
    const queue = stack.referenced(mapping, 'eventSourceArn', 'aws:sqs/queue:Queue', ['arn']);
    if (!queue && !mapping.propertyDependencies.eventSourceArn) return [];
    const fn = stack.referenced(mapping, 'functionName', 'aws:lambda/function:Function', ['arn', 'name']);
    const role = fn && stack.referenced(fn, 'role', 'aws:iam/role:Role', ['arn']);
    const rolePolicies = role
      ? stack
          .ofType('aws:iam/rolePolicy:RolePolicy')
          .filter((p) => stack.referenced(p, 'role', 'aws:iam/role:Role', ['id', 'name']) === role)
      : [];
    return [{ mapping, queue, fn, role, rolePolicies }];
  });
}

/** Rule 2: the consumer's role may receive from its queue, and the mapping waits for that grant. */
export function consumerPermissionViolations(stack: StackIndex): string[] {
  return queueConsumers(stack).flatMap(({ mapping, queue, fn, role, rolePolicies }) => {
    const label = `${mapping.name}`;
    if (!queue || !fn || !role)
      return [`${label}: cannot follow the mapping to its queue, function and role`];
    const queueArn = queue.props.arn;
    const documents = rolePolicies.map((p) => p.props.policy);
    if (typeof queueArn !== 'string' || documents.some(hasUnknown)) {
      // At preview of a new stack the ARN and the documents are unknown; the dependency check still runs.
      return dependencyViolations(stack, label, mapping, rolePolicies);
    }
    const missing = CONSUMER_ACTIONS.filter((action) => !allows(documents, action, queueArn));
    return [
      ...(missing.length > 0
        ? [
            `${label}: role ${role.name} (inline policies ${rolePolicies.map((p) => p.name).join(', ') || 'none'}) does not allow ${missing.join(', ')} on ${queueArn}`,
          ]
        : []),
      ...dependencyViolations(stack, label, mapping, rolePolicies),
    ];
  });
}

/** IAM is eventually consistent: CreateEventSourceMapping checks the role, so it must come after the grant. */
function dependencyViolations(
  stack: StackIndex,
  label: string,
  mapping: StackResource,
  rolePolicies: StackResource[],
): string[] {
  const missing = rolePolicies.filter((p) => !stack.dependsOn(mapping, p));
  return missing.length > 0
    ? [
        `${label}: does not depend on ${missing.map((p) => p.name).join(', ')} (add it to dependsOn: IAM is eventually consistent)`,
      ]
    : [];
}

/**
 * Rule 6. "Creating and configuring an Amazon SQS event source mapping": the
 * function's timeout must be at most the queue's visibility timeout
 * (CreateEventSourceMapping refuses otherwise; SQS's default visibility is
 * 30 s). Ours should also be at most timeout + 60 s (a failed record blocks
 * its FIFO group for the whole visibility timeout), and the match-start
 * queue's below the ready deadline (a start retried after it is useless).
 */
export function visibilityViolations(stack: StackIndex): string[] {
  const readyTimeout = readyTimeoutSeconds(stack);
  return queueConsumers(stack).flatMap(({ queue, fn }) => {
    if (!queue || !fn) return [];
    const visibility = num(queue.props.visibilityTimeoutSeconds) ?? 30;
    const timeout = num(fn.props.timeout) ?? 3;
    const queueName = str(queue.props.name) ?? queue.name;
    const fnName = str(fn.props.name) ?? fn.name;
    const out: string[] = [];
    if (visibility < timeout)
      out.push(
        `${queueName}: visibility timeout ${visibility} s is below ${fnName}'s timeout ${timeout} s; CreateEventSourceMapping refuses it`,
      );
    else if (visibility > timeout + VISIBILITY_SLACK_SECONDS)
      out.push(
        `${queueName}: visibility timeout ${visibility} s exceeds ${fnName}'s timeout ${timeout} s + ${VISIBILITY_SLACK_SECONDS} s; a failed record blocks its message group that long`,
      );
    if (isMatchStartQueue(stack, queue) && visibility >= readyTimeout)
      out.push(
        `${queueName}: visibility timeout ${visibility} s is not below the ready deadline ${readyTimeout} s; a retried start would come after the match is cancelled`,
      );
    return out;
  });
}

/** The functions' READY_TIMEOUT_SECONDS (the smallest, if they differ), else the default. */
function readyTimeoutSeconds(stack: StackIndex): number {
  const values = stack
    .ofType('aws:lambda/function:Function')
    .map((f) =>
      num(
        (f.props.environment as { variables?: Record<string, unknown> } | undefined)?.variables
          ?.READY_TIMEOUT_SECONDS,
      ),
    )
    .filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.min(...values) : DEFAULT_READY_TIMEOUT_SECONDS;
}

/** The queue some function knows as MATCH_START_QUEUE_URL, or one named `*-match-starts*`. */
function isMatchStartQueue(stack: StackIndex, queue: StackResource): boolean {
  const url = str(queue.props.url);
  const named = stack
    .ofType('aws:lambda/function:Function')
    .some(
      (f) =>
        url !== undefined &&
        (f.props.environment as { variables?: Record<string, unknown> } | undefined)?.variables
          ?.MATCH_START_QUEUE_URL === url,
    );
  return named || /-match-starts?(\.fifo)?$/.test(str(queue.props.name) ?? queue.name);
}
