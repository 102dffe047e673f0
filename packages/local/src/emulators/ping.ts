import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-util.js';

/**
 * The regional endpoints clients time (getPingTargets), with an emulated
 * round trip per region: `GET /ping/<region>` answers after that region's
 * delay, so `pnpm dev` shows the regions at different distances, as
 * `https://dynamodb.<region>.amazonaws.com/ping` does from a player's machine.
 *
 * Clients are hostile: only GET (and HEAD) of a served region is held, and
 * at most MAX_PENDING_PINGS at once (503 at once beyond), each at most
 * MAX_PING_DELAY_MS; a client that goes away frees its place. The answer is a
 * few bytes, never cached, readable from any page (CORS) with its timings
 * (Timing-Allow-Origin).
 */
export const PING_PATH = '/ping/';
/** Requests held at once, over all regions. */
export const MAX_PENDING_PINGS = 64;
/** The longest emulated round trip. */
export const MAX_PING_DELAY_MS = 5000;

/**
 * Round trips (ms) from a player on the US east coast, roughly what cloudping.info shows:
 * the default delays, so the regions of Pulumi.dev.yaml (us-east-1, eu-west-1) differ.
 */
const TYPICAL_DELAYS_MS: Readonly<Record<string, number>> = {
  'us-east-1': 20,
  'us-east-2': 30,
  'ca-central-1': 35,
  'us-west-1': 70,
  'us-west-2': 75,
  'eu-west-1': 90,
  'eu-west-2': 85,
  'eu-west-3': 90,
  'eu-central-1': 100,
  'eu-north-1': 115,
  'eu-south-1': 110,
  'sa-east-1': 130,
  'ap-northeast-1': 160,
  'ap-northeast-2': 180,
  'me-central-1': 200,
  'ap-south-1': 200,
  'ap-southeast-2': 210,
  'ap-east-1': 210,
  'ap-southeast-1': 220,
  'af-south-1': 230,
};

/** A region's default delay: the table's, else 40-200 ms from a hash of its name (the same on every run). */
export function defaultPingDelayMs(region: string): number {
  const typical = TYPICAL_DELAYS_MS[region];
  if (typical !== undefined) return typical;
  // FNV-1a: deterministic, spread over the range.
  let hash = 0x811c9dc5;
  for (const char of region) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return 40 + (hash % 161);
}

/** Every served region's delay: the configured ones (checked), the default for the rest. */
export function pingDelays(
  regions: readonly string[],
  configured: Readonly<Record<string, number>> = {},
): Record<string, number> {
  for (const [region, ms] of Object.entries(configured)) {
    if (!regions.includes(region))
      throw new Error(`pingDelaysMs names ${region}, which is not served (regions: ${regions.join(', ')})`);
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_PING_DELAY_MS)
      throw new Error(
        `pingDelaysMs.${region} must be a whole number of ms from 0 to ${MAX_PING_DELAY_MS}, got ${ms}`,
      );
  }
  return Object.fromEntries(
    regions.map((region) => [region, configured[region] ?? defaultPingDelayMs(region)]),
  );
}

/** `us-east-1=20,eu-west-1=150` (`pnpm dev --ping-delays`): region -> ms; throws naming the bad part. */
export function parsePingDelays(text: string): Record<string, number> {
  const delays: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^([a-z0-9-]+)=(\d+)$/.exec(part);
    if (!match) throw new Error(`"${part}" is not <region>=<ms> (e.g. eu-west-1=150)`);
    delays[match[1] as string] = Number(match[2]);
  }
  return delays;
}

const HEADERS = {
  'access-control-allow-origin': '*',
  'timing-allow-origin': '*',
  'cache-control': 'no-store',
};

export class PingEndpoints {
  /** Cancels of the requests being held. */
  private readonly pending = new Set<() => void>();

  constructor(private readonly delaysMs: Readonly<Record<string, number>>) {}

  matches(path: string): boolean {
    return path === '/ping' || path.startsWith(PING_PATH);
  }

  handle(request: IncomingMessage, response: ServerResponse, path: string): void {
    const refusal = this.refusal(request, path);
    if (refusal) {
      sendJson(
        response,
        refusal.status,
        { message: refusal.message, ...refusal.body },
        {
          ...HEADERS,
          ...refusal.headers,
        },
      );
      return;
    }
    const region = path.slice(PING_PATH.length);
    const delay = this.delaysMs[region] as number;
    const body = `healthy: ${region}`;
    const timer = setTimeout(() => {
      release();
      response.writeHead(200, {
        ...HEADERS,
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(body),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    }, delay);
    const release = () => {
      clearTimeout(timer);
      this.pending.delete(release);
      response.off('close', release);
    };
    this.pending.add(release);
    // A client that goes away (or a stack that stops) frees its place at once.
    response.once('close', release);
  }

  /** Why this request is not held (method, region, too many held), or undefined to hold it. */
  private refusal(
    request: IncomingMessage,
    path: string,
  ): { status: number; message: string; body?: object; headers?: Record<string, string> } | undefined {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return { status: 405, message: 'Method Not Allowed: only GET', headers: { allow: 'GET, HEAD' } };
    if (!Object.hasOwn(this.delaysMs, path.slice(PING_PATH.length)))
      return {
        status: 404,
        message: 'Not Found: not a served region',
        body: { regions: Object.keys(this.delaysMs) },
      };
    if (this.pending.size >= MAX_PENDING_PINGS)
      return { status: 503, message: 'Slow Down: too many pings at once', headers: { 'retry-after': '1' } };
    return undefined;
  }

  /** Drops every held request (the server closes their sockets). */
  close(): void {
    for (const release of [...this.pending]) release();
  }
}
