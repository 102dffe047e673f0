import type { PlayersRepository } from '../data/players-repository.js';
import type { Clock } from '../ports.js';

/** The window the per-connection message limit counts in. */
export const MESSAGE_WINDOW_MS = 10_000;

/**
 * The per-player message limit. API Gateway's route throttles are shared by
 * every client of the stage, so they cannot single out one abusive client;
 * this counts each player's messages (over all its connections, so
 * reconnecting does not reset it) in the player's item and tells the route
 * to refuse, and close, the connection of a player over the limit.
 */
export class MessageRateLimit {
  constructor(
    private readonly players: Pick<PlayersRepository, 'countMessage'>,
    private readonly clock: Clock,
    readonly limit: number,
  ) {}

  /** True if this message is within the player's limit. */
  admit(userId: string): Promise<boolean> {
    const window = Math.floor(this.clock.now() / MESSAGE_WINDOW_MS);
    return this.players.countMessage(userId, window, this.limit);
  }
}
