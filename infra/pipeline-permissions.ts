import { Aws, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Why Retry is granted on every stage of a configured pipeline, for cdk-nag (AwsSolutions-IAM5), in both stacks. */
const STAGE_WILDCARD_REASON =
  'The stages of one configured pipeline: AWS authorizes RetryStageExecution on the stage, named by the failure retried.';

/** The stage resources of `pipelines` (their ARNs) that Retry is granted on: `<pipeline>/*`, acknowledged for cdk-nag. */
export function pipelineStages(scope: IConstruct, pipelines: readonly string[]): string[] {
  for (const arn of pipelines) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arn.replace(Aws.PARTITION, '<AWS::Partition>')}/*]`,
      reason: STAGE_WILDCARD_REASON,
    });
  }
  return pipelines.map((arn) => `${arn}/*`);
}
