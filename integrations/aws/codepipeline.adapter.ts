import {
  type CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelinesCommand,
  RetryStageExecutionCommand,
  type StageState,
} from '@aws-sdk/client-codepipeline';
import type { PipelineDetail, PipelineStatus, PipelineSummary, Pipelines } from '../pipelines.port';

const STATUSES: readonly PipelineStatus[] = [
  'InProgress',
  'Succeeded',
  'Failed',
  'Stopped',
  'Stopping',
  'Superseded',
  'Cancelled',
];
const status = (value: string | undefined): PipelineStatus =>
  (STATUSES as readonly string[]).includes(value ?? '') ? (value as PipelineStatus) : 'Unknown';

/**
 * CodePipeline over `ListPipelines` and `GetPipelineState`. The pipeline-status capability adds execution
 * history, action error details, bounded concurrency and error translation on top of this.
 */
export class CodePipelinePipelines implements Pipelines {
  constructor(private readonly client: CodePipelineClient) {}

  async list(): Promise<PipelineSummary[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListPipelinesCommand({ ...(nextToken !== undefined && { nextToken }) }));
      for (const p of page.pipelines ?? []) if (p.name !== undefined) names.push(p.name);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const out: PipelineSummary[] = [];
    for (const name of names) {
      const detail = await this.get(name);
      const failing = detail.stages.find((s) => s.status === 'Failed');
      out.push({
        name,
        status: failing !== undefined ? 'Failed' : (detail.stages.at(-1)?.status ?? 'Unknown'),
        ...(failing !== undefined && { failingStage: failing.name }),
      });
    }
    return out;
  }

  async get(name: string): Promise<PipelineDetail> {
    const state = await this.client.send(new GetPipelineStateCommand({ name }));
    const stages = (state.stageStates ?? []).map((s: StageState) => ({
      name: s.stageName ?? '?',
      status: status(s.latestExecution?.status),
      actions: (s.actionStates ?? []).map((a) => ({
        name: a.actionName ?? '?',
        status: status(a.latestExecution?.status),
        ...(a.latestExecution?.lastStatusChange !== undefined && {
          lastChangedAt: a.latestExecution.lastStatusChange.getTime(),
        }),
        ...(a.latestExecution?.errorDetails?.message !== undefined && {
          errorMessage: a.latestExecution.errorDetails.message,
        }),
        ...((a.latestExecution?.externalExecutionUrl ?? a.entityUrl) !== undefined && {
          url: (a.latestExecution?.externalExecutionUrl ?? a.entityUrl) as string,
        }),
      })),
    }));
    const executionId = state.stageStates?.find((s) => s.latestExecution?.pipelineExecutionId)?.latestExecution
      ?.pipelineExecutionId;
    return { name, stages, ...(executionId !== undefined && { executionId }) };
  }

  async retryStage(name: string, stage: string, executionId: string): Promise<void> {
    await this.client.send(
      new RetryStageExecutionCommand({
        pipelineName: name,
        stageName: stage,
        pipelineExecutionId: executionId,
        retryMode: 'FAILED_ACTIONS',
      }),
    );
  }
}
