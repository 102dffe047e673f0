/**
 * What a rule sees of a resource, independent of how it was obtained: the
 * pack (index.ts) builds it from @pulumi/policy's PolicyResource, the tests
 * from the resources the mocks recorded. Rules are pure functions of these.
 */
export interface StackResource {
  type: string;
  /** The logical (Pulumi) name. */
  name: string;
  urn: string;
  /** Inputs as the provider checked them (auto-names filled in); unknown values are UNKNOWN. */
  props: Record<string, unknown>;
  /** Pulumi's `protect` option (the analyzer sees it; it does not see `retainOnDelete`). */
  protect: boolean;
  /** The provider's region, when the provider says. */
  region?: string;
  /** URNs this resource depends on (explicit dependsOn and its inputs' resources). */
  dependencies: string[];
  /** URNs each input came from. */
  propertyDependencies: Record<string, string[]>;
}

/** A value not known yet (a preview of a resource still to be created). */
export const UNKNOWN: unique symbol = Symbol('unknown at preview');

export const isKnown = <T>(value: T | typeof UNKNOWN): value is T => value !== UNKNOWN;

/** A string prop, or undefined when unset, unknown or not a string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A number prop (Pulumi passes some as strings, e.g. a task's cpu), or undefined. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** Does anything in this value remain unknown? */
export function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (value && typeof value === 'object') return Object.values(value).some(hasUnknown);
  return false;
}

/** Resolves references between resources: by an input's dependencies first, else by an ARN or name value. */
export class StackIndex {
  private readonly byUrn: Map<string, StackResource>;
  constructor(readonly resources: readonly StackResource[]) {
    this.byUrn = new Map(resources.map((r) => [r.urn, r]));
  }

  ofType(type: string): StackResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The resource of `type` an input refers to. */
  referenced(
    from: StackResource,
    prop: string,
    type: string,
    valueKeys: string[],
  ): StackResource | undefined {
    for (const urn of from.propertyDependencies[prop] ?? []) {
      const found = this.byUrn.get(urn);
      if (found?.type === type) return found;
    }
    const value = str(from.props[prop]);
    if (value === undefined) return undefined;
    return this.ofType(type).find((r) => valueKeys.some((key) => str(r.props[key]) === value));
  }

  /** Does `from` depend on `on`, directly or through other resources (Pulumi creates dependencies first)? */
  dependsOn(from: StackResource, on: StackResource): boolean {
    const seen = new Set<string>();
    const queue = [...from.dependencies];
    while (queue.length > 0) {
      const urn = queue.pop() as string;
      if (urn === on.urn) return true;
      if (seen.has(urn)) continue;
      seen.add(urn);
      queue.push(...(this.byUrn.get(urn)?.dependencies ?? []));
    }
    return false;
  }
}
