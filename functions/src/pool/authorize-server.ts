import { ErrorCode, MatchmakingError } from '@matchmaking/core';
import type { ServerItem } from '../data/items.js';
import type { ServersRepository } from '../data/servers-repository.js';
import { bearerToken } from '../lifecycle/callback-auth.js';
import { tokenMatches } from '../match/match-token.js';

export type ServerCredential = 'server' | 'registration';

/**
 * Finds the pool server a call names and checks its bearer token: the
 * server's own token (issued at registration), or for the registration
 * itself the one-time token of its task. Unknown servers and wrong tokens
 * look the same (403), so the API does not reveal which server ids exist.
 */
export async function authorizeServer(
  servers: ServersRepository,
  serverId: string | undefined,
  authorization: string | undefined,
  credential: ServerCredential = 'server',
): Promise<ServerItem> {
  const token = bearerToken(
    authorization,
    credential === 'server' ? 'server token' : 'SERVER_REGISTRATION_TOKEN',
  );
  const server = serverId && /^[0-9a-f]{32}$/.test(serverId) ? await servers.get(serverId) : undefined;
  const expected = credential === 'server' ? server?.credentialHash : server?.registrationHash;
  if (!server || !expected || !tokenMatches(token, expected)) {
    throw new MatchmakingError(ErrorCode.Forbidden, 'this token does not open this server');
  }
  return server;
}
