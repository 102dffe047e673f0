import { poolOf } from '@matchmaking/functions/pool-config';
import type * as pulumi from '@pulumi/pulumi';
import { createAlarms, type WatchInput } from './alarms.js';
import { createDashboard } from './dashboard.js';

/**
 * What a studio watches, in the home region: every function runs there, so
 * every metric is published there (EMF through the functions' own log
 * groups: no permission beyond their logs). The alarms, then the dashboard
 * that shows the metrics and the alarms' states.
 */
export function createMonitoring(input: WatchInput, opts: pulumi.CustomResourceOptions) {
  const { topic, alarms } = createAlarms(input, opts);
  const dashboard = createDashboard(
    {
      deployment: input.prefix,
      region: input.homeRegion,
      queues: input.queues,
      regions: input.regions,
      poolRegions: input.regions.filter((region) => poolOf(input.warmPool, region).max > 0),
      deadLetterQueues: input.deadLetterQueues.map((d) => d.queue),
      alarms,
    },
    opts,
  );
  return { topic, alarms, dashboard };
}
