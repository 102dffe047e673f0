import type { ConnectionsRepository } from '../data/connections-repository.js';
import type { MatchesRepository } from '../data/matches-repository.js';
import type { PartiesRepository } from '../data/parties-repository.js';
import type { PlayersRepository } from '../data/players-repository.js';
import type { TicketsRepository } from '../data/tickets-repository.js';
import type { Clock, IdGenerator, MatchmakingQueue, Notifier } from '../ports.js';

/** Everything a use case may need; each use case takes the subset it uses. */
export interface Deps {
  connections: ConnectionsRepository;
  players: PlayersRepository;
  tickets: TicketsRepository;
  parties: PartiesRepository;
  matches: MatchesRepository;
  notifier: Notifier;
  queue: MatchmakingQueue;
  clock: Clock;
  ids: IdGenerator;
}
