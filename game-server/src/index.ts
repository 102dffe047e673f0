export { postCallback } from './callback-client.js';
export { type GameServerConfig, readConfig } from './config.js';
export { createGameServer } from './server.js';
