import { z } from 'zod';

/**
 * What a client times to measure its round trip to each served region
 * (getPingTargets), before it joins with `latencies`.
 *
 * The default is DynamoDB's regional endpoint, `https://dynamodb.<region>.amazonaws.com/ping`,
 * the URL cloudping.info and CloudPing (github.com/mda590/cloudping.co) time:
 * - regional: one endpoint per region, served from that region, the same region as its game
 *   servers' ECS tasks (the fleet of `matchmaking:regions`), so its round trip stands for the
 *   player's path into that region;
 * - no auth and nothing to deploy: a bare `GET /ping` answers 200 with a few bytes
 *   (`healthy: dynamodb.<region>.amazonaws.com`), no credentials, no table, no cost to us;
 * - timeable from a browser: DynamoDB is one of the services the AWS SDK for JavaScript calls
 *   from browsers (CORS-enabled in the SDK's service metadata), but clients should not depend on
 *   /ping's CORS headers: `fetch(url, {mode: 'no-cors', cache: 'no-store'})` resolves (with an
 *   opaque response) when the answer arrives, and its wall-clock time is all we need; Resource
 *   Timing's `duration` is also exposed cross-origin (its phases are zeroed without
 *   `Timing-Allow-Origin`). Time the second of a few requests: the first pays DNS, TCP and TLS.
 *
 * Not the WebSocket API's own endpoint: there is one, in the home region only, so it says nothing
 * about the other regions, and every message to it runs a Lambda (a cold start adds hundreds of
 * ms and the invocation costs money). Not GameLift's UDP ping beacons: closer to game traffic
 * (UDP), but a browser cannot send UDP, they exist only where GameLift hosts, and this product runs
 * its servers on ECS, not GameLift. A native client may still time those and report them as
 * `latencies`: the matchmaker only compares the numbers.
 *
 * Endpoints that differ: the China regions' DynamoDB is `dynamodb.cn-north-1.amazonaws.com.cn`
 * (partition aws-cn), so the default uses `{dnsSuffix}`, each region's partition DNS suffix as
 * the AWS SDK's partition table gives it (`amazonaws.com`, `.com.cn` for cn-*, and the isolated
 * partitions' own, which players cannot reach anyway). GovCloud (us-gov-*) uses `amazonaws.com`.
 * The dual-stack (IPv6) endpoints are `dynamodb.<region>.api.aws`: set PING_URL_TEMPLATE
 * (`matchmaking:pingUrlTemplate`) to `https://dynamodb.{region}.api.aws/ping` to time those, or to
 * any URL of your own per region (a small object in a bucket of that region with CORS, a health
 * check of a load balancer in front of the game servers...).
 */
export const DEFAULT_PING_URL_TEMPLATE = 'https://dynamodb.{region}.{dnsSuffix}/ping';

/** The placeholders a template may hold; `{region}` is required. */
export const PING_URL_PLACEHOLDERS = ['region', 'dnsSuffix'] as const;

/**
 * A region's partition DNS suffix, from the AWS SDK's partition table
 * (@aws-sdk/core util-endpoints partitions: aws, aws-cn, aws-us-gov, aws-iso*).
 */
export function dnsSuffixOf(region: string): string {
  if (/^cn-/.test(region)) return 'amazonaws.com.cn';
  if (/^us-iso-/.test(region)) return 'c2s.ic.gov';
  if (/^us-isob-/.test(region)) return 'sc2s.sgov.gov';
  if (/^us-isof-/.test(region)) return 'csp.hci.ic.gov';
  if (/^eu-isoe-/.test(region)) return 'cloud.adc-e.uk';
  return 'amazonaws.com';
}

/** The URL a client times for `region`: the template with its placeholders filled in. */
export function pingUrl(template: string, region: string): string {
  return template.replaceAll('{region}', region).replaceAll('{dnsSuffix}', dnsSuffixOf(region));
}

/**
 * PING_URL_TEMPLATE / `matchmaking:pingUrlTemplate`: an http(s) URL with
 * `{region}` (and optionally `{dnsSuffix}`), no other placeholder (a typo such
 * as `{regoin}` would reach every client) and no credentials in it.
 */
export const pingUrlTemplateSchema = z
  .string()
  .min(1)
  .max(512)
  .superRefine((template, ctx) => {
    if (!template.includes('{region}')) {
      ctx.addIssue({
        code: 'custom',
        message: 'must contain {region} (e.g. https://dynamodb.{region}.amazonaws.com/ping)',
      });
      return;
    }
    const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
      .map((match) => match[1] as string)
      .filter((name) => !(PING_URL_PLACEHOLDERS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder ${unknown.map((name) => `{${name}}`).join(', ')}; only {region} and {dnsSuffix}`,
      });
      return;
    }
    let url: URL;
    try {
      url = new URL(pingUrl(template, 'us-east-1'));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: `must be an http(s) URL, not ${url.protocol}` });
    } else if (url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not carry credentials: every client gets it' });
    }
  });
