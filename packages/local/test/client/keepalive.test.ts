import type { ClientEvent, ConnectOptions, MatchmakingClient } from '@matchmaking/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';
import { connectAs, connectionsOf } from './sdk.js';

/*
 * The SDK against API Gateway's two time limits, emulated in seconds: its
 * keepAlive outlasts the idle timeout, and its renewal moves a queued player
 * to a fresh connection before the duration limit without losing the place.
 */
const IDLE_SECONDS = 2;
const MAX_CONNECTION_SECONDS = 5;
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
const clients: MatchmakingClient[] = [];
let serial = 0;
const reconnect = { baseMs: 300, capMs: 2000, random: () => 0.5 };

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 50,
    websocketLimits: { idleSeconds: IDLE_SECONDS, maxConnectionSeconds: MAX_CONNECTION_SECONDS },
  });
  tables = tableReader(stack);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await stack.stop();
});

async function player(name: string, options: Partial<ConnectOptions>) {
  serial += 1;
  const userId = `${name}-${serial}`;
  const mm = await connectAs(stack, userId, { reconnect, ...options });
  clients.push(mm);
  const heard: ClientEvent[] = [];
  void (async () => {
    for await (const event of mm.events()) heard.push(event);
  })();
  return { mm, userId, heard };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const typesOf = (events: ClientEvent[]) => events.map((event) => event.type);

describe('SDK players across API Gateway’s WebSocket limits (real stack)', () => {
  it('stay connected past the idle timeout with keepAliveSeconds below it', async () => {
    const { userId, heard } = await player('keeper', { keepAliveSeconds: 1, renewAfterSeconds: 0 });
    const [connectionId] = connectionsOf(stack, userId);
    await sleep((IDLE_SECONDS + 1.5) * 1000);
    expect(connectionsOf(stack, userId)).toEqual([connectionId]);
    expect(typesOf(heard)).not.toContain('disconnected');
  });

  it('are closed at the idle timeout with keepAlive off, and reconnect', async () => {
    const { mm, heard } = await player('sleeper', { keepAliveSeconds: 0, renewAfterSeconds: 0 });
    await eventually(() => expect(typesOf(heard)).toContain('reconnected'), 8000);
    expect(heard.find((event) => event.type === 'disconnected')).toMatchObject({
      code: 1001,
      willReconnect: true,
    });
    expect(mm.state).toBe('open');
  });

  it('keep their queue place past the connection duration limit: the SDK renews the connection first', async () => {
    const { mm, userId, heard } = await player('renewer', { keepAliveSeconds: 1, renewAfterSeconds: 3 });
    const [first] = connectionsOf(stack, userId);
    const joined = await mm.joinQueue({ region: 'eu-west-1' });
    await sleep((MAX_CONNECTION_SECONDS + 1.5) * 1000);
    const now = connectionsOf(stack, userId);
    expect(now).toHaveLength(1);
    expect(now).not.toContain(first);
    // No drop, no lost place, nothing replaced as far as the game can tell.
    expect(typesOf(heard)).not.toContain('disconnected');
    expect(typesOf(heard)).not.toContain('queueLost');
    expect(typesOf(heard)).not.toContain('connectionReplaced');
    expect((await tables.player(userId))?.status).toBe('queued');
    expect((await tables.tickets()).map((ticket) => ticket.ticketId)).toContain(joined.ticketId);
    expect((await mm.getProfile()).status).toBe('queued');
  });

  it('lose their queue place at the connection duration limit without renewal, and are told (queueLost)', async () => {
    const { mm, heard } = await player('expirer', { keepAliveSeconds: 1, renewAfterSeconds: 0 });
    const joined = await mm.joinQueue({ region: 'eu-west-1' });
    await eventually(
      () => expect(typesOf(heard)).toContain('queueLost'),
      (MAX_CONNECTION_SECONDS + 4) * 1000,
    );
    expect(heard.find((event) => event.type === 'disconnected')).toMatchObject({ code: 1001 });
    expect(heard.find((event) => event.type === 'queueLost')).toMatchObject({ ticketId: joined.ticketId });
  });
});
