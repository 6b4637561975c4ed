import {
  type ActionState,
  type CodePipelineClient,
  GetPipelineExecutionCommand,
  type GetPipelineExecutionCommandOutput,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  type PipelineExecutionSummary,
  RetryStageExecutionCommand,
  type StageState,
} from '@aws-sdk/client-codepipeline';
import { OpsbotError } from '../errors';
import type {
  PipelineActionState,
  PipelineDetail,
  PipelineExecution,
  PipelineRevision,
  PipelineStatus,
  PipelineSummary,
  Pipelines,
} from '../pipelines.port';
import { executionSuperseded, stageNotRetryable } from '../pipelines.port';
import { awsError, mapLimit, type RetryOptions, retryRead, retryThrottled } from './aws-calls';

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
  (STATUSES as readonly string[]).includes(value ?? '')
    ? (value as PipelineStatus)
    : value === 'Abandoned'
      ? 'Failed'
      : 'Unknown';

/** Executions CodePipeline gives per ListPipelineExecutions page, at most. */
const EXECUTIONS_PAGE = 100;

export interface CodePipelineOptions extends RetryOptions {
  /**
   * The configured pipelines: the overview reads only these (an unconfigured pipeline in the account, which the
   * role may not read, never breaks it). Without it, every pipeline the account lists.
   */
  readonly pipelines?: readonly string[];
  /** Pipelines read at once for the overview: quick, without tripping CodePipeline's request rate. */
  readonly concurrency?: number;
  /** The region the client talks to, for console links. */
  readonly region?: string;
}

/**
 * CodePipeline over `ListPipelines` (every page), `ListPipelineExecutions`, `GetPipelineState` and
 * `ListActionExecutions`, with bounded concurrency for the overview, retries with jitter on throttling, and
 * SDK errors translated into messages that say what to do (access denied names the missing IAM action).
 */
export class CodePipelinePipelines implements Pipelines {
  private readonly concurrency: number;

  constructor(
    private readonly client: CodePipelineClient,
    private readonly options: CodePipelineOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 20;
  }

  /** Every pipeline's name, across all pages. */
  async names(): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListPipelines', () =>
        this.client.send(new ListPipelinesCommand({ maxResults: 1000, ...(nextToken !== undefined && { nextToken }) })),
      );
      for (const p of page.pipelines ?? []) if (p.name !== undefined) names.push(p.name);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return names;
  }

  /** One line per pipeline: its latest execution's status, where it fails, when it last ran. */
  async list(): Promise<PipelineSummary[]> {
    const names = this.options.pipelines ?? (await this.names());
    return mapLimit(names, this.concurrency, async (name) => {
      const latest = await this.latestExecution(name);
      const summary: PipelineSummary = {
        name,
        status: status(latest?.status),
        ...(latest?.startTime !== undefined && { lastExecutionAt: latest.startTime.getTime() }),
      };
      if (summary.status !== 'Failed') return summary;
      // Only failing pipelines need their stages read, to name the failing one.
      const state = await this.state(name);
      const failing = state.stageStates?.find((s) => s.latestExecution?.status === 'Failed')?.stageName;
      return { ...summary, ...(failing !== undefined && { failingStage: failing }) };
    });
  }

  async get(name: string): Promise<PipelineDetail> {
    const [state, latest] = await Promise.all([this.state(name), this.latestExecution(name)]);
    const executionId =
      latest?.pipelineExecutionId ??
      state.stageStates?.find((s) => s.latestExecution?.pipelineExecutionId)?.latestExecution?.pipelineExecutionId;
    // A failed stage belongs to its own execution, which a newer one (in progress elsewhere) does not replace.
    const failedStage = (state.stageStates ?? []).find((s) =>
      (s.actionStates ?? []).some(
        (a) => a.latestExecution?.status === 'Failed' && !a.latestExecution.errorDetails?.message,
      ),
    );
    const failedExecution = failedStage?.latestExecution?.pipelineExecutionId ?? executionId;
    // GetPipelineState sometimes has no error text for a failed action; ListActionExecutions has the result.
    const details =
      failedStage !== undefined && failedExecution !== undefined
        ? await this.actionErrors(name, failedExecution)
        : new Map<string, { message?: string; url?: string }>();
    const stages = (state.stageStates ?? []).map((stage: StageState) => {
      const actions = (stage.actionStates ?? []).map((a) => this.action(stage.stageName ?? '?', a, details));
      const changes = actions.map((a) => a.lastChangedAt).filter((t): t is number => t !== undefined);
      const stageExecution = stage.latestExecution?.pipelineExecutionId;
      return {
        name: stage.stageName ?? '?',
        ...(stageExecution !== undefined && { executionId: stageExecution }),
        status:
          stage.latestExecution?.status !== undefined ? status(stage.latestExecution.status) : fromActions(actions),
        ...(changes.length > 0 && { lastChangedAt: Math.max(...changes) }),
        actions,
      };
    });
    const revision = revisionOf(latest);
    return {
      name,
      stages,
      ...(executionId !== undefined && { executionId }),
      ...(revision !== undefined && { revision }),
      ...(this.options.region !== undefined && {
        url: `https://${this.options.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(name)}/view?region=${this.options.region}`,
      }),
    };
  }

  async retryStage(name: string, stage: string, executionId: string): Promise<void> {
    await this.call(
      'RetryStageExecution',
      // Not retried on throttling by a second layer: the first attempt may have started the retry.
      () =>
        this.client.send(
          new RetryStageExecutionCommand({
            pipelineName: name,
            stageName: stage,
            pipelineExecutionId: executionId,
            retryMode: 'FAILED_ACTIONS',
          }),
        ),
      name,
      stage,
    );
  }

  /** The latest executions, newest first: `ListPipelineExecutions` page by page (100 a page) up to `limit`. */
  async executions(name: string, limit: number): Promise<PipelineExecution[]> {
    if (limit <= 0) return [];
    const summaries: PipelineExecutionSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(
        'ListPipelineExecutions',
        () =>
          this.client.send(
            new ListPipelineExecutionsCommand({
              pipelineName: name,
              maxResults: Math.min(EXECUTIONS_PAGE, limit - summaries.length),
              ...(nextToken !== undefined && { nextToken }),
            }),
          ),
        name,
      );
      summaries.push(...(page.pipelineExecutionSummaries ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && summaries.length < limit);
    return summaries
      .filter((e) => e.pipelineExecutionId !== undefined)
      .slice(0, limit)
      .map((e) => ({
        id: e.pipelineExecutionId as string,
        status: status(e.status),
        ...(e.startTime !== undefined && { startedAt: e.startTime.getTime() }),
        revisions: (e.sourceRevisions ?? []).flatMap((r) => {
          const revision = revisionFrom(r.revisionId, r.revisionSummary, r.revisionUrl);
          return revision === undefined
            ? []
            : [{ ...revision, ...(r.actionName !== undefined && { action: r.actionName }) }];
        }),
      }));
  }

  /**
   * One execution, by `GetPipelineExecution`: its artifacts' revisions (one per source action's output). Undefined
   * when CodePipeline has no such execution of the pipeline.
   */
  async execution(name: string, id: string): Promise<PipelineExecution | undefined> {
    let found: GetPipelineExecutionCommandOutput;
    try {
      found = await retryRead(
        () => this.client.send(new GetPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: id })),
        this.options,
      );
    } catch (error) {
      if (awsError(error)?.name === 'PipelineExecutionNotFoundException') return undefined;
      throw translate(error, 'GetPipelineExecution', name);
    }
    const e = found.pipelineExecution;
    if (e?.pipelineExecutionId === undefined) return undefined;
    return {
      id: e.pipelineExecutionId,
      status: status(e.status),
      revisions: (e.artifactRevisions ?? []).flatMap((r) => {
        const revision = revisionFrom(r.revisionId, r.revisionSummary, r.revisionUrl);
        return revision === undefined ? [] : [revision];
      }),
    };
  }

  /**
   * The branch an execution's source read: its Source action's output variable `BranchName`
   * (`ListActionExecutions`), which a pipeline triggered by pushes to several branches sets per execution.
   */
  async branch(name: string, executionId: string): Promise<string | undefined> {
    const page = await this.actionExecutions(name, executionId);
    for (const d of page.actionExecutionDetails ?? []) {
      if (d.input?.actionTypeId?.category !== 'Source') continue;
      const branch = d.output?.outputVariables?.BranchName;
      if (typeof branch === 'string' && branch !== '') return branch;
    }
    return undefined;
  }

  private action(
    stage: string,
    a: ActionState,
    details: Map<string, { message?: string; url?: string }>,
  ): PipelineActionState {
    const e = a.latestExecution;
    const extra = details.get(`${stage}/${a.actionName}`);
    const message = e?.errorDetails?.message ?? extra?.message ?? (e?.status === 'Failed' ? e.summary : undefined);
    const url = e?.externalExecutionUrl ?? extra?.url ?? a.entityUrl;
    return {
      name: a.actionName ?? '?',
      status: status(e?.status),
      ...(e?.lastStatusChange !== undefined && { lastChangedAt: new Date(e.lastStatusChange).getTime() }),
      ...(e?.status === 'Failed' && message !== undefined && { errorMessage: message }),
      ...(url !== undefined && { url }),
    };
  }

  private async state(name: string) {
    return this.call('GetPipelineState', () => this.client.send(new GetPipelineStateCommand({ name })), name);
  }

  private async latestExecution(name: string): Promise<PipelineExecutionSummary | undefined> {
    const page = await this.call(
      'ListPipelineExecutions',
      () => this.client.send(new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: 1 })),
      name,
    );
    return page.pipelineExecutionSummaries?.[0];
  }

  /** The actions one execution ran (`ListActionExecutions`, its first 100). */
  private actionExecutions(name: string, executionId: string) {
    return this.call(
      'ListActionExecutions',
      () =>
        this.client.send(
          new ListActionExecutionsCommand({
            pipelineName: name,
            filter: { pipelineExecutionId: executionId },
            maxResults: 100,
          }),
        ),
      name,
    );
  }

  private async actionErrors(name: string, executionId: string) {
    const out = new Map<string, { message?: string; url?: string }>();
    const page = await this.actionExecutions(name, executionId);
    for (const d of page.actionExecutionDetails ?? []) {
      if (d.status !== 'Failed') continue;
      const result = d.output?.executionResult;
      const message = result?.errorDetails?.message ?? result?.externalExecutionSummary;
      out.set(`${d.stageName}/${d.actionName}`, {
        ...(message !== undefined && { message }),
        ...(result?.externalExecutionUrl !== undefined && { url: result.externalExecutionUrl }),
      });
    }
    return out;
  }

  private call<T>(action: string, fn: () => Promise<T>, pipeline?: string, stage?: string): Promise<T> {
    // A retry of a stage may have taken effect when AWS fails on its side: only the reads are tried again then.
    const retry = action === 'RetryStageExecution' ? retryThrottled : retryRead;
    return retry(fn, this.options).catch((error: unknown) => {
      throw translate(error, action, pipeline, stage);
    });
  }
}

/** A stage's status when CodePipeline reports none for it (older pipelines): what its actions say. */
function fromActions(actions: readonly PipelineActionState[]): PipelineStatus {
  for (const s of ['Failed', 'InProgress', 'Stopped'] as const) if (actions.some((a) => a.status === s)) return s;
  return actions.length > 0 && actions.every((a) => a.status === 'Succeeded') ? 'Succeeded' : 'Unknown';
}

/** The revision an execution ran: commit id, message (first line) and author, where the source reports them. */
function revisionOf(execution: PipelineExecutionSummary | undefined): PipelineRevision | undefined {
  const source = execution?.sourceRevisions?.[0];
  return revisionFrom(source?.revisionId, source?.revisionSummary, source?.revisionUrl);
}

/** A source revision as CodePipeline reports it: its summary is JSON for connections, plain text otherwise. */
function revisionFrom(
  revisionId: string | undefined,
  summary: string | undefined,
  revisionUrl: string | undefined,
): PipelineRevision | undefined {
  if (revisionId === undefined) return undefined;
  const source = { revisionId, revisionSummary: summary, revisionUrl };
  let message = source.revisionSummary;
  let author: string | undefined;
  let provider: string | undefined;
  // Connections (GitHub, Bitbucket, GitLab) report a JSON summary; CodeCommit and S3 plain text.
  if (message?.trim().startsWith('{')) {
    try {
      const parsed = JSON.parse(message) as {
        CommitMessage?: unknown;
        AuthorDisplayName?: unknown;
        AuthorName?: unknown;
        ProviderType?: unknown;
      };
      message = typeof parsed.CommitMessage === 'string' ? parsed.CommitMessage : undefined;
      const by = parsed.AuthorDisplayName ?? parsed.AuthorName;
      author = typeof by === 'string' ? by : undefined;
      provider = typeof parsed.ProviderType === 'string' ? parsed.ProviderType : undefined;
    } catch {
      // not JSON after all: keep the text
    }
  }
  const firstLine = message?.split('\n')[0]?.trim();
  const repository = repositoryOf(provider, source.revisionUrl);
  return {
    id: source.revisionId,
    ...(firstLine !== undefined && firstLine !== '' && { message: firstLine }),
    ...(author !== undefined && { author }),
    ...(source.revisionUrl !== undefined && { url: source.revisionUrl }),
    ...(repository !== undefined && { repository }),
  };
}

/** The hosts a connection's `ProviderType` names, where the repository has a public web address. */
const PROVIDER_HOSTS: Readonly<Record<string, string>> = {
  github: 'https://github.com',
  bitbucket: 'https://bitbucket.org',
  gitlab: 'https://gitlab.com',
};

/**
 * The repository's web address from a connection's revision: its link is a console redirect naming the repository
 * (`…/connections/redirect?connectionArn=…&referenceType=COMMIT&FullRepositoryId=acme/web&Commit=…`), and its
 * summary the provider. GitHub Enterprise and self-managed GitLab have no address opsbot can know.
 */
function repositoryOf(provider: string | undefined, url: string | undefined): string | undefined {
  const host = PROVIDER_HOSTS[provider?.toLowerCase() ?? ''];
  if (host === undefined || url === undefined) return undefined;
  const id = /[?&]FullRepositoryId=([^&#]+)/.exec(url)?.[1];
  const repository = id === undefined ? undefined : decodeURIComponent(id);
  return repository !== undefined && /^[\w.-]+(?:\/[\w.-]+)+$/.test(repository) ? `${host}/${repository}` : undefined;
}

function translate(error: unknown, action: string, pipeline: string | undefined, stage?: string): unknown {
  const e = awsError(error);
  if (e === undefined) return error;
  if (e.name === 'StageNotRetryableException') return stageNotRetryable(pipeline ?? '?', stage ?? '?', error);
  if (e.name === 'NotLatestPipelineExecutionException')
    return executionSuperseded(pipeline ?? '?', stage ?? '?', error);
  if (e.name === 'PipelineNotFoundException') {
    return new OpsbotError(
      'UNKNOWN_PIPELINE',
      `There is no pipeline called ${pipeline ?? '?'} in this AWS account and region.`,
      'Check the name under `pipelines` in opsbot.config.yaml, or run `/deploy pipelines` to list them.',
      { cause: error },
    );
  }
  if (e.name === 'AccessDeniedException' || e.name === 'AccessDenied' || e.status === 403) {
    return new OpsbotError(
      'ACCESS_DENIED',
      `opsbot is not allowed to call codepipeline:${action}${pipeline !== undefined ? ` on ${pipeline}` : ''}.`,
      `Ask whoever runs opsbot to allow codepipeline:${action} for the worker's role (the CDK stack grants it for the configured pipelines).`,
      { cause: error },
    );
  }
  if (e.throttled) {
    return new OpsbotError(
      'THROTTLED',
      'AWS CodePipeline is throttling requests right now.',
      'Try again in a minute.',
      { cause: error },
    );
  }
  return error;
}
