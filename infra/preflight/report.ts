import type { CheckResult, PreflightPlan, Status } from './checks.js';

const LABEL: Record<Status, string> = {
  ok: 'ok',
  action: 'ACTION NEEDED',
  unknown: 'COULD NOT CHECK',
};

/**
 * The exit code: 0 when every check is ok; 1 when one needs action or could not be checked
 * (an unread limit is not a clear one: grant the read, or fix what it hides, before `up`).
 */
export function exitCodeOf(results: readonly CheckResult[]): 0 | 1 {
  return results.every((result) => result.status === 'ok') ? 0 : 1;
}

/** The report: one row per check (status, check, region, what was found), then what to do, numbered. */
export function formatReport(plan: PreflightPlan, results: readonly CheckResult[]): string {
  const rows = results.map((r) => [LABEL[r.status], r.title, r.region ?? '-', r.detail]);
  const header = ['STATUS', 'CHECK', 'REGION', 'FOUND'];
  const widths = [0, 1, 2].map((column) =>
    Math.max(header[column]!.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  ');
  const lines = [
    `Preflight for stack ${plan.stack}: home region ${plan.homeRegion}, fleets in ${plan.regions.join(', ')}`,
    '',
    line(header),
    ...rows.map(line),
  ];
  const todo = results.filter((r) => r.status !== 'ok');
  if (todo.length === 0) {
    lines.push('', 'Nothing to raise or create: ready for pulumi up.');
  } else {
    lines.push('', 'Before pulumi up:');
    todo.forEach((r, i) => {
      lines.push(`${i + 1}. ${r.title}${r.region ? ` (${r.region})` : ''}: ${LABEL[r.status].toLowerCase()}`);
      for (const step of r.fix) lines.push(`     ${step}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
