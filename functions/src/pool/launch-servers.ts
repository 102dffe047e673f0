import { randomBytes } from 'node:crypto';
import { GameServerEnv } from '@matchmaking/core';
import { GameServerLaunchError, poolStartedBy } from '../aws/game-servers.js';
import { newMatchToken } from '../match/match-token.js';
import { createLogger } from '../runtime/logger.js';
import type { PoolDeps } from './pool-deps.js';

const logger = createLogger('launch-servers');

/**
 * Launches `count` warm-pool servers in a region, one RunTask each (each task
 * gets its own one-time registration token, so `count` cannot be batched).
 * The server is recorded before RunTask so its registration can be checked;
 * a launch ECS refuses retires its record. Stops at the first failure (no
 * room, throttled, or refused: the next keep tries again, at its own pace,
 * never in a loop). Returns how many started.
 */
export async function launchServers(deps: PoolDeps, region: string, count: number): Promise<number> {
  let launched = 0;
  while (launched < count && (await launchOne(deps, region))) launched += 1;
  return launched;
}

async function launchOne(deps: PoolDeps, region: string): Promise<boolean> {
  const serverId = randomBytes(16).toString('hex');
  const { token, hash } = newMatchToken();
  await deps.servers.create({
    serverId,
    region,
    registrationHash: hash,
    launchedAt: deps.clock.now(),
    taskDefinition: deps.launcher.taskDefinitionOf(region),
  });
  try {
    const taskArn = await deps.launcher.start({
      region,
      startedBy: poolStartedBy(serverId),
      environment: {
        [GameServerEnv.serverId]: serverId,
        [GameServerEnv.registrationToken]: token,
        [GameServerEnv.callbackBaseUrl]: deps.timings.callbackBaseUrl.replace(/\/+$/, ''),
        [GameServerEnv.maxMatchSeconds]: String(deps.timings.maxMatchSeconds),
        [GameServerEnv.idleSeconds]: String(deps.timings.idleSeconds),
      },
    });
    await deps.servers.setTask(serverId, taskArn);
    logger.info('warm server launched', { serverId, region, taskArn });
    return true;
  } catch (error) {
    const capacity = error instanceof GameServerLaunchError && error.kind === 'capacity';
    logger.warn('warm server not launched', { serverId, region, capacity, error });
    await deps.servers.retire(serverId, `not launched: ${(error as Error).message}`, deps.clock.now());
    return false;
  }
}
