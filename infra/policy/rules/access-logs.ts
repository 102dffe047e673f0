import type { StackIndex } from './resource.js';

const STAGE_TYPES = ['aws:apigatewayv2/stage:Stage', 'aws:apigateway/stage:Stage'];

/**
 * Rule 3. API Gateway writes access logs with the role named in the
 * region's account settings; CreateStage / UpdateStage with access logs
 * otherwise fail with "CloudWatch Logs role ARN must be set in account
 * settings to enable logging" (API Gateway developer guide, "Set up
 * CloudWatch logging for REST APIs" / "for WebSocket APIs"). So a stage with
 * accessLogSettings needs an aws:apigateway/account:Account with a
 * cloudwatchRoleArn in the same region, unless the pack is told the account
 * is set up already (`accountRoleExists`, for `matchmaking:accessLogs: existing`).
 */
export function accessLogAccountViolations(stack: StackIndex, accountRoleExists: boolean): string[] {
  if (accountRoleExists) return [];
  const accounts = stack
    .ofType('aws:apigateway/account:Account')
    .filter((a) => a.props.cloudwatchRoleArn !== undefined && a.props.cloudwatchRoleArn !== null);
  return stack.resources
    .filter((r) => STAGE_TYPES.includes(r.type) && r.props.accessLogSettings)
    .filter((stage) => !accounts.some((a) => a.region === stage.region || !a.region || !stage.region))
    .map(
      (stage) =>
        `${stage.name}: has access logs but no aws.apigateway.Account with a cloudwatchRoleArn in ${stage.region ?? 'its region'}; API Gateway refuses the stage ("CloudWatch Logs role ARN must be set in account settings"). Declare the Account, or set the pack's accountRoleExists if the region's account setting is in place`,
    );
}
