import { declareReaction } from '../define-reaction';

/** The detail types of CodePipeline's events opsbot reads. */
export const PIPELINE_EVENT_TYPES = {
  execution: 'CodePipeline Pipeline Execution State Change',
  action: 'CodePipeline Action Execution State Change',
} as const;

/** Pipeline executions and actions of configured pipelines, failed or recovered. */
export const pipelineFailureReaction = declareReaction({
  name: 'PipelineFailure',
  description: 'Announce a failed pipeline execution in the alerts channel, and follow it to its recovery',
  events: [
    {
      source: 'aws.codepipeline',
      detailType: PIPELINE_EVENT_TYPES.execution,
      detail: { state: ['FAILED', 'SUCCEEDED'] },
      configured: { pipelineField: 'pipeline' },
      purpose: 'pipeline executions that failed or succeeded',
    },
    {
      source: 'aws.codepipeline',
      detailType: PIPELINE_EVENT_TYPES.action,
      detail: { state: ['FAILED'] },
      configured: { pipelineField: 'pipeline' },
      purpose: 'pipeline actions that failed (the error behind a failed execution)',
    },
  ],
});
