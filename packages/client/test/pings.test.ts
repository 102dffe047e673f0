import { describe, expect, it } from 'vitest';
import { ClientErrorCode } from '../src/errors.js';
import { median, timeTargets } from '../src/pings.js';

describe('median', () => {
  it('is the middle value, the mean of the middle two for an even count, undefined for none', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([7])).toBe(7);
    expect(median([])).toBeUndefined();
    // The first try (DNS, TCP, TLS) is an outlier the median ignores.
    expect(median([480, 21, 19])).toBe(21);
  });
});

describe('timeTargets', () => {
  const targets = [
    { region: 'us-east-1', url: 'https://ping.us' },
    { region: 'eu-west-1', url: 'https://ping.eu' },
    { region: 'ap-south-1', url: 'https://ping.ap' },
  ];

  it("answers each region's median over its tries, leaving out regions that never answered", async () => {
    // Real waits: the regions are timed in parallel. The first try of each pays a (DNS, TLS) outlier.
    const times: Record<string, number[]> = {
      'https://ping.us': [150, 10, 12],
      'https://ping.eu': [60, 62, 200],
    };
    const inits: unknown[] = [];
    const fetch = async (url: string, init: unknown) => {
      inits.push(init);
      const ms = times[url]?.shift();
      if (ms === undefined) throw new TypeError('failed to fetch');
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { status: 0 };
    };
    const measured = await timeTargets(targets, { fetch, tries: 3 });
    expect(Object.keys(measured)).toEqual(['us-east-1', 'eu-west-1']);
    expect(measured['us-east-1']).toBeGreaterThanOrEqual(11);
    expect(measured['us-east-1']).toBeLessThan(50);
    expect(measured['eu-west-1']).toBeGreaterThanOrEqual(61);
    expect(measured['eu-west-1']).toBeLessThan(150);
    expect(inits[0]).toMatchObject({ mode: 'no-cors', cache: 'no-store' });
  });

  it('counts a visible error status as a failed try, and rejects with PING_FAILED when nothing answered', async () => {
    const busy = async () => ({ status: 503 });
    await expect(timeTargets(targets, { fetch: busy })).rejects.toMatchObject({
      code: ClientErrorCode.PingFailed,
    });
  });

  it('gives up on a try after timeoutMs', async () => {
    const hang = (_url: string, init: { signal: AbortSignal }) =>
      new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const started = Date.now();
    await expect(
      timeTargets(targets.slice(0, 1), { fetch: hang, tries: 2, timeoutMs: 30 }),
    ).rejects.toMatchObject({
      code: ClientErrorCode.PingFailed,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
