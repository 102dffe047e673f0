import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/env.js';

describe('loadConfig', () => {
  it('parses lists, numbers and JSON and applies defaults', () => {
    const config = loadConfig(['MATCHMAKING_REGIONS', 'TEAM_SIZE', 'GAME_SERVER_FLEETS'], {
      MATCHMAKING_REGIONS: 'us-east-1, eu-west-1',
      GAME_SERVER_FLEETS: JSON.stringify({
        'us-east-1': {
          cluster: 'c',
          taskDefinition: 't',
          containerName: 'g',
          subnets: ['s'],
          securityGroups: ['sg'],
        },
      }),
    });
    expect(config.MATCHMAKING_REGIONS).toEqual(['us-east-1', 'eu-west-1']);
    expect(config.TEAM_SIZE).toBe(1);
    expect(config.GAME_SERVER_FLEETS['us-east-1']?.assignPublicIp).toBe(true);
  });

  it('names every missing or bad variable at once', () => {
    const load = () =>
      loadConfig(['JWKS_URL', 'TEAM_SIZE', 'MATCHMAKING_QUEUE_URL'], {
        TEAM_SIZE: '0',
        MATCHMAKING_QUEUE_URL: 'http://q/standard',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /JWKS_URL is not set.*TEAM_SIZE is invalid.*MATCHMAKING_QUEUE_URL is invalid: must be a FIFO/,
    );
  });
});
