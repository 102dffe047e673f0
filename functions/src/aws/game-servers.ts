import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { Fleet } from '../env.js';
import { ecsClient } from './clients.js';

/** What starting a game server needs: where, for which match, with which environment. */
export interface GameServerLaunch {
  region: string;
  matchId: string;
  environment: Record<string, string>;
}

/** Starts and stops game-server tasks; the port the matchmaking use cases talk to. */
export interface GameServerLauncher {
  /** Returns the task ARN; throws GameServerLaunchError when ECS cannot place the task. */
  start(launch: GameServerLaunch): Promise<string>;
  stop(region: string, taskArn: string, reason: string): Promise<void>;
}

export class GameServerLaunchError extends Error {
  override readonly name = 'GameServerLaunchError';
}

/** ECS RunTask in the match's region, on that region's fleet. */
export class EcsGameServerLauncher implements GameServerLauncher {
  constructor(private readonly fleets: Record<string, Fleet>) {}

  async start({ region, matchId, environment }: GameServerLaunch): Promise<string> {
    const fleet = this.fleetOf(region);
    const result = await ecsClient(region).send(
      new RunTaskCommand({
        cluster: fleet.cluster,
        taskDefinition: fleet.taskDefinition,
        count: 1,
        // The match id names the task in its state-change events, and makes a retried RunTask start nothing new.
        startedBy: matchId.slice(0, 36),
        clientToken: matchId.slice(0, 64),
        ...(fleet.capacityProvider
          ? { capacityProviderStrategy: [{ capacityProvider: fleet.capacityProvider, weight: 1 }] }
          : { launchType: 'FARGATE' }),
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: fleet.subnets,
            securityGroups: fleet.securityGroups,
            assignPublicIp: fleet.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        overrides: {
          containerOverrides: [
            {
              name: fleet.containerName,
              environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
            },
          ],
        },
      }),
    );
    const taskArn = result.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const reasons = (result.failures ?? []).map((failure) =>
        `${failure.arn ?? ''} ${failure.reason ?? ''}`.trim(),
      );
      throw new GameServerLaunchError(
        `RunTask placed no task in ${region}: ${reasons.join('; ') || 'no reason given'}`,
      );
    }
    return taskArn;
  }

  async stop(region: string, taskArn: string, reason: string): Promise<void> {
    const fleet = this.fleetOf(region);
    await ecsClient(region).send(new StopTaskCommand({ cluster: fleet.cluster, task: taskArn, reason }));
  }

  private fleetOf(region: string): Fleet {
    const fleet = this.fleets[region];
    if (!fleet) throw new GameServerLaunchError(`no game-server fleet is configured for region ${region}`);
    return fleet;
  }
}
