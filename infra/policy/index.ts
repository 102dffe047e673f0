import {
  PolicyPack,
  type PolicyResource,
  type ReportViolation,
  type StackValidationPolicy,
} from '@pulumi/policy';
import { type PackConfig, RULES } from './rules/catalog.js';
import { StackIndex, type StackResource, UNKNOWN } from './rules/resource.js';

/*
 * `pulumi preview --policy-pack infra/policy`: what AWS refuses or quietly
 * breaks that the program's mocks cannot see. The rules are pure functions in
 * rules/ (catalog.ts lists them); this file only adapts @pulumi/policy's
 * arguments to them. Every rule runs as a stack policy: the per-resource ones
 * see the same props there, and one shape keeps the adapter small.
 */

/**
 * A plain copy of the analyzer's props: its proxy throws on reading a value
 * unknown at preview; rules get UNKNOWN there and decide (skip, or say so).
 */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((_, i) => read(() => value[i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value).map((key) => [key, read(() => (value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function read(get: () => unknown): unknown {
  try {
    return plain(get());
  } catch {
    return UNKNOWN;
  }
}

function toStackResource(r: PolicyResource): StackResource {
  const region = read(() => r.provider?.props.region);
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: plain(r.props) as Record<string, unknown>,
    protect: r.opts.protect,
    region: typeof region === 'string' ? region : undefined,
    dependencies: r.dependencies.map((d) => d.urn),
    propertyDependencies: Object.fromEntries(
      Object.entries(r.propertyDependencies).map(([key, deps]) => [key, deps.map((d) => d.urn)]),
    ),
  };
}

const policies: StackValidationPolicy[] = RULES.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: rule.level,
  ...(rule.name === 'access-logs-need-account-role'
    ? { configSchema: { properties: { accountRoleExists: { type: 'boolean', default: false } } } }
    : {}),
  validateStack: (args, report: ReportViolation) => {
    const stack = new StackIndex(args.resources.map(toStackResource));
    for (const message of rule.check(stack, args.getConfig<PackConfig>())) report(message);
  },
}));

new PolicyPack('matchmaking-aws-limits', { enforcementLevel: 'mandatory', policies });
