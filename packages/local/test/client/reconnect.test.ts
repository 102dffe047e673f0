import type { ClientEvent, MatchmakingClient } from '@matchmaking/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { eventually } from '../helpers/wait.js';
import { connectAs, connectionsOf } from './sdk.js';

/*
 * Reconnects against the real stack: the WebSocket API emulator drops the
 * socket (as DELETE @connections or a network failure would), the SDK
 * reconnects with a fresh token, the server re-sends the match state, and
 * a queue place the server's $disconnect took is reported.
 */
let stack: LocalStack;
const wide = { initial: 1000, growthPerSecond: 0, max: 1000 };
const clients: MatchmakingClient[] = [];
let serial = 0;
// Fixed jitter: the first retry 150 ms after the drop, time for the server's $disconnect.
const reconnect = { baseMs: 300, capMs: 2000, random: () => 0.5 };

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    gameServer: defaultGameServer,
    queues: { duel: { teamSize: 1, default: true, ratingWindow: wide } },
  });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await stack.stop();
});

async function player(
  name: string,
): Promise<{ mm: MatchmakingClient; userId: string; heard: ClientEvent[] }> {
  serial += 1;
  const userId = `${name}-${serial}`;
  const mm = await connectAs(stack, userId, { reconnect });
  clients.push(mm);
  const heard: ClientEvent[] = [];
  void (async () => {
    for await (const event of mm.events()) heard.push(event);
  })();
  return { mm, userId, heard };
}

/** The API drops the player's connection: a close frame (1000, as DELETE @connections), or none at all (1006). */
function drop(userId: string, how: 'close' | 'terminate'): void {
  const [id] = connectionsOf(stack, userId);
  if (!id) throw new Error(`${userId} has no connection`);
  if (how === 'close') stack.websocket.close(id);
  else stack.websocket.connections.get(id)?.socket.terminate();
}

const typesOf = (events: ClientEvent[]) => events.map((event) => event.type);

describe('SDK reconnects (real stack)', () => {
  it.each(['close', 'terminate'] as const)(
    'after the server drops the socket (%s): reconnects and reports the queue place its $disconnect took',
    async (how) => {
      const { mm, userId, heard } = await player(`queued-${how}`);
      const joined = await mm.joinQueue({ region: 'eu-west-1' });
      const reconnected = mm.once('reconnected');
      drop(userId, how);
      const info = await reconnected;
      expect(info.lostQueue).toEqual({ queue: 'duel', region: 'eu-west-1', ticketId: joined.ticketId });
      expect(info.attempts).toBe(1);
      await eventually(() => expect(typesOf(heard)).toContain('queueLost'));
      expect(typesOf(heard)).toEqual([
        'joinedQueue',
        'disconnected',
        'reconnecting',
        'profile',
        'reconnected',
        'queueLost',
      ]);
      expect(mm.state).toBe('open');
      expect((await mm.getProfile()).status).toBe('idle');
      expect(connectionsOf(stack, userId)).toHaveLength(1);
    },
  );

  it('in a match: the server re-sends MATCH FOUND and the server address on the new connection', async () => {
    const alice = await player('alice');
    const bob = await player('bob');
    const ready = alice.mm.once('serverReady');
    await alice.mm.joinQueue({ region: 'eu-west-1' });
    await bob.mm.joinQueue({ region: 'eu-west-1' });
    const first = await ready;
    const resent = Promise.all([alice.mm.once('matchFound'), alice.mm.once('serverReady')]);
    const reconnected = alice.mm.once('reconnected');
    drop(alice.userId, 'close');
    const [found, server] = await resent;
    expect(found.matchId).toBe(first.matchId);
    expect(server).toMatchObject({ matchId: first.matchId, gameUrl: first.gameUrl });
    // Not queued at the drop: nothing lost, and no profile needed to tell.
    expect((await reconnected).lostQueue).toBeUndefined();
    // The re-sent state comes on the new connection, racing `reconnected` (emitted once it opened).
    const afterDrop = typesOf(alice.heard).slice(typesOf(alice.heard).indexOf('disconnected'));
    expect(afterDrop.filter((type) => type !== 'reconnected')).toEqual([
      'disconnected',
      'reconnecting',
      'matchFound',
      'serverReady',
    ]);
    expect(afterDrop).toContain('reconnected');
  });

  it('not after close(): the connection is gone for good and the iterators end', async () => {
    const { mm, userId, heard } = await player('closer');
    await mm.close();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(connectionsOf(stack, userId)).toEqual([]);
    expect(mm.state).toBe('closed');
    expect(typesOf(heard)).toEqual(['closed']);
  });

  it('not after connectionReplaced: the same player connecting elsewhere ends the older client', async () => {
    const first = await player('twice');
    const closed = first.mm.once('closed');
    const second = await connectAs(stack, first.userId, { reconnect });
    clients.push(second);
    expect((await closed).reason).toBe('replaced');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(second.state).toBe('open');
    expect(connectionsOf(stack, first.userId)).toHaveLength(1);
    expect(typesOf(first.heard)).toEqual(['connectionReplaced', 'disconnected', 'closed']);
  });
});
