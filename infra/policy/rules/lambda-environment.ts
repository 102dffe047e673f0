import { UNKNOWN } from './resource.js';

/**
 * Lambda quotas ("Function configuration, deployment, and execution"): the
 * total size of all environment variables is at most 4 KB, and CreateFunction
 * / UpdateFunctionConfiguration refuse more. AWS does not publish how it
 * counts; we count the UTF-8 bytes of the variables map serialised as JSON
 * (keys, values, quotes, colons, commas and braces): a little more than keys
 * plus values alone, so a function passing here is under AWS's count too.
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4 * 1024;

export interface EnvironmentSize {
  bytes: number;
  /** Variables whose value is unknown at preview: not counted. */
  unknown: string[];
}

/** The size of a function's `environment.variables`, known values only. */
export function environmentSize(props: Record<string, unknown>): EnvironmentSize {
  const environment = props.environment as { variables?: unknown } | undefined | typeof UNKNOWN;
  const variables = environment && environment !== UNKNOWN ? environment.variables : undefined;
  if (!variables || variables === UNKNOWN || typeof variables !== 'object') return { bytes: 0, unknown: [] };
  const known: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(variables)) {
    if (value === UNKNOWN) unknown.push(key);
    else known[key] = value;
  }
  return { bytes: Buffer.byteLength(JSON.stringify(known), 'utf8'), unknown };
}

/** Violations of the 4 KB environment quota for an aws:lambda/function:Function. */
export function lambdaEnvironmentViolations(type: string, props: Record<string, unknown>): string[] {
  if (type !== 'aws:lambda/function:Function') return [];
  const { bytes, unknown } = environmentSize(props);
  if (bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
  const name = typeof props.name === 'string' ? props.name : 'the function';
  const skipped = unknown.length > 0 ? ` (not counting ${unknown.join(', ')}, unknown at preview)` : '';
  return [
    `${name}: environment variables take ${bytes} bytes as JSON${skipped}; Lambda allows 4 KB (4096 bytes) in all`,
  ];
}
