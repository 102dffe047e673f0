import { describe, expect, it } from 'vitest';
import {
  EcsGameServerLauncher,
  GameServerLaunchError,
  launchFailureKind,
  MAX_OVERRIDES_CHARACTERS,
} from '../src/aws/game-servers.js';
import { gameServerEnvironment } from '../src/match/game-server-environment.js';

const fleet = {
  cluster: 'c',
  taskDefinition: 'td',
  containerName: 'game-server',
  subnets: ['s'],
  securityGroups: ['g'],
  assignPublicIp: true,
};

describe('starting game servers on ECS', () => {
  it('refuses, before calling ECS, overrides longer than the 8,192 characters ECS accepts', async () => {
    const launcher = new EcsGameServerLauncher({ 'eu-west-1': fleet });
    const launch = launcher.start({
      region: 'eu-west-1',
      startedBy: 'm',
      environment: { MATCH_ID: 'm', PADDING: 'x'.repeat(MAX_OVERRIDES_CHARACTERS) },
    });
    await expect(launch).rejects.toBeInstanceOf(GameServerLaunchError);
    await expect(launch).rejects.toMatchObject({ kind: 'rejected' });
  });

  it("keeps a match's overrides small whatever its team size (no ids in them)", () => {
    const environment = gameServerEnvironment({ matchId: 'f'.repeat(36) }, 'b'.repeat(43), {
      callbackBaseUrl: `https://${'a'.repeat(60)}.execute-api.eu-west-1.amazonaws.com`,
      maxMatchSeconds: 3600,
      idleSeconds: 120,
    });
    const overrides = JSON.stringify({
      containerOverrides: [
        {
          name: 'game-server',
          environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    expect(overrides.length).toBeLessThan(1000);
  });

  it('names the region when no fleet is configured for it', async () => {
    const launcher = new EcsGameServerLauncher({ 'eu-west-1': fleet });
    await expect(launcher.start({ region: 'us-east-1', startedBy: 'm', environment: {} })).rejects.toThrow(
      /us-east-1/,
    );
  });

  it.each([
    ['a RESOURCE placement failure', { reasons: ['RESOURCE:CPU'] }, 'capacity'],
    [
      'the Fargate vCPU quota',
      { reasons: ['You\u2019ve reached the limit on the number of vCPUs you can run concurrently'] },
      'capacity',
    ],
    ['ECS throttling', { errorName: 'ThrottlingException' }, 'capacity'],
    ['a quota exception', { errorName: 'LimitExceededException' }, 'capacity'],
    ['a bad parameter that mentions a limit', { errorName: 'InvalidParameterException' }, 'rejected'],
    ['a missing task definition', { reasons: ['MISSING'] }, 'rejected'],
    ['a mix of capacity and other failures', { reasons: ['RESOURCE:CPU', 'MISSING'] }, 'rejected'],
    ['no reason at all', { reasons: [] }, 'rejected'],
  ] as const)('classifies %s as %s', (_, failure, kind) => {
    expect(launchFailureKind(failure)).toBe(kind);
  });
});
