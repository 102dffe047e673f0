export { postCallback, requestSession } from './callback-client.js';
export { type GameServerConfig, readConfig } from './config.js';
export { MatchRules, type Outcome, RULES } from './match.js';
export { createGameServer } from './server.js';
export { parseAssignedSession, parseSession } from './session.js';
