import { runCold } from './cold.js';
import { ConfigError, type GameServerConfig, readConfig } from './config.js';
import { runPool } from './pool.js';

/*
 * A game-server process (an ECS task), in one of two modes:
 * - MATCH_ID: started for one match (cold.ts): exchange the bootstrap token
 *   for the match's session, listen, report ready, play, report the result, exit.
 * - SERVER_ID: a warm-pool server (pool.ts): listen, register, heartbeat, and
 *   play each match it is assigned on the same port, back to idle after each.
 *
 * Exit codes: 0 result reported (cold), the platform ended the server after a
 * match (pool: release answered 410), or SIGTERM; 1 a callback was refused or
 * kept failing, the session or an answer was invalid, or the port could not
 * be opened; 2 bad configuration; 3 MAX_MATCH_SECONDS without a result; 4 no
 * player connected for IDLE_SECONDS; 5 retired by the platform (pool: a
 * heartbeat or assignment answered 410 or 403). On 1, 3 and 4 during a match
 * no result was reported: the platform abandons the match (no rating change).
 */
let config: GameServerConfig;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
await (config.mode === 'pool' ? runPool(config) : runCold(config));
