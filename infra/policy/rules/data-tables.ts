import type { StackResource } from './resource.js';

/** The tables holding what a redeploy cannot rebuild: ratings and match history. */
export const PROTECTED_TABLE = /-(players|matches)$/;

const tableName = (r: StackResource) => (typeof r.props.name === 'string' ? r.props.name : r.name);
const isDataTable = (r: StackResource) =>
  r.type === 'aws:dynamodb/table:Table' &&
  (PROTECTED_TABLE.test(r.name) || PROTECTED_TABLE.test(tableName(r)));

/**
 * Rule 4 (mandatory). DynamoDB developer guide, "Using deletion protection"
 * (DeleteTable refuses while it is on) and "Point-in-time recovery" (restore
 * to any second of the last 35 days).
 */
export function dataTableViolations(resource: StackResource): string[] {
  if (!isDataTable(resource)) return [];
  const out: string[] = [];
  if (resource.props.deletionProtectionEnabled !== true)
    out.push(`${tableName(resource)}: deletionProtectionEnabled must be true`);
  const pitr = resource.props.pointInTimeRecovery as { enabled?: unknown } | undefined;
  if (pitr?.enabled !== true) out.push(`${tableName(resource)}: pointInTimeRecovery must be enabled`);
  return out;
}

/**
 * Rule 4, Pulumi's side (advisory): `protect` keeps `pulumi destroy` and a
 * replacing update from deleting the table. The analyzer sees `protect` but
 * not `retainOnDelete`, so a table kept by retainOnDelete alone is reported
 * here too: advisory, not mandatory.
 */
export function dataTableProtectWarnings(resource: StackResource): string[] {
  if (!isDataTable(resource) || resource.protect) return [];
  return [
    `${tableName(resource)}: not Pulumi-protected (protect: true), unless retainOnDelete keeps it (the analyzer cannot see that)`,
  ];
}
