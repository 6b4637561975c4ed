/** Why Retry is granted on every stage of a configured pipeline, for cdk-nag (AwsSolutions-IAM5), in both stacks. */
export const STAGE_WILDCARD_REASON =
  'The stages of one configured pipeline: AWS authorizes RetryStageExecution on the stage, named by the failure retried.';
