/** Status words as CodePipeline reports them. */
export type PipelineStatus =
  | 'InProgress'
  | 'Succeeded'
  | 'Failed'
  | 'Stopped'
  | 'Stopping'
  | 'Superseded'
  | 'Cancelled'
  | 'Unknown';

export interface PipelineActionState {
  readonly name: string;
  readonly status: PipelineStatus;
  readonly lastChangedAt?: number;
  readonly errorMessage?: string;
  /** The action's console or log page (CodeBuild logs, CodeDeploy deployment). */
  readonly url?: string;
}

export interface PipelineStageState {
  readonly name: string;
  readonly status: PipelineStatus;
  readonly lastChangedAt?: number;
  readonly actions: readonly PipelineActionState[];
}

export interface PipelineRevision {
  readonly id: string;
  readonly message?: string;
  readonly author?: string;
  readonly url?: string;
}

export interface PipelineDetail {
  readonly name: string;
  readonly stages: readonly PipelineStageState[];
  readonly executionId?: string;
  readonly revision?: PipelineRevision;
  readonly url?: string;
}

export interface PipelineSummary {
  readonly name: string;
  readonly status: PipelineStatus;
  readonly failingStage?: string;
  readonly lastExecutionAt?: number;
}

/** CodePipeline, shaped to what the intents ask of it. */
export interface Pipelines {
  list(): Promise<PipelineSummary[]>;
  get(name: string): Promise<PipelineDetail>;
  /** Retries the failed actions of a stage in the given execution. */
  retryStage(name: string, stage: string, executionId: string): Promise<void>;
}
