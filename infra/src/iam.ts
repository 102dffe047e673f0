import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/** The functions' policies come from the one generator the local runtime enforces too. */
export { type AccessTargets, type Statement, statementsFor } from '@matchmaking/functions/iam-policy';

/**
 * A role's trust policy for an AWS service, only on behalf of this account:
 * `aws:SourceAccount` keeps another account's use of the same service from
 * assuming it (the cross-service confused deputy, IAM User Guide; the Lambda,
 * ECS task and EventBridge docs show this condition on their roles).
 */
export function serviceTrustPolicy(
  service:
    | 'lambda.amazonaws.com'
    | 'ecs-tasks.amazonaws.com'
    | 'events.amazonaws.com'
    | 'apigateway.amazonaws.com',
  opts: pulumi.InvokeOptions,
): pulumi.Output<string> {
  return aws.getCallerIdentityOutput({}, opts).accountId.apply((accountId) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: service },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
      ],
    }),
  );
}
