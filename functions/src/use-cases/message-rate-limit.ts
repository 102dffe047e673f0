import type { ConnectionsRepository } from '../data/connections-repository.js';
import type { Clock } from '../ports.js';

/** The window the per-connection message limit counts in. */
export const MESSAGE_WINDOW_MS = 10_000;

/**
 * The per-connection message limit. API Gateway's route throttles are shared
 * by every client of the stage, so they cannot stop one abusive connection
 * from using up everyone's budget; this counts each connection's messages in
 * its own item and tells the route to refuse, and close, a connection over
 * the limit.
 */
export class MessageRateLimit {
  constructor(
    private readonly connections: Pick<ConnectionsRepository, 'countMessage'>,
    private readonly clock: Clock,
    readonly limit: number,
  ) {}

  /** True if this message is within the connection's limit. */
  admit(connectionId: string): Promise<boolean> {
    const window = Math.floor(this.clock.now() / MESSAGE_WINDOW_MS);
    return this.connections.countMessage(connectionId, window, this.limit);
  }
}
