import { num } from './resource.js';

/**
 * Lambda quotas: new accounts have reduced concurrency quotas (commonly 10
 * concurrent executions), raised by AWS with usage. "Configuring reserved
 * concurrency" (Lambda developer guide): you can reserve up to the
 * unreserved account concurrency minus 100, so on an account still at 10
 * PutFunctionConcurrency refuses any reservation ("decreases account's
 * UnreservedConcurrentExecution below its minimum value"). Advisory: an
 * account at the default 1000 accepts it.
 */
export function reservedConcurrencyWarnings(type: string, props: Record<string, unknown>): string[] {
  if (type !== 'aws:lambda/function:Function') return [];
  const reserved = num(props.reservedConcurrentExecutions);
  if (reserved === undefined || reserved <= 0) return [];
  const name = typeof props.name === 'string' ? props.name : 'the function';
  return [
    `${name}: reserves ${reserved} concurrent executions; AWS keeps 100 unreserved, so an account whose Lambda concurrency quota is still a new account's 10 refuses any reservation: raise the quota (Service Quotas, "Concurrent executions") before deploying`,
  ];
}
