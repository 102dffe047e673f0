import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { type AccessTargets, type Statement, statementsFor } from '@matchmaking/functions/iam-policy';
import type { FunctionDefinition } from '@matchmaking/functions/manifest';
import { accessKeyIdOf, type LocalCredentials, sameText } from './aws-auth.js';

/** The account every local ARN names. */
export const LOCAL_ACCOUNT = '000000000000';

/** One call a function's role was refused, as AWS words it. */
export interface Denial {
  functionName: string;
  action: string;
  resource: string;
  message: string;
}

/** Who signed a request: the run itself (its set-up, tests), one function's role, or nobody we know. */
export type Caller = { kind: 'admin' } | { kind: 'function'; name: string } | { kind: 'unknown' };

interface Role {
  name: string;
  credentials: LocalCredentials;
  statements: Statement[];
}

/**
 * IAM for the local runtime. Every function gets credentials of its own, as
 * its Lambda execution role gives it on AWS, and every call it makes to an
 * emulator is evaluated against the statements the Pulumi program attaches to
 * that role (functions/src/iam-policy.ts, the one generator both use), by
 * iam-simulate (a maintained IAM policy engine, AGPL: a development dependency
 * of this package only, never bundled into the functions or the SDK). A call
 * no statement allows is refused with AWS's own AccessDenied text, naming the
 * role, the action and the resource; it is also recorded in `denials`.
 * The run's own key (the stack's set-up, tests holding `credentials`) acts as
 * an administrator. `enforce: false` (`pnpm dev --no-iam`) allows every call.
 */
export class LocalIam {
  private readonly roles = new Map<string, Role>();
  private readonly byKeyId = new Map<string, Role>();
  private readonly decisions = new Map<string, Promise<boolean>>();
  readonly denials: Denial[] = [];

  constructor(
    readonly options: {
      functions: readonly FunctionDefinition[];
      targets: AccessTargets;
      admin: LocalCredentials;
      enforce: boolean;
    },
  ) {
    for (const definition of options.functions) {
      const role: Role = {
        name: definition.name,
        credentials: derivedCredentials(options.admin, definition.name),
        statements: statementsFor(definition.access, options.targets),
      };
      this.roles.set(definition.name, role);
      this.byKeyId.set(role.credentials.accessKeyId, role);
    }
  }

  get enforce(): boolean {
    return this.options.enforce;
  }

  /** The credentials a function's handlers run with (its execution role's). */
  credentialsOf(functionName: string): LocalCredentials {
    const role = this.roles.get(functionName);
    if (!role) throw new Error(`no local function named ${functionName}`);
    return role.credentials;
  }

  /** The statements a function's role has (what the Pulumi program attaches). */
  statementsOf(functionName: string): readonly Statement[] {
    return this.roles.get(functionName)?.statements ?? [];
  }

  /** Who signed this request, by the access key id of its SigV4 Authorization header. */
  callerOf(request: IncomingMessage): Caller {
    const keyId = accessKeyIdOf(request);
    if (keyId === undefined) return { kind: 'unknown' };
    if (sameText(keyId, this.options.admin.accessKeyId)) return { kind: 'admin' };
    const role = this.byKeyId.get(keyId);
    return role ? { kind: 'function', name: role.name } : { kind: 'unknown' };
  }

  /**
   * Whether the request's signer may do `action` on `resource` (with these
   * condition keys): undefined when allowed, else AWS's AccessDenied message.
   */
  async check(
    request: IncomingMessage,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ): Promise<string | undefined> {
    const caller = this.callerOf(request);
    if (caller.kind !== 'function') return undefined; // admin; unknown keys never get this far
    return this.checkRole(caller.name, action, resource, context);
  }

  /** As `check`, for a function's role by name (the event source mapping polls as its function's role). */
  async checkRole(
    functionName: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ): Promise<string | undefined> {
    if (!this.options.enforce) return undefined;
    const role = this.roles.get(functionName);
    if (!role) throw new Error(`no local function named ${functionName}`);
    const key = JSON.stringify([functionName, action, resource, context]);
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = allows(role, action, resource, context);
      this.decisions.set(key, decision);
    }
    if (await decision) return undefined;
    const message = accessDeniedMessage(functionName, action, resource);
    this.denials.push({ functionName, action, resource, message });
    return message;
  }
}

/** The role ARN of a function, as the Pulumi program names it (`matchmaking-local-<fn>-role`). */
export function roleArnOf(functionName: string): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT}:role/matchmaking-local-${functionName}-role`;
}

/**
 * AWS's words for an identity-based denial ("Troubleshoot access denied error
 * messages", IAM User Guide): the assumed role's session is the function's name.
 */
export function accessDeniedMessage(functionName: string, action: string, resource: string): string {
  const principal = `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/matchmaking-local-${functionName}-role/matchmaking-local-${functionName}`;
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
}

async function allows(
  role: Role,
  action: string,
  resource: string,
  context: Record<string, string | string[]>,
): Promise<boolean> {
  const result = await runSimulation(
    {
      identityPolicies: [
        { name: `${role.name}-policy`, policy: { Version: '2012-10-17', Statement: role.statements } },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: roleArnOf(role.name),
        resource: { resource, accountId: LOCAL_ACCOUNT },
        contextVariables: context,
      },
    },
    {},
  );
  // An invalid request (an unknown action, an ARN of the wrong type) is a bug of ours: fail loudly.
  if (result.resultType === 'error')
    throw new Error(`IAM simulation of ${action} on ${resource} failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}

/** A key pair per function, derived from the run's secret: stable within a run, unguessable outside it. */
function derivedCredentials(admin: LocalCredentials, functionName: string): LocalCredentials {
  const digest = createHash('sha256').update(`${admin.secretAccessKey}:${functionName}`).digest();
  return {
    accessKeyId: `ASIA${digest.subarray(0, 8).toString('hex').toUpperCase()}`,
    secretAccessKey: digest.subarray(8, 38).toString('base64'),
  };
}
