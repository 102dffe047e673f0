import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ABANDON_REASONS, CANCEL_REASONS, METRICS, REQUEUE_REASONS } from '../src/metrics/metric-names.js';

/*
 * The README's "Metrics and alarms" section describes the metrics the
 * functions publish: its table lists each one with the unit and dimensions
 * of metric-names.ts, and every reason a dimension may take.
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Metrics and alarms'), readme.indexOf('## Security'));

describe("the README's metrics", () => {
  it('lists every metric with its unit and own dimensions, and nothing else', () => {
    const rows = section
      .split('\n')
      .filter((line) => /^\| `[A-Z]\w+`/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const listed = Object.fromEntries(
      rows.map(([, name, unit, dimensions]) => [
        name?.replaceAll('`', ''),
        { unit, dimensions: dimensions === '-' ? [] : (dimensions ?? '').replaceAll('`', '').split(',') },
      ]),
    );
    const defined = Object.fromEntries(
      Object.entries(METRICS).map(([name, m]) => [name, { unit: m.unit, dimensions: [...m.dimensions] }]),
    );
    expect(listed).toEqual(defined);
  });

  it('names every reason a cancellation, an abandonment or a requeue reports', () => {
    for (const reason of new Set([...CANCEL_REASONS, ...ABANDON_REASONS, ...REQUEUE_REASONS]))
      expect(section, reason).toContain(`\`${reason}\``);
  });
});
