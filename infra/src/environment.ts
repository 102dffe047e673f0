import { DEPLOYMENT_FILE_VARIABLES, type EnvName } from '@matchmaking/functions/env';
import type { FunctionDefinition } from '@matchmaking/functions/manifest';
import { tableVariables } from '@matchmaking/functions/tables';

/**
 * Lambda refuses a function whose environment variables take more than 4 KB
 * in all ("Lambda quotas": "Total size of all environment variables"), counted
 * here as the UTF-8 bytes of the variables' JSON (names and values), which
 * is at least what AWS counts.
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** What the functions are given: the small values as variables, the large ones in their deployment file. */
export function splitEnvironment<V>(definition: FunctionDefinition, values: Record<EnvName, V>) {
  const inFile = (name: EnvName) => (DEPLOYMENT_FILE_VARIABLES as readonly EnvName[]).includes(name);
  return {
    variables: Object.fromEntries(definition.env.filter((n) => !inFile(n)).map((n) => [n, values[n]])),
    file: Object.fromEntries(definition.env.filter(inFile).map((n) => [n, values[n]])),
  } as { variables: Partial<Record<EnvName, V>>; file: Partial<Record<EnvName, V>> };
}

/** The bytes a function's environment takes, as counted against the limit. */
export function environmentBytes(variables: Record<string, string>): number {
  return Buffer.byteLength(JSON.stringify(variables), 'utf8');
}

/**
 * Refuses, before anything is created, a layout whose environment cannot
 * deploy: each function's variables with `values` (the settings' own values,
 * and the longest names AWS gives what is created), naming the function, its
 * size and the limit.
 */
export function refuseOversizedEnvironments(
  definitions: readonly FunctionDefinition[],
  values: Record<EnvName, string>,
  extra: Record<string, string> = {},
): void {
  const problems = environmentSizes(definitions, values, extra).flatMap(({ name, bytes }) =>
    bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES ? [`${name} needs ${bytes} bytes of environment variables`] : [],
  );
  if (problems.length > 0)
    throw new Error(
      `invalid stack configuration: Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} bytes (4 KB) of environment variables per function ("Lambda quotas"): ${problems.join('; ')}; shorten the settings named in them (matchmaking:jwtIssuer, jwksUrl, pingUrlTemplate...)`,
    );
}

/** Each function's environment size (bytes) with these values. */
export function environmentSizes(
  definitions: readonly FunctionDefinition[],
  values: Record<EnvName, string>,
  extra: Record<string, string> = {},
): { name: string; bytes: number }[] {
  return definitions.map((definition) => {
    const { variables } = splitEnvironment(definition, values);
    return {
      name: definition.name,
      bytes: environmentBytes({ ...(variables as Record<string, string>), ...extra }),
    };
  });
}

/**
 * The longest value AWS gives each created resource's name or URL, for the
 * check above: an auto-named table is `<name>-<7 hex>`, an API id has 10
 * characters, queue URLs name the account.
 */
export function longestCreatedValues(prefix: string, homeRegion: string): Partial<Record<EnvName, string>> {
  const table = (name: string) => `${prefix}-${name}-abcdef1`;
  const api = `https://abcdefghij.execute-api.${homeRegion}.amazonaws.com`;
  const queue = (name: string) =>
    `https://sqs.${homeRegion}.amazonaws.com/123456789012/${prefix}-${name}.fifo`;
  return {
    ...tableVariables(table),
    MATCHMAKING_QUEUE_URL: queue('matchmaking'),
    MATCH_START_QUEUE_URL: queue('match-starts'),
    WEBSOCKET_MANAGEMENT_ENDPOINT: `${api}/live`,
    CALLBACK_BASE_URL: api,
  };
}
