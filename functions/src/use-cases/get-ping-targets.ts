import { events, type ServerEvent } from '@matchmaking/core';
import { pingUrl } from '../regions/ping-url.js';

export interface PingTargetSettings {
  /** The served regions (MATCHMAKING_REGIONS), in their configured order. */
  regions: readonly string[];
  /** PING_URL_TEMPLATE, validated (see regions/ping-url.ts for what it points at and why). */
  pingUrlTemplate: string;
}

/**
 * getPingTargets: per served region, the URL a client times (a GET) before it
 * joins with `latencies`. Reads nothing: the answer follows from the settings.
 */
export function getPingTargets(settings: PingTargetSettings): ServerEvent {
  return events.pingTargets(
    settings.regions.map((region) => ({ region, url: pingUrl(settings.pingUrlTemplate, region) })),
  );
}
