import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per module; context (match id, connection id) goes in each entry, tokens never do. */
export function createLogger(name: string): Logger {
  return new Logger({ serviceName: 'matchmaking', persistentKeys: { module: name } });
}
