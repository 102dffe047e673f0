import { type StackIndex, str } from './resource.js';

/**
 * Rule 10. CloudWatch user guide, "CloudWatch service quotas" (Dashboards)
 * and "Dashboard body structure and syntax": at most 500 widgets on a
 * dashboard, 500 metrics in one graph widget, 100 alarms in an alarm status
 * widget; PutDashboard refuses a body over 1 MB (the brief's figure: the
 * quotas page we could search does not state the body size, so this one is
 * the least certain). Alarm names are unique per account and region
 * (PutMetricAlarm with an existing name overwrites that alarm).
 */
export const DASHBOARD_LIMITS = {
  bodyBytes: 1024 * 1024,
  widgets: 500,
  metricsPerWidget: 500,
  alarmsPerWidget: 100,
} as const;

interface Widget {
  type?: string;
  properties?: { metrics?: unknown[]; alarms?: unknown[] };
}

export function dashboardViolations(type: string, props: Record<string, unknown>): string[] {
  if (type !== 'aws:cloudwatch/dashboard:Dashboard') return [];
  const body = str(props.dashboardBody);
  if (body === undefined) return [];
  const name = str(props.dashboardName) ?? 'the dashboard';
  const out: string[] = [];
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > DASHBOARD_LIMITS.bodyBytes) out.push(`${name}: body is ${bytes} bytes; at most 1 MB`);
  let widgets: Widget[];
  try {
    widgets = (JSON.parse(body) as { widgets?: Widget[] }).widgets ?? [];
  } catch {
    return [...out, `${name}: body is not JSON`];
  }
  if (widgets.length > DASHBOARD_LIMITS.widgets)
    out.push(`${name}: ${widgets.length} widgets; a dashboard holds at most ${DASHBOARD_LIMITS.widgets}`);
  widgets.forEach((widget, i) => {
    const metrics = widget.properties?.metrics?.length ?? 0;
    if (widget.type === 'metric' && metrics > DASHBOARD_LIMITS.metricsPerWidget)
      out.push(
        `${name}: widget ${i} graphs ${metrics} metrics; at most ${DASHBOARD_LIMITS.metricsPerWidget}`,
      );
    const alarms = widget.properties?.alarms?.length ?? 0;
    if (widget.type === 'alarm' && alarms > DASHBOARD_LIMITS.alarmsPerWidget)
      out.push(
        `${name}: alarm widget ${i} lists ${alarms} alarms; at most ${DASHBOARD_LIMITS.alarmsPerWidget}`,
      );
  });
  return out;
}

/** Two alarms of one name in one region are one alarm: the second overwrites the first. */
export function duplicateAlarmViolations(stack: StackIndex): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const alarm of stack.ofType('aws:cloudwatch/metricAlarm:MetricAlarm')) {
    const name = str(alarm.props.name);
    if (name === undefined) continue;
    const key = `${alarm.region ?? ''}/${name}`;
    const other = seen.get(key);
    if (other) out.push(`alarm name ${name} is used by both ${other} and ${alarm.name}`);
    else seen.set(key, alarm.name);
  }
  return out;
}
