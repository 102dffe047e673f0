import { type StackIndex, str } from './resource.js';

/**
 * Rule 7. Every image push stays in ECR and is billed by storage ("Amazon
 * ECR pricing"; each repository holds at most 20,000 images, "Amazon ECR
 * service quotas"): every repository needs a lifecycle policy expiring old
 * images ("Automate the cleanup of images by using lifecycle policies").
 */
export function ecrLifecycleViolations(stack: StackIndex): string[] {
  const policies = stack.ofType('aws:ecr/lifecyclePolicy:LifecyclePolicy');
  return stack.ofType('aws:ecr/repository:Repository').flatMap((repository) => {
    const covered = policies.some(
      (p) =>
        stack.referenced(p, 'repository', 'aws:ecr/repository:Repository', ['name', 'id']) === repository,
    );
    return covered
      ? []
      : [
          `${str(repository.props.name) ?? repository.name}: ECR repository without an aws.ecr.LifecyclePolicy; its images accumulate`,
        ];
  });
}
