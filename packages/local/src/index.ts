export { readStackSettings } from './config.js';
export {
  CAPACITY_FAILURE_REASON,
  DEFAULT_MAX_RUNNING_TASKS,
  type GameServerProcess,
} from './emulators/ecs.js';
export { ensureGameServerBundle, gameServerBundle } from './game-server-bundle.js';
export {
  FunctionTimeoutError,
  type InvocationReport,
  LocalLambdas,
  type LocalLambdasOptions,
} from './lambda.js';
export {
  defaultGameServer,
  type Emulation,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from './stack.js';
