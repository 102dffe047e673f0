import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const workflowsDir = fileURLToPath(new URL('../../.github/workflows', import.meta.url));

/** Errors GitHub's own workflow parser (the one behind the Actions language service) reports. */
function workflowErrors(name: string, content: string): string[] {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

describe('GitHub workflows', () => {
  const files = readdirSync(workflowsDir).filter((file) => file.endsWith('.yml'));

  it('include ci and deploy', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml']);
  });

  it.each(files)('%s passes the GitHub Actions workflow parser', (file) => {
    expect(workflowErrors(file, readFileSync(join(workflowsDir, file), 'utf8'))).toEqual([]);
  });

  it('the parser catches a broken workflow (so the check above can fail)', () => {
    const broken = 'on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    stepz:\n      - run: echo\n';
    expect(workflowErrors('broken.yml', broken).length).toBeGreaterThan(0);
  });

  it.each(files)('%s pins every action to a version', (file) => {
    const workflow = parse(readFileSync(join(workflowsDir, file), 'utf8')) as {
      jobs: Record<string, { steps?: { uses?: string }[] }>;
    };
    const uses = Object.values(workflow.jobs).flatMap((job) =>
      (job.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : [])),
    );
    for (const action of uses) expect(action).toMatch(/@v\d+\.\d+\.\d+$/);
  });

  it('deploy runs the tests first, assumes an AWS role through OIDC, and never runs two deploys of a stack at once', () => {
    const deploy = parse(readFileSync(join(workflowsDir, 'deploy.yml'), 'utf8')) as {
      concurrency: { group: string; 'cancel-in-progress': boolean };
      jobs: {
        deploy: {
          needs: string;
          permissions: Record<string, string>;
          steps: { uses?: string; with?: object }[];
        };
      };
    };
    expect(deploy.jobs.deploy.needs).toBe('test');
    expect(deploy.jobs.deploy.permissions['id-token']).toBe('write');
    expect(deploy.concurrency['cancel-in-progress']).toBe(false);
    const steps = deploy.jobs.deploy.steps;
    expect(
      steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))?.with,
    ).toHaveProperty('role-to-assume');
    expect(steps.find((s) => s.uses?.startsWith('pulumi/actions'))?.with).toMatchObject({ command: 'up' });
  });
});
