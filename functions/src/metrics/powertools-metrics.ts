import { Metrics } from '@aws-lambda-powertools/metrics';
import { createLogger } from '../runtime/logger.js';
import { type MatchmakingMetrics, type MetricRecord, metricsTo } from './matchmaking-metrics.js';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names.js';

const logger = createLogger('metrics');

/**
 * Values of one metric per EMF record. EMF takes at most 100; Powertools
 * publishes by itself when a metric reaches 100 and clears the dimensions,
 * so whatever the record still had to take would go without them: 99.
 */
const MAX_VALUES_PER_RECORD = 99;

/** The port, buffered, and `publish()` to call when the invocation ends. */
export interface PublishingMetrics extends MatchmakingMetrics {
  /** Writes what was recorded since the last publish as EMF lines on stdout (CloudWatch Logs makes them metrics). */
  publish(): void;
}

/**
 * The real metrics: Powertools Metrics in namespace Matchmaking with the
 * deployment as a default dimension. Records are grouped by their
 * dimensions (one EMF record per group: Powertools puts one dimension set on
 * all the metrics of a record); counts are summed per publish (the
 * invocation's end, or a use case's flush), timings kept value by value so
 * CloudWatch computes their percentiles.
 */
export function powertoolsMetrics(deployment: string): PublishingMetrics {
  const powertools = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: METRICS_SERVICE,
    defaultDimensions: { deployment },
  });
  let pending: MetricRecord[] = [];
  const publish = () => {
    const records = pending;
    pending = [];
    try {
      for (const group of groupsOf(records)) {
        powertools.addDimensions(group.dimensions);
        for (const [name, values] of group.values) {
          for (const value of values) powertools.addMetric(name, METRICS[name].unit, value);
        }
        powertools.publishStoredMetrics();
      }
    } catch (error) {
      // Figures must never fail the work they describe.
      logger.warn('metrics not published', { error });
    }
  };
  // flush() is an early publish: what a one-time state change counted is out before the next step.
  return { ...metricsTo((entry) => pending.push(entry), publish), publish };
}

interface Group {
  dimensions: Record<string, string>;
  values: Map<MetricRecord['name'], number[]>;
}

/** One group per dimension set and per 100 values of a timing; counts summed within a group. */
function groupsOf(records: readonly MetricRecord[]): Group[] {
  const byKey = new Map<string, Group[]>();
  for (const record of records) {
    const key = JSON.stringify(Object.entries(record.dimensions).sort());
    const groups = byKey.get(key) ?? [];
    byKey.set(key, groups);
    const isCount = METRICS[record.name].unit === 'Count';
    let group = groups.find(
      (g) => isCount || (g.values.get(record.name)?.length ?? 0) < MAX_VALUES_PER_RECORD,
    );
    if (!group) {
      group = { dimensions: record.dimensions as Record<string, string>, values: new Map() };
      groups.push(group);
    }
    const values = group.values.get(record.name) ?? [];
    group.values.set(record.name, values);
    if (isCount && values.length > 0) values[0] = (values[0] as number) + record.value;
    else values.push(record.value);
  }
  return [...byKey.values()].flat();
}
