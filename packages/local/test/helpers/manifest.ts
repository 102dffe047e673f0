import { type Access, type FunctionDefinition, functions } from '@matchmaking/functions/manifest';
import { expect } from 'vitest';

/** The manifest with one function's access changed (a permission taken away), for a stack's `functions`. */
export function manifestWithout(
  functionName: string,
  change: (access: readonly Access[]) => Access[],
): readonly FunctionDefinition[] {
  expect(functions.some((f) => f.name === functionName)).toBe(true);
  return functions.map((f) => (f.name === functionName ? { ...f, access: change(f.access) } : f));
}

/** Takes away every access entry of a kind (it must have one). */
export const dropKind = (kind: Access['kind']) => (access: readonly Access[]) => {
  expect(access.some((a) => a.kind === kind)).toBe(true);
  return access.filter((a) => a.kind !== kind);
};

/** Takes one action on one table away (it must have it). */
export const dropTableAction = (table: string, action: string) => (access: readonly Access[]) => {
  const changed = access.map((a) =>
    a.kind === 'table' && a.table === table ? { ...a, actions: a.actions.filter((x) => x !== action) } : a,
  );
  expect(JSON.stringify(changed)).not.toBe(JSON.stringify(access));
  return changed;
};
