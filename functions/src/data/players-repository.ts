import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NEW_PLAYER_RATING, type Rating } from '@matchmaking/core';
import type { PoolRef } from '../queues/queue-config.js';
import { conditionally, conditionallyReturning } from './conditional.js';
import type { PlayerItem, ServerAddress } from './items.js';

/**
 * Players: rating and where each player is in the flow. Every move between
 * statuses (idle -> queued -> matched -> in_match -> idle) is a conditional
 * update naming the ticket or match it expects, so a stale or repeated step
 * changes nothing. Each returns the player as written, or undefined when its
 * condition did not hold.
 */
export class PlayersRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(userId: string): Promise<PlayerItem | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { userId }, ConsistentRead: true }),
    );
    return result.Item as PlayerItem | undefined;
  }

  /**
   * Records the player's newest connection, creating a new player at 1500 / 350 / 0.06.
   * Returns the player as written and the connection it replaced, if any.
   */
  async connect(
    userId: string,
    connectionId: string,
    now: number,
  ): Promise<{ player: PlayerItem; replaced?: string }> {
    const result = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { userId },
        UpdateExpression:
          'SET connectionId = :connectionId, updatedAt = :now, rating = if_not_exists(rating, :rating), rd = if_not_exists(rd, :rd), vol = if_not_exists(vol, :vol), #status = if_not_exists(#status, :idle)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':connectionId': connectionId,
          ':now': now,
          ':rating': NEW_PLAYER_RATING.rating,
          ':rd': NEW_PLAYER_RATING.rd,
          ':vol': NEW_PLAYER_RATING.vol,
          ':idle': 'idle',
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const before = result.Attributes as PlayerItem | undefined;
    const player: PlayerItem = {
      ...NEW_PLAYER_RATING,
      status: 'idle',
      ...before,
      userId,
      connectionId,
      updatedAt: now,
    };
    const replaced = before?.connectionId !== connectionId ? before?.connectionId : undefined;
    return { player, ...(replaced ? { replaced } : {}) };
  }

  /** Forgets the connection if it is still the player's newest (an old tab closing changes nothing). */
  forgetConnection(userId: string, connectionId: string): Promise<PlayerItem | undefined> {
    return this.update(userId, 'REMOVE connectionId', 'connectionId = :connectionId', {
      ':connectionId': connectionId,
    });
  }

  /**
   * idle -> queued with this ticket. `staleTicketId` lets a player whose
   * earlier join died half-way (queued, but the ticket was never written) join again.
   */
  markQueued(
    userId: string,
    pool: PoolRef,
    ticketId: string,
    now: number,
    staleTicketId?: string,
  ): Promise<PlayerItem | undefined> {
    const condition = staleTicketId
      ? '#status = :queued AND ticketId = :stale'
      : '#status = :idle OR attribute_not_exists(#status)';
    return this.update(
      userId,
      'SET #status = :queued, ticketId = :ticketId, #region = :region, #queue = :queue, updatedAt = :now REMOVE matchId, #server',
      condition,
      {
        ':queued': 'queued',
        ':ticketId': ticketId,
        ':region': pool.region,
        ':queue': pool.queue,
        ':now': now,
        ...(staleTicketId ? { ':stale': staleTicketId } : { ':idle': 'idle' }),
      },
    );
  }

  /**
   * Puts the player in this party, with the latencies they measured (a party
   * queued with latencies uses each member's; none given forgets older ones);
   * false if the player is in one already, queued (a party queues together),
   * or matched (a proposed or starting match may requeue its tickets as they were).
   */
  async joinParty(userId: string, partyId: string, latencies?: Record<string, number>): Promise<boolean> {
    return (
      (await this.update(
        userId,
        latencies
          ? 'SET partyId = :partyId, latencies = :latencies'
          : 'SET partyId = :partyId REMOVE latencies',
        'attribute_not_exists(partyId) AND (attribute_not_exists(#status) OR (#status <> :queued AND #status <> :matched))',
        {
          ':partyId': partyId,
          ':queued': 'queued',
          ':matched': 'matched',
          ...(latencies ? { ':latencies': latencies } : {}),
        },
      )) !== undefined
    );
  }

  /** Takes the player out of this party (no change if the player is in another one or none). */
  async leaveParty(userId: string, partyId: string): Promise<boolean> {
    return (
      (await this.update(userId, 'REMOVE partyId', 'partyId = :partyId', { ':partyId': partyId })) !==
      undefined
    );
  }

  /** queued with this ticket -> idle. */
  leaveQueue(userId: string, ticketId: string): Promise<PlayerItem | undefined> {
    return this.update(
      userId,
      'SET #status = :idle REMOVE ticketId',
      '#status = :queued AND ticketId = :ticketId',
      {
        ':idle': 'idle',
        ':queued': 'queued',
        ':ticketId': ticketId,
      },
    );
  }

  /** queued with this ticket -> matched to this match (repeating it for the same match succeeds). */
  markMatched(userId: string, ticketId: string, matchId: string): Promise<PlayerItem | undefined> {
    return this.update(
      userId,
      'SET #status = :matched, matchId = :matchId REMOVE ticketId',
      '(#status = :queued AND ticketId = :ticketId) OR (#status = :matched AND matchId = :matchId)',
      { ':matched': 'matched', ':queued': 'queued', ':ticketId': ticketId, ':matchId': matchId },
    );
  }

  /** matched to this match -> queued again with its original ticket (the match was cancelled). */
  requeue(userId: string, matchId: string, ticketId: string): Promise<PlayerItem | undefined> {
    return this.update(
      userId,
      'SET #status = :queued, ticketId = :ticketId REMOVE matchId, #server',
      'matchId = :matchId',
      { ':queued': 'queued', ':ticketId': ticketId, ':matchId': matchId },
    );
  }

  /** matched to this match -> in_match at the server's address (false if already done: no second notice). */
  markInMatch(userId: string, matchId: string, server: ServerAddress): Promise<PlayerItem | undefined> {
    return this.update(
      userId,
      'SET #status = :inMatch, #server = :server',
      'matchId = :matchId AND #status = :matched',
      { ':inMatch': 'in_match', ':server': server, ':matchId': matchId, ':matched': 'matched' },
    );
  }

  /** In this match -> idle, no rating change (cancelled or abandoned). */
  freeFromMatch(userId: string, matchId: string): Promise<PlayerItem | undefined> {
    return this.update(userId, 'SET #status = :idle REMOVE matchId, #server', 'matchId = :matchId', {
      ':idle': 'idle',
      ':matchId': matchId,
    });
  }

  /**
   * Writes the rating this match produced and frees the player, in one
   * conditional update: it happens once per player and match, whatever retries.
   */
  applyResult(userId: string, matchId: string, rating: Rating): Promise<PlayerItem | undefined> {
    return this.update(
      userId,
      'SET rating = :rating, rd = :rd, vol = :vol, lastRatedMatchId = :matchId, #status = :idle REMOVE matchId, #server',
      'matchId = :matchId AND (attribute_not_exists(lastRatedMatchId) OR lastRatedMatchId <> :matchId)',
      {
        ':rating': rating.rating,
        ':rd': rating.rd,
        ':vol': rating.vol,
        ':matchId': matchId,
        ':idle': 'idle',
      },
    );
  }

  /**
   * Counts one message of this player (over all its connections) in the fixed window `window` (an
   * integer, e.g. epoch seconds / 10); false once `limit` messages were counted
   * in that window, or if the player is unknown. One conditional write per
   * message (two or three when a new window starts).
   */
  async countMessage(userId: string, window: number, limit: number): Promise<boolean> {
    const inWindow = () =>
      conditionally(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { userId },
            UpdateExpression: 'SET messageCount = messageCount + :one',
            ConditionExpression: 'messageWindow = :window AND messageCount < :limit',
            ExpressionAttributeValues: { ':one': 1, ':window': window, ':limit': limit },
          }),
        ),
      );
    if (await inWindow()) return true;
    const opened = await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { userId },
          UpdateExpression: 'SET messageWindow = :window, messageCount = :one',
          ConditionExpression:
            'attribute_exists(userId) AND (attribute_not_exists(messageWindow) OR messageWindow <> :window)',
          ExpressionAttributeValues: { ':one': 1, ':window': window },
        }),
      ),
    );
    // Another message of the same player may have opened the window first: count in it.
    return opened || inWindow();
  }

  private update(
    userId: string,
    expression: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<PlayerItem | undefined> {
    const names: Record<string, string> = {};
    for (const name of ['#status', '#server', '#region', '#queue']) {
      if (expression.includes(name) || condition.includes(name)) names[name] = name.slice(1);
    }
    return conditionallyReturning(async () => {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { userId },
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(userId) AND (${condition})`,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as PlayerItem;
    });
  }
}
