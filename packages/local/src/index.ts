export { readStackSettings } from './config.js';
export type { GameServerProcess } from './emulators/ecs.js';
export { defaultGameServer, type LocalStack, type LocalStackOptions, startLocalStack } from './stack.js';
