/**
 * A deliberately small reading of an IAM policy document: does some Allow
 * statement grant `action` on `resource`? Action and Resource may be strings
 * or lists and use the `*` and `?` wildcards (IAM JSON policy reference,
 * "Action" and "Resource"; actions match case-insensitively). It ignores Deny
 * statements, NotAction, NotResource and Condition, so it can say "granted"
 * where IAM would refuse; it never says "refused" where an Allow matches.
 */
interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

const list = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.filter((v) => typeof v === 'string')
      : [];

/** `*` matches any run of characters, `?` any one; everything else literally. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** The statements of a policy document (a JSON string or an object), or undefined if unreadable. */
export function statementsOf(policy: unknown): Statement[] | undefined {
  let document: unknown = policy;
  if (typeof policy === 'string') {
    try {
      document = JSON.parse(policy);
    } catch {
      return undefined;
    }
  }
  if (!document || typeof document !== 'object') return undefined;
  const statement = (document as { Statement?: unknown }).Statement;
  // A malformed entry (null, a string) grants nothing; IAM would refuse the whole document.
  if (Array.isArray(statement))
    return statement.filter((s): s is Statement => typeof s === 'object' && s !== null);
  return statement && typeof statement === 'object' ? [statement as Statement] : undefined;
}

/** Does an Allow statement of these policies grant `action` on `resource`? */
export function allows(policies: readonly unknown[], action: string, resource: string): boolean {
  return policies.some((policy) =>
    (statementsOf(policy) ?? []).some(
      (s) =>
        s.Effect === 'Allow' &&
        list(s.Action).some((a) => wildcardMatch(a, action, true)) &&
        list(s.Resource).some((r) => wildcardMatch(r, resource)),
    ),
  );
}
