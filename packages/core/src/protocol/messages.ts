/**
 * The human words the seed sent to players. We keep them, verbatim, in the
 * `message` field of our JSON events so existing clients and docs still match.
 */
export const SeedMessage = {
  joinedQueue: 'joined queue',
  noRegion: 'No region set for user',
  alreadyInMatch: 'already in match',
  matchFound: 'MATCH FOUND',
  matchCreationError: 'ERROR: Error in match creation',
  serverCreated: (ip: string) => `server created with ip: ${ip}`,
} as const;
