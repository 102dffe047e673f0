import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionally, conditionallyReturning } from './conditional.js';
import type { MatchItem, MatchState } from './items.js';
import { queryPages } from './query-pages.js';
import { allShardKeys, DEADLINE_SHARDS, shardKey } from './shards.js';

/** The states with a deadline the tick enforces (the byDeadline index). */
export type DeadlineState = 'proposed' | 'starting' | 'ready';
const DEADLINE_STATES: readonly MatchState[] = ['proposed', 'starting', 'ready'];

function deadlineShard(state: DeadlineState, matchId: string): string {
  return shardKey(state, matchId, DEADLINE_SHARDS);
}

/** Ended matches stay readable for a week (reconnects, support), then DynamoDB TTL removes them. */
const ENDED_MATCH_TTL_SECONDS = 7 * 24 * 60 * 60;

/** What a state change writes besides the state. */
export interface Transition {
  from: readonly MatchState[];
  to: MatchState;
  now: number;
  /** Attributes to set (undefined values are skipped). */
  set?: Partial<
    Pick<MatchItem, 'server' | 'outcome' | 'endReason' | 'readyAt' | 'endedAt' | 'declinedBy' | 'acceptedAt'>
  >;
  /** The next deadline, for starting/ready; none ends the deadline. */
  deadlineAt?: number;
}

/**
 * Matches and their lifecycle: [proposed ->] starting -> ready -> finished,
 * or declined (the ready check failed) / cancelled (never ready) / abandoned
 * (ready, then lost). Each transition is a
 * conditional update on the current state, so only one writer wins.
 */
export class MatchesRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Stores a new match (in its deadline index while it has a deadline); false if the id exists (a re-run of the same creation). */
  create(match: MatchItem): Promise<boolean> {
    const pending = match.deadlineAt !== undefined && DEADLINE_STATES.includes(match.state);
    const item = pending
      ? { ...match, deadlineShard: deadlineShard(match.state as DeadlineState, match.matchId) }
      : match;
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(matchId)',
        }),
      ),
    );
  }

  async get(matchId: string): Promise<MatchItem | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { matchId }, ConsistentRead: true }),
    );
    return result.Item as MatchItem | undefined;
  }

  /** Moves the match from one of `from` to `to`; false if it was in another state. */
  transition(matchId: string, transition: Transition): Promise<boolean> {
    const values: Record<string, unknown> = { ':to': transition.to };
    const sets = ['#state = :to'];
    const removes: string[] = [];
    for (const [key, value] of Object.entries(transition.set ?? {})) {
      if (value === undefined) continue;
      sets.push(`#${key} = :${key}`);
      values[`:${key}`] = value;
    }
    if (transition.deadlineAt !== undefined && DEADLINE_STATES.includes(transition.to)) {
      sets.push('deadlineShard = :deadlineShard', 'deadlineAt = :deadlineAt');
      values[':deadlineShard'] = deadlineShard(transition.to as DeadlineState, matchId);
      values[':deadlineAt'] = transition.deadlineAt;
    } else {
      removes.push('deadlineShard', 'deadlineAt');
    }
    if (['finished', 'cancelled', 'declined', 'abandoned'].includes(transition.to)) {
      sets.push('expiresAt = :expiresAt');
      values[':expiresAt'] = Math.floor(transition.now / 1000) + ENDED_MATCH_TTL_SECONDS;
    }
    const fromKeys = transition.from.map((state, i) => {
      values[`:from${i}`] = state;
      return `:from${i}`;
    });
    const names: Record<string, string> = { '#state': 'state' };
    for (const [key, value] of Object.entries(transition.set ?? {}))
      if (value !== undefined) names[`#${key}`] = key;
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { matchId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: fromKeys.map((key) => `#state = ${key}`).join(' OR '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Records a player's acceptance of a proposed match (the ready check), once
   * per player and only before the deadline: the match as written, or
   * undefined if it is no longer proposed, is past its deadline, or the
   * player accepted already. One atomic write, so concurrent accepts all count.
   */
  accept(matchId: string, userId: string, now: number): Promise<MatchItem | undefined> {
    return conditionallyReturning(async () => {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { matchId },
          UpdateExpression: 'SET accepted = list_append(if_not_exists(accepted, :none), :user)',
          ConditionExpression:
            '#state = :proposed AND deadlineAt >= :now AND NOT contains(accepted, :userId)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':none': [],
            ':user': [userId],
            ':userId': userId,
            ':proposed': 'proposed',
            ':now': now,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as MatchItem;
    });
  }

  /** Records the started task, once (the server may already have called ready by then). */
  setTask(matchId: string, taskArn: string): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { matchId },
          UpdateExpression: 'SET taskArn = :taskArn',
          ConditionExpression:
            '#state IN (:starting, :ready) AND (attribute_not_exists(taskArn) OR taskArn = :taskArn)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':taskArn': taskArn, ':starting': 'starting', ':ready': 'ready' },
        }),
      ),
    );
  }

  /**
   * Records the warm server assigned to a starting match (its task is the
   * match's task), once: false if the match has a server or a task already
   * (a redelivered start got there first) or is no longer starting.
   */
  assignServer(matchId: string, serverId: string, taskArn: string): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { matchId },
          UpdateExpression: 'SET serverId = :serverId, taskArn = :taskArn',
          ConditionExpression:
            '#state = :starting AND attribute_not_exists(taskArn) AND attribute_not_exists(serverId)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':serverId': serverId, ':taskArn': taskArn, ':starting': 'starting' },
        }),
      ),
    );
  }

  /**
   * The assigned server takes its match: records the session token's hash
   * (a new one on a retried fetch whose answer was lost). The race with
   * `withdrawServer` is decided here: exactly one of them holds.
   */
  takeByServer(matchId: string, serverId: string, tokenHash: string, now: number): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { matchId },
          UpdateExpression:
            'SET tokenHash = :tokenHash, sessionOpenedAt = if_not_exists(sessionOpenedAt, :now)',
          ConditionExpression: '#state = :starting AND serverId = :serverId',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':tokenHash': tokenHash,
            ':now': now,
            ':serverId': serverId,
            ':starting': 'starting',
          },
        }),
      ),
    );
  }

  /**
   * Takes the assignment back from a server that did not take it in time (or
   * is draining): the match is free for another server or a cold start.
   * False if the server took it first.
   */
  withdrawServer(matchId: string, serverId: string): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { matchId },
          UpdateExpression: 'REMOVE serverId, taskArn',
          ConditionExpression: 'serverId = :serverId AND attribute_not_exists(sessionOpenedAt)',
          ExpressionAttributeValues: { ':serverId': serverId },
        }),
      ),
    );
  }

  /** Replaces the bootstrap token of a match whose creation is being re-run before its server was started. */
  replaceBootstrap(matchId: string, bootstrapHash: string): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { matchId },
          UpdateExpression: 'SET bootstrapHash = :bootstrapHash',
          ConditionExpression:
            '#state = :starting AND attribute_not_exists(taskArn) AND attribute_not_exists(sessionOpenedAt)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':bootstrapHash': bootstrapHash, ':starting': 'starting' },
        }),
      ),
    );
  }

  /**
   * The one exchange of a bootstrap token: records the session token's hash,
   * once, while the match is starting. False if a session was opened already
   * (or the match has moved on): the bootstrap token is then worth nothing.
   */
  openSession(matchId: string, bootstrapHash: string, tokenHash: string, now: number): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { matchId },
          UpdateExpression: 'SET tokenHash = :tokenHash, sessionOpenedAt = :now',
          ConditionExpression:
            '#state = :starting AND bootstrapHash = :bootstrapHash AND attribute_not_exists(sessionOpenedAt)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':tokenHash': tokenHash,
            ':bootstrapHash': bootstrapHash,
            ':now': now,
            ':starting': 'starting',
          },
        }),
      ),
    );
  }

  /** Matches in `state` whose deadline is at or before `now` (a Query per shard of the sparse byDeadline index). */
  async listOverdue(state: DeadlineState, now: number): Promise<MatchItem[]> {
    const shards = await Promise.all(
      allShardKeys(state, DEADLINE_SHARDS).map((key) => this.overdueIn(key, now)),
    );
    return shards.flat();
  }

  private async overdueIn(key: string, now: number): Promise<MatchItem[]> {
    const items = await queryPages(this.doc, {
      TableName: this.table,
      IndexName: 'byDeadline',
      KeyConditionExpression: 'deadlineShard = :key AND deadlineAt <= :now',
      ExpressionAttributeValues: { ':key': key, ':now': now },
    });
    return items as unknown as MatchItem[];
  }
}
