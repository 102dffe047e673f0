import { WebSocket } from 'ws';
import type { LocalStack } from '../../src/index.js';

export interface PlayerEvent {
  type: string;
  message: string;
  [field: string]: unknown;
}

/** A real WebSocket client of the local WebSocket API, with a queue of the events it received. */
export class TestPlayer {
  readonly events: PlayerEvent[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly userId: string,
    readonly socket: WebSocket,
  ) {
    socket.on('message', (data) => {
      this.events.push(JSON.parse(data.toString()) as PlayerEvent);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(stack: LocalStack, userId: string): Promise<TestPlayer> {
    const token = await stack.token(userId);
    const socket = new WebSocket(`ws://127.0.0.1:${stack.port}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new TestPlayer(userId, socket);
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends an action and waits for the next event of `type` after it. */
  async request(message: unknown, type: string): Promise<PlayerEvent> {
    const from = this.events.length;
    this.send(message);
    return this.next(type, from);
  }

  /** The first event of `type` received at or after index `from` (waits up to `timeoutMs`). */
  async next(type: string, from = 0, timeoutMs = 10_000): Promise<PlayerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find((event) => event.type === type);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `${this.userId} got no ${type} event; got ${this.events.map((e) => e.type).join(', ')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  count(type: string): number {
    return this.events.filter((event) => event.type === type).length;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** Tries to open a connection and reports the HTTP status of a refused upgrade (or 101). */
export function upgradeStatus(
  stack: LocalStack,
  headers: Record<string, string>,
  query = '',
): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${stack.port}/${query}`, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}
