import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workflowsDir = join(repoRoot, '.github/workflows');

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

/** A workflow expression as written in YAML: expr('env.STACK') is `${{ env.STACK }}`. */
const expr = (inner: string) => `\${{ ${inner} }}`;
const text = (file: string) => readFileSync(join(workflowsDir, file), 'utf8');
const workflow = (file: string) => parse(text(file)) as Workflow;

/** Errors GitHub's own workflow parser (the one behind the Actions language service) reports. */
function workflowErrors(name: string, content: string): string[] {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

/**
 * The `uses:` of a workflow that are not pinned to a full commit SHA with
 * its tag in a trailing comment (`owner/repo@<40 hex> # v1.2.3`). A tag can
 * be moved to other code; a commit cannot. The YAML's own count of `uses`
 * must match the lines read, so none hides in a form the line check skips.
 */
function unpinnedUses(content: string): string[] {
  const lines = content.split('\n').filter((line) => /^\s*(-\s+)?uses:/.test(line));
  const parsed = parse(content) as Workflow;
  const count = Object.values(parsed.jobs).reduce(
    (sum, job) => sum + (job.uses ? 1 : 0) + (job.steps ?? []).filter((s) => s.uses).length,
    0,
  );
  const bad = lines.filter(
    (line) => !/^\s*(-\s+)?uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$/.test(line),
  );
  return count === lines.length ? bad : [...bad, `${count} uses in the YAML, ${lines.length} lines`];
}

/** action@sha -> tag comment, over every workflow. */
function pins(files: string[]): Map<string, Set<string>> {
  const byPin = new Map<string, Set<string>>();
  for (const file of files)
    for (const [, pin, tag] of text(file).matchAll(/uses: (\S+@[0-9a-f]{40}) # (v\S+)/g)) {
      if (!pin || !tag) continue;
      byPin.set(pin, (byPin.get(pin) ?? new Set()).add(tag));
    }
  return byPin;
}

/** Runs a gate job's check step as the runner would (bash -e) with `env`; returns its outputs. */
function runGate(job: Job, env: Record<string, string>): Record<string, string> {
  const step = job.steps?.find((s) => s.id === 'check');
  if (!step?.run) throw new Error('no check step');
  const dir = mkdtempSync(join(tmpdir(), 'gate-'));
  try {
    const output = join(dir, 'output');
    execFileSync('bash', ['-e', '-c', step.run], {
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env },
      stdio: 'pipe',
    });
    return Object.fromEntries(
      readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split('=') as [string, string]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The secrets a job reads anywhere in it. */
const secretsOf = (job: Job) =>
  new Set([...JSON.stringify(job).matchAll(/(?<![\w-])secrets\.(\w+)/g)].map((m) => m[1]));

/**
 * A gated job is skipped unless its gate job found every secret it reads:
 * the gate's check step must be given each of them (by env) and say
 * present=true only when all are set, present=false when any is missing.
 */
function expectGate(gate: Job, gated: Job, gateName: string) {
  expect(gated.needs).toContain(gateName);
  expect(gated.if).toContain(`needs.${gateName}.outputs.present == 'true'`);
  expect(gate.outputs?.present).toBe(expr('steps.check.outputs.present'));
  const check = gate.steps?.find((s) => s.id === 'check');
  const given = Object.entries(check?.env ?? {});
  for (const secret of secretsOf(gated))
    expect(given.map(([, value]) => value)).toContain(expr(`secrets.${secret}`));
  const all = Object.fromEntries(given.map(([name]) => [name, 'set']));
  expect(runGate(gate, all)).toEqual({ present: 'true' });
  for (const [name] of given) {
    const { [name]: _missing, ...others } = all;
    expect(runGate(gate, others)).toEqual({ present: 'false' });
  }
}

const stepIndex = (steps: Step[], match: (step: Step) => boolean | undefined) => {
  const index = steps.findIndex((s) => match(s));
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
};

describe('GitHub workflows', () => {
  const files = readdirSync(workflowsDir).filter((file) => file.endsWith('.yml'));

  it('include ci, deploy and smoke', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml', 'smoke.yml']);
  });

  it.each(files)('%s passes the GitHub Actions workflow parser', (file) => {
    expect(workflowErrors(file, text(file))).toEqual([]);
  });

  it('the parser catches a broken workflow (so the check above can fail)', () => {
    const broken = 'on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    stepz:\n      - run: echo\n';
    expect(workflowErrors('broken.yml', broken).length).toBeGreaterThan(0);
  });

  it.each(files)('%s pins every action to a full commit SHA, its tag in a comment', (file) => {
    expect(unpinnedUses(text(file))).toEqual([]);
  });

  it('the pin check refuses a tag, a SHA without its tag, a short SHA and a flow-style step', () => {
    const sha = 'a'.repeat(40);
    const workflowWith = (...steps: string[]) =>
      `on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n${steps.join('\n')}\n`;
    expect(unpinnedUses(workflowWith(`      - uses: actions/checkout@${sha} # v4.2.2`))).toEqual([]);
    for (const step of [
      '      - uses: actions/checkout@v4.2.2',
      `      - uses: actions/checkout@${sha}`,
      '      - uses: actions/checkout@11bd719 # v4.2.2',
      `      - { uses: actions/checkout@${sha} }`,
    ])
      expect(unpinnedUses(workflowWith(step))).not.toEqual([]);
  });

  it('one commit per action across the workflows, always with the same tag', () => {
    const byPin = pins(files);
    expect(byPin.size).toBeGreaterThan(0);
    for (const [pin, tags] of byPin) expect([...tags], pin).toHaveLength(1);
    const actions = [...byPin.keys()].map((pin) => pin.split('@')[0]);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('deploy runs the tests first, assumes an AWS role through OIDC, and never runs two deploys of a stack at once', () => {
    const deploy = workflow('deploy.yml');
    const job = deploy.jobs.deploy as Job & { permissions: Record<string, string>; steps: Step[] };
    expect(job.needs).toBe('test');
    expect(job.permissions['id-token']).toBe('write');
    expect(deploy.concurrency?.['cancel-in-progress']).toBe(false);
    expect(
      job.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))?.with,
    ).toHaveProperty('role-to-assume');
    expect(job.steps.find((s) => s.uses?.startsWith('pulumi/actions'))?.with).toMatchObject({
      command: 'up',
    });
  });

  it('deploy runs the preflight of the stack it updates after the credentials and before up, and up with the policy pack', () => {
    const job = workflow('deploy.yml').jobs.deploy as Job & { steps: Step[] };
    expect(job.env?.STACK).toBe(expr("inputs.stack || 'dev'"));
    const steps = job.steps;
    const credentials = stepIndex(steps, (s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    const preflight = stepIndex(steps, (s) => s.run?.startsWith('pnpm preflight'));
    const up = stepIndex(steps, (s) => s.uses?.startsWith('pulumi/actions'));
    expect(steps[preflight]?.run).toBe('pnpm preflight --stack "$STACK"');
    expect(credentials).toBeLessThan(preflight);
    expect(preflight).toBeLessThan(up);
    expect(steps[up]?.with).toMatchObject({
      command: 'up',
      'stack-name': expr('env.STACK'),
      policyPacks: 'infra/policy',
    });
    expect(existsSync(join(repoRoot, 'infra/policy/PulumiPolicy.yaml'))).toBe(true);
  });

  it('ci previews the dev stack with the policy pack on pull requests, after the tests, with the read-only role', () => {
    const ci = workflow('ci.yml');
    expect(ci.on).toHaveProperty('pull_request');
    const preview = ci.jobs.preview as Job & { steps: Step[] };
    expect(preview.needs).toContain('test');
    expect(preview.if).toContain("github.event_name == 'pull_request'");
    expect(preview.permissions).toMatchObject({ 'id-token': 'write', contents: 'read' });
    expect(
      preview.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))?.with,
    ).toMatchObject({ 'role-to-assume': expr('secrets.AWS_PREVIEW_ROLE_ARN') });
    expect(secretsOf(preview)).not.toContain('AWS_DEPLOY_ROLE_ARN');
    expect(preview.steps.find((s) => s.uses?.startsWith('pulumi/actions'))?.with).toMatchObject({
      command: 'preview',
      'stack-name': 'dev',
      policyPacks: 'infra/policy',
    });
  });

  it('ci skips the preview, without failing, where its secrets are absent (forks)', () => {
    const jobs = workflow('ci.yml').jobs;
    expect(jobs['preview-secrets']?.if).toBe("github.event_name == 'pull_request'");
    expectGate(jobs['preview-secrets'] as Job, jobs.preview as Job, 'preview-secrets');
  });

  it('smoke runs by hand and nightly, one at a time, and is skipped where its secrets are absent', () => {
    const smoke = workflow('smoke.yml');
    expect(smoke.on).toHaveProperty('workflow_dispatch');
    expect(smoke.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
    expect(smoke.concurrency).toMatchObject({ 'cancel-in-progress': false });
    expectGate(smoke.jobs['smoke-secrets'] as Job, smoke.jobs.smoke as Job, 'smoke-secrets');
    expect(Object.keys(smoke.jobs['smoke-secrets']?.steps?.[0]?.env ?? {})).toContain('SMOKE_JWKS_URL');
  });

  it('smoke deploys a throwaway two-region stack that can be destroyed, preflight and policy pack first', () => {
    const job = workflow('smoke.yml').jobs.smoke as Job & { steps: Step[] };
    expect(job.env?.STACK).toMatch(/^smoke-\$\{\{ github\.run_id \}\}/);
    expect(job.permissions).toMatchObject({ 'id-token': 'write' });
    const steps = job.steps;
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with).toMatchObject({
      'node-version': 22,
    });
    const create = steps[stepIndex(steps, (s) => s.id === 'stack')]?.run ?? '';
    expect(create).toContain('pulumi stack init "$STACK"');
    expect(create).toContain(`--path 'matchmaking:regions[0]' "$HOME_REGION"`);
    expect(create).toContain(`--path 'matchmaking:regions[1]' "$SECOND_REGION"`);
    expect(job.env?.HOME_REGION).not.toBe(job.env?.SECOND_REGION);
    expect(create).toContain('matchmaking:jwksUrl "$SMOKE_JWKS_URL"');
    expect(create).toContain('matchmaking:protectData false');
    const preflight = stepIndex(steps, (s) => s.run === 'pnpm preflight --stack "$STACK"');
    const up = stepIndex(steps, (s) => s.run?.startsWith('pulumi up'));
    expect(steps[up]?.run).toBe('pulumi up --yes --stack "$STACK" --policy-pack infra/policy');
    expect(stepIndex(steps, (s) => s.id === 'stack')).toBeLessThan(preflight);
    expect(preflight).toBeLessThan(up);
  });

  it('smoke plays each region with the CLI of the script the local test plays, then always destroys the stack', () => {
    const steps = (workflow('smoke.yml').jobs.smoke as Job & { steps: Step[] }).steps;
    const up = stepIndex(steps, (s) => s.run?.startsWith('pulumi up'));
    const play = stepIndex(steps, (s) => s.run?.includes('packages/local/smoke/cli.ts'));
    const playScript = steps[play]?.run ?? '';
    expect(playScript).toContain('pulumi stack output websocketUrl');
    expect(playScript).toMatch(/for region in "\$HOME_REGION" "\$SECOND_REGION"/);
    expect(playScript).toContain('--region "$region"');
    expect(steps[play]?.env).toEqual({ SMOKE_JWT_PRIVATE_KEY: expr('secrets.SMOKE_JWT_PRIVATE_KEY') });
    // The CLI plays runSmokeMatch, and the local test plays both that function and the CLI.
    const cli = readFileSync(join(repoRoot, 'packages/local/smoke/cli.ts'), 'utf8');
    expect(cli).toContain("from './smoke-match.js'");
    const localTest = readFileSync(join(repoRoot, 'packages/local/test/client/smoke-script.test.ts'), 'utf8');
    expect(localTest).toContain("from '../../smoke/smoke-match.js'");
    expect(localTest).toContain("'packages/local/smoke/cli.ts'");

    const destroy = stepIndex(steps, (s) => s.run?.includes('pulumi destroy'));
    expect(destroy).toBe(steps.length - 1);
    expect(up).toBeLessThan(play);
    expect(steps[destroy]?.if).toMatch(/^always\(\)/);
    expect(steps[destroy]?.run?.trim().split('\n')).toEqual([
      'pulumi destroy --yes --stack "$STACK"',
      'pulumi stack rm --yes --stack "$STACK"',
    ]);
  });
});
