import { OpsbotError } from './errors';

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
  /** The pipeline execution this stage's latest run belongs to: the one a retry of this stage targets. */
  readonly executionId?: string;
  readonly lastChangedAt?: number;
  readonly actions: readonly PipelineActionState[];
}

export interface PipelineRevision {
  readonly id: string;
  /** The source action that read it, where a pipeline has several sources. */
  readonly action?: string;
  readonly message?: string;
  readonly author?: string;
  readonly url?: string;
  /**
   * The repository's web address (`https://github.com/acme/web`), where the source says: a connection's revision
   * names its provider and repository.
   */
  readonly repository?: string;
}

export interface PipelineDetail {
  readonly name: string;
  readonly stages: readonly PipelineStageState[];
  readonly executionId?: string;
  readonly revision?: PipelineRevision;
  readonly url?: string;
}

/** One run of a pipeline: what it built, from which revisions, and how it ended. */
export interface PipelineExecution {
  readonly id: string;
  readonly status: PipelineStatus;
  readonly startedAt?: number;
  /** The revisions its source actions read (the commit, its message and link), in the order CodePipeline gives. */
  readonly revisions: readonly PipelineRevision[];
}

export interface PipelineSummary {
  readonly name: string;
  readonly status: PipelineStatus;
  /** Why it could not be read (its account unreachable, access denied): the overview shows the rest anyway. */
  readonly unavailable?: string;
  readonly failingStage?: string;
  readonly lastExecutionAt?: number;
}

/** A stage that CodePipeline will not retry (nothing failed in it, or it is running again). */
export function stageNotRetryable(pipeline: string, stage: string, cause?: unknown): OpsbotError {
  return new OpsbotError(
    'STAGE_NOT_RETRYABLE',
    `Stage ${stage} of ${pipeline} can't be retried now: it has no failed actions, or it is already running again.`,
    `Ask “is the ${pipeline} pipeline green?” to see where it stands.`,
    cause === undefined ? undefined : { cause },
  );
}

/** A retry of an execution that a newer one has replaced in that stage. */
export function executionSuperseded(pipeline: string, stage: string, cause?: unknown): OpsbotError {
  return new OpsbotError(
    'EXECUTION_SUPERSEDED',
    `A newer run of ${pipeline} has reached ${stage} since; only the latest run of a stage can be retried.`,
    `Ask “is the ${pipeline} pipeline green?” for the latest run.`,
    cause === undefined ? undefined : { cause },
  );
}

/** CodePipeline, shaped to what the intents ask of it. */
export interface Pipelines {
  list(): Promise<PipelineSummary[]>;
  get(name: string): Promise<PipelineDetail>;
  /** Retries the failed actions of a stage in the given execution. */
  retryStage(name: string, stage: string, executionId: string): Promise<void>;
  /** Its latest executions, newest first, at most `limit` of them. */
  executions(name: string, limit: number): Promise<PipelineExecution[]>;
  /** One execution by id (an image tagged with the execution that built it), or undefined when there is none. */
  execution(name: string, id: string): Promise<PipelineExecution | undefined>;
  /** The branch an execution's source read (its Source action's `BranchName` output), when it says. */
  branch(name: string, executionId: string): Promise<string | undefined>;
}
