import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { Fleet } from '../env.js';
import { ecsClient } from './clients.js';

/** What starting a game server needs: where, for whom, with which environment. */
export interface GameServerLaunch {
  region: string;
  /**
   * Who the task is for, at most 36 characters: the match id (a server for one
   * match) or `w-<serverId>` (a warm-pool server). It names the task in its
   * state-change events, and makes a retried RunTask start nothing new.
   */
  startedBy: string;
  environment: Record<string, string>;
}

/** The `startedBy` of a warm-pool server's task. */
export const poolStartedBy = (serverId: string) => `w-${serverId}`;
/** The server id of a warm-pool task's `startedBy`, or undefined for a match's own task. */
export const poolServerOf = (startedBy: string) =>
  startedBy.startsWith('w-') ? startedBy.slice(2) : undefined;

/** Starts and stops game-server tasks; the port the matchmaking use cases talk to. */
export interface GameServerLauncher {
  /** Returns the task ARN; throws GameServerLaunchError when ECS cannot place the task. */
  start(launch: GameServerLaunch): Promise<string>;
  stop(region: string, taskArn: string, reason: string): Promise<void>;
  /**
   * The task definition a launch in this region runs now: the current deploy's revision. A warm
   * server launched from another one runs an earlier image, and is replaced.
   */
  taskDefinitionOf(region: string): string;
}

/**
 * Why no task was started. 'capacity': ECS has no room now (a RESOURCE:*
 * placement failure, the account's Fargate vCPU quota) or throttled RunTask
 * (ThrottlingException, about 20 launches/s per region): worth retrying later,
 * not the players' fault. 'rejected': this launch cannot work as asked.
 */
export type LaunchFailureKind = 'capacity' | 'rejected';

export class GameServerLaunchError extends Error {
  override readonly name = 'GameServerLaunchError';
  constructor(
    message: string,
    readonly kind: LaunchFailureKind = 'rejected',
  ) {
    super(message);
  }
}

/** ECS refuses container overrides longer than this (RunTask API reference, `overrides`). */
export const MAX_OVERRIDES_CHARACTERS = 8192;

/** ECS exceptions that mean "not now" rather than "never": throttling and quotas. */
const CAPACITY_ERRORS = new Set(['ThrottlingException', 'LimitExceededException']);
/**
 * RunTask failure reasons that mean no room now: RESOURCE:* placement
 * failures (ECS API failure reasons) and the Fargate quota ("You've reached
 * the limit on the number of vCPUs/tasks you can run concurrently").
 */
const CAPACITY_REASON = /^RESOURCE:|reached the limit on the number of/i;

/** Whether RunTask's failures (or its exception's name) mean "retry later". */
export function launchFailureKind(failure: {
  reasons?: readonly string[];
  errorName?: string;
}): LaunchFailureKind {
  if (failure.errorName !== undefined)
    return CAPACITY_ERRORS.has(failure.errorName) ? 'capacity' : 'rejected';
  const reasons = failure.reasons ?? [];
  return reasons.length > 0 && reasons.every((reason) => CAPACITY_REASON.test(reason))
    ? 'capacity'
    : 'rejected';
}

/** ECS RunTask in the match's region, on that region's fleet. */
export class EcsGameServerLauncher implements GameServerLauncher {
  constructor(private readonly fleets: Record<string, Fleet>) {}

  taskDefinitionOf(region: string): string {
    return this.fleetOf(region).taskDefinition;
  }

  async start({ region, startedBy, environment }: GameServerLaunch): Promise<string> {
    const fleet = this.fleetOf(region);
    const overrides = {
      containerOverrides: [
        {
          name: fleet.containerName,
          environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
        },
      ],
    };
    if (JSON.stringify(overrides).length > MAX_OVERRIDES_CHARACTERS) {
      throw new GameServerLaunchError(
        `the task overrides exceed ECS's ${MAX_OVERRIDES_CHARACTERS} characters`,
      );
    }
    const result = await this.runTask(
      region,
      new RunTaskCommand({
        cluster: fleet.cluster,
        taskDefinition: fleet.taskDefinition,
        count: 1,
        startedBy: startedBy.slice(0, 36),
        clientToken: startedBy.slice(0, 64),
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
        overrides,
      }),
    );
    const taskArn = result.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const reasons = (result.failures ?? []).map((failure) =>
        `${failure.arn ?? ''} ${failure.reason ?? ''}`.trim(),
      );
      const kind = launchFailureKind({ reasons: (result.failures ?? []).map((f) => f.reason ?? '') });
      throw new GameServerLaunchError(
        `RunTask placed no task in ${region}: ${reasons.join('; ') || 'no reason given'}`,
        kind,
      );
    }
    return taskArn;
  }

  /** RunTask; throttling and quota exceptions become capacity failures (retry later), others propagate. */
  private async runTask(region: string, command: RunTaskCommand) {
    try {
      return await ecsClient(region).send(command);
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (launchFailureKind({ errorName: name }) === 'capacity') {
        throw new GameServerLaunchError(
          `RunTask in ${region}: ${name}: ${(error as Error).message}`,
          'capacity',
        );
      }
      throw error;
    }
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
