export { readStackSettings } from './config.js';
export {
  CAPACITY_FAILURE_REASON,
  DEFAULT_MAX_RUNNING_TASKS,
  type GameServerProcess,
} from './emulators/ecs.js';
export { ensureGameServerBundle, gameServerBundle } from './game-server-bundle.js';
export { defaultGameServer, type LocalStack, type LocalStackOptions, startLocalStack } from './stack.js';
