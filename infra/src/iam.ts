import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/** The functions' policies come from the one generator the local runtime enforces too. */
export { type AccessTargets, type Statement, statementsFor } from '@matchmaking/functions/iam-policy';

/**
 * A role's trust policy for an AWS service. With `onlyThisAccount`, the
 * service may assume it only on this account's behalf (`aws:SourceAccount`:
 * the cross-service confused deputy, IAM User Guide), where the service's own
 * docs show that condition for the role: Lambda execution roles, ECS task
 * roles, EventBridge target roles. Elsewhere (ECS's task execution role, API
 * Gateway's account CloudWatch role) no doc says the service sends the key
 * when it assumes the role, and a condition it does not send would refuse it.
 */
export function serviceTrustPolicy(
  service:
    | 'lambda.amazonaws.com'
    | 'ecs-tasks.amazonaws.com'
    | 'events.amazonaws.com'
    | 'apigateway.amazonaws.com',
  opts: pulumi.InvokeOptions,
  onlyThisAccount = true,
): pulumi.Output<string> {
  return aws.getCallerIdentityOutput({}, opts).accountId.apply((accountId) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: service },
          Action: 'sts:AssumeRole',
          ...(onlyThisAccount ? { Condition: { StringEquals: { 'aws:SourceAccount': accountId } } } : {}),
        },
      ],
    }),
  );
}
