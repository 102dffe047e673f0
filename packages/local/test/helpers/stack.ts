import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../src/index.js';
import { sleepingGameServer } from './game-servers.js';

/**
 * A local stack for tests: any free port, no timer tick (tests call stack.tick()),
 * quiet handlers, and a game server that never calls back (tests play it) unless
 * the options say otherwise.
 */
export function startTestStack(options: LocalStackOptions & { regions: string[] }): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    tickSeconds: 0,
    logLevel: 'SILENT',
    gameServer: sleepingGameServer,
    ...options,
  });
}
