import { describe, expect, it } from 'vitest';
import { DEFAULT_PING_URL_TEMPLATE, dnsSuffixOf, pingUrl } from '../src/regions/ping-url.js';
import { getPingTargets } from '../src/use-cases/get-ping-targets.js';

describe('getPingTargets', () => {
  it("answers pingTargets with DynamoDB's regional /ping for every served region, in the configured order", () => {
    const answer = getPingTargets({
      regions: ['eu-west-1', 'us-east-1', 'ap-southeast-2'],
      pingUrlTemplate: DEFAULT_PING_URL_TEMPLATE,
    });
    expect(answer).toEqual({
      type: 'pingTargets',
      message: expect.stringContaining('latencies'),
      targets: [
        { region: 'eu-west-1', url: 'https://dynamodb.eu-west-1.amazonaws.com/ping' },
        { region: 'us-east-1', url: 'https://dynamodb.us-east-1.amazonaws.com/ping' },
        { region: 'ap-southeast-2', url: 'https://dynamodb.ap-southeast-2.amazonaws.com/ping' },
      ],
    });
  });

  it('uses the China partition domain for cn-* regions, amazonaws.com for GovCloud', () => {
    const { targets } = getPingTargets({
      regions: ['cn-north-1', 'cn-northwest-1', 'us-gov-west-1'],
      pingUrlTemplate: DEFAULT_PING_URL_TEMPLATE,
    }) as { targets: { region: string; url: string }[] };
    expect(targets.map((target) => target.url)).toEqual([
      'https://dynamodb.cn-north-1.amazonaws.com.cn/ping',
      'https://dynamodb.cn-northwest-1.amazonaws.com.cn/ping',
      'https://dynamodb.us-gov-west-1.amazonaws.com/ping',
    ]);
    expect(dnsSuffixOf('us-east-1')).toBe('amazonaws.com');
  });

  it('fills in a configured template, every {region} of it', () => {
    expect(
      getPingTargets({ regions: ['us-east-1'], pingUrlTemplate: 'http://127.0.0.1:3001/ping/{region}' }),
    ).toMatchObject({ targets: [{ region: 'us-east-1', url: 'http://127.0.0.1:3001/ping/us-east-1' }] });
    expect(pingUrl('https://{region}.ping.example.com/{region}', 'eu-west-1')).toBe(
      'https://eu-west-1.ping.example.com/eu-west-1',
    );
    expect(pingUrl('https://dynamodb.{region}.api.aws/ping', 'sa-east-1')).toBe(
      'https://dynamodb.sa-east-1.api.aws/ping',
    );
  });
});
