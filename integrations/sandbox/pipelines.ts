import { OpsbotError } from '../errors';
import type {
  PipelineDetail,
  PipelineExecution,
  PipelineStageState,
  PipelineStatus,
  PipelineSummary,
  Pipelines,
} from '../pipelines.port';
import { executionSuperseded, stageNotRetryable } from '../pipelines.port';
import type { SandboxClock } from './clock';
import { randomAfterRevisions } from './deployments';
import { HOUR, MINUTE, type SandboxWorld, seededRandom } from './world';

interface Execution {
  readonly id: string;
  readonly startedAt: number;
  readonly commit: string;
  readonly message: string;
  readonly author: string;
  /** Index of the stage that failed, if any. */
  readonly failedStage?: number;
  /** When its failed stage was retried: from then, as in CodePipeline, that stage runs again, then the rest. */
  readonly retriedAt?: number;
  /** That retry fails again in the same stage (see {@link SandboxPipelineControls.failNextRetry}). */
  readonly retryFails?: boolean;
  /** The retry (its `retriedAt`) whose end EventBridge has delivered: each retry's end is delivered once. */
  readonly endDelivered?: number;
}

/** An EventBridge event as CodePipeline sends it (the shape of AWS's published samples). */
export interface CodePipelineEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: 'aws.codepipeline';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The sandbox's controls for its pipelines (the local page's panel). */
export interface SandboxPipelineControls {
  /**
   * Runs a new execution of the pipeline that fails at Build (or, with `succeed`, passes every stage), and returns
   * the events EventBridge would deliver for it, to be routed as EventBridge would.
   */
  run(name: string, outcome: 'fail' | 'succeed'): CodePipelineEvent[];
  /** Makes the next retry of the pipeline's failed stage fail again in that stage, as a build still broken does. */
  failNextRetry(name: string): void;
  /**
   * The events EventBridge would deliver, by now on the sandbox clock, for retried executions that have ended: the
   * execution's SUCCEEDED, or its failed action and FAILED when the retry failed again. Each end is given once, to be
   * routed as EventBridge would; whatever moves the clock on asks for them.
   */
  dueEvents(): CodePipelineEvent[];
}

/** How long each stage of a retried execution runs in the sandbox. */
export const RETRIED_STAGE_MS = 3 * MINUTE;

/** The commits the sandbox's builds are of: their messages and authors. */
export const COMMIT_MESSAGES = [
  'Fix retry budget for the payment webhook',
  'Bump base image to node 20.18',
  'Add request id to access logs',
  'Tune connection pool size',
  'Remove feature flag for new checkout',
  'Handle empty cart in summary endpoint',
  'Upgrade aws-sdk clients',
  'Cache price lookups for 30 seconds',
];
export const AUTHORS = ['Priya Natarajan', 'Tom Becker', 'Ana Lima', 'Sam Okafor', 'Mei Chen'];
const BUILD_ERROR = 'Error while executing command: npm test. Reason: exit status 1';
const STAGES = [
  { name: 'Source', action: 'Source', provider: 'CodeStarSourceConnection' },
  { name: 'Build', action: 'Build', provider: 'CodeBuild' },
  { name: 'Deploy', action: 'DeployToECS', provider: 'CodeDeployToECS' },
] as const;

/**
 * CodePipeline, simulated: each of the world's pipelines has five seeded executions through Source, Build and
 * Deploy, and exactly one pipeline's latest execution fails in Build, so a failure and its retry can be tried.
 */
export class SandboxPipelines implements Pipelines, SandboxPipelineControls {
  private runsOf = new Map<string, Execution[]>();
  /** Pipelines whose next retry fails again. */
  private failingRetries = new Set<string>();

  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
    private readonly seed: number,
    /** The builds of a service's images (the sandbox's images), which its pipeline's history lists. */
    private readonly builds: (service: string) => Array<PipelineExecution & { readonly branch?: string }> = () => [],
  ) {
    this.reset();
  }

  snapshot(): unknown {
    return { executions: [...this.runsOf], failingRetries: [...this.failingRetries] };
  }

  restore(saved: unknown): void {
    const state = saved as { executions: Array<[string, Execution[]]>; failingRetries?: string[] };
    this.runsOf = new Map(state.executions);
    // A state saved before retries could be made to fail has none.
    this.failingRetries = new Set(state.failingRetries ?? []);
  }

  /** Back to the seeded executions, with the failed stage failing again (the clock is left where it is). */
  reset(): void {
    const random = randomAfterRevisions(this.world, this.seed);
    const now = this.clock.now();
    this.runsOf = new Map();
    this.failingRetries = new Set();
    const failing = this.world.pipelines.length === 0 ? -1 : Math.floor(random() * this.world.pipelines.length);
    this.world.pipelines.forEach((p, i) => {
      const runs: Execution[] = [];
      for (let n = 4; n >= 0; n--) {
        const commit = hex(random) + hex(random);
        const failedStage = i === failing && n === 0 ? 1 : undefined;
        runs.push({
          id: `${hex(random)}-${hex(random).slice(0, 4)}-4${hex(random).slice(0, 3)}-a${hex(random).slice(0, 3)}-${hex(random)}${hex(random).slice(0, 4)}`,
          startedAt: now - n * 6 * HOUR - Math.floor(random() * 50) * MINUTE - 20 * MINUTE,
          commit,
          message: COMMIT_MESSAGES[Math.floor(random() * COMMIT_MESSAGES.length)] as string,
          author: AUTHORS[Math.floor(random() * AUTHORS.length)] as string,
          ...(failedStage !== undefined && { failedStage }),
        });
      }
      this.runsOf.set(p.name, runs);
    });
  }

  async list(): Promise<PipelineSummary[]> {
    return this.world.pipelines.map((p) => this.summary(p.name));
  }

  async get(name: string): Promise<PipelineDetail> {
    return this.detail(name);
  }

  /**
   * As CodePipeline: only the latest execution of a stage, and only a stage whose actions have failed (again, after an
   * earlier retry), is retried; one running again is not.
   */
  async retryStage(name: string, stage: string, executionId: string): Promise<void> {
    const runs = this.runs(name);
    const latest = runs.at(-1) as Execution;
    if (executionId !== latest.id) throw executionSuperseded(name, stage);
    const failed = this.detail(name).stages.find((s) => s.status === 'Failed')?.name;
    if (failed !== stage) throw stageNotRetryable(name, stage);
    runs[runs.length - 1] = { ...latest, retriedAt: this.clock.now(), retryFails: this.failingRetries.delete(name) };
  }

  /**
   * Newest first: the seeded and page-run executions, and before them the builds of the images of the services this
   * pipeline builds (one execution per image, its Source revision the commit the image's labels name).
   */
  async executions(name: string, limit: number): Promise<PipelineExecution[]> {
    return (await this.listed(name)).slice(0, limit).map(({ branch: _branch, ...execution }) => execution);
  }

  private async listed(name: string): Promise<Array<PipelineExecution & { readonly branch?: string }>> {
    const runs = this.runs(name);
    const latest = this.detail(name);
    const seeded = runs.map((run): PipelineExecution & { readonly branch: string } => {
      const isLatest = run === runs.at(-1);
      const failed =
        run.failedStage !== undefined && !(isLatest && latest.stages.every((s) => s.status === 'Succeeded'));
      return {
        id: run.id,
        status:
          isLatest && latest.stages.some((s) => s.status === 'InProgress')
            ? 'InProgress'
            : failed
              ? 'Failed'
              : 'Succeeded',
        startedAt: run.startedAt,
        revisions: [{ id: run.commit, action: 'Source', message: run.message, author: run.author }],
        branch: 'main',
      };
    });
    const built = this.world.services.filter((s) => s.pipeline === name).flatMap((s) => this.builds(s.name));
    return [...built, ...seeded].sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
  }

  async execution(name: string, id: string): Promise<PipelineExecution | undefined> {
    const found = (await this.listed(name)).find((e) => e.id === id);
    if (found === undefined) return undefined;
    const { branch: _branch, startedAt: _startedAt, ...execution } = found;
    return execution;
  }

  /** As the Source action's `BranchName` output says: the image's build's branch; the seeded runs built main. */
  async branch(name: string, executionId: string): Promise<string | undefined> {
    return (await this.listed(name)).find((e) => e.id === executionId)?.branch;
  }

  failNextRetry(name: string): void {
    this.runs(name);
    this.failingRetries.add(name);
  }

  dueEvents(): CodePipelineEvent[] {
    const now = this.clock.now();
    const due: CodePipelineEvent[] = [];
    for (const [name, runs] of this.runsOf) {
      runs.forEach((run, i) => {
        if (run.failedStage === undefined || run.retriedAt === undefined || run.endDelivered === run.retriedAt) return;
        // A retry that fails again ends with its stage; one that passes, after every stage left has run.
        const stagesRun = run.retryFails === true ? 1 : STAGES.length - run.failedStage;
        const endsAt = run.retriedAt + stagesRun * RETRIED_STAGE_MS;
        if (endsAt > now) return;
        runs[i] = { ...run, endDelivered: run.retriedAt };
        // An id of its own for each event, as EventBridge gives, the same however often the sandbox is restored.
        const seed = endsAt + Number.parseInt(run.id.slice(0, 8), 16);
        due.push(
          ...this.events(name, run, endsAt, run.retryFails === true ? 'fail' : 'succeed', (n) =>
            eventId(seededRandom(seed + n)),
          ),
        );
      });
    }
    return due;
  }

  run(name: string, outcome: 'fail' | 'succeed'): CodePipelineEvent[] {
    const runs = this.runs(name);
    const now = this.clock.now();
    const random = seededRandom(now);
    const id = eventId(random);
    const run: Execution = {
      id,
      startedAt: now - 9 * MINUTE,
      commit: hex(random) + hex(random),
      message: COMMIT_MESSAGES[Math.floor(random() * COMMIT_MESSAGES.length)] as string,
      author: AUTHORS[Math.floor(random() * AUTHORS.length)] as string,
      ...(outcome === 'fail' && { failedStage: 1 }),
    };
    runs.push(run);
    return this.events(name, run, now, outcome, (n) => `${id.slice(0, 24)}${String(n).padStart(12, '0')}`);
  }

  /**
   * What EventBridge delivers when an execution ends, of the events opsbot's rules match: the execution's SUCCEEDED;
   * or its failed action (with the error CodeBuild reports) and then its FAILED.
   */
  private events(
    name: string,
    run: Execution,
    at: number,
    outcome: 'fail' | 'succeed',
    id: (n: number) => string,
  ): CodePipelineEvent[] {
    const p = this.world.pipelines.find((x) => x.name === name) as SandboxWorld['pipelines'][number];
    const event = (detailType: string, detail: Record<string, unknown>, n: number): CodePipelineEvent => ({
      version: '0',
      id: id(n),
      'detail-type': detailType,
      source: 'aws.codepipeline',
      account: p.account,
      time: new Date(at).toISOString(),
      region: p.region,
      resources: [`arn:aws:codepipeline:${p.region}:${p.account}:${name}`],
      detail: { pipeline: name, 'execution-id': run.id, version: 1, ...detail },
    });
    if (outcome === 'succeed') {
      return [event('CodePipeline Pipeline Execution State Change', { state: 'SUCCEEDED' }, 1)];
    }
    const stage = STAGES[run.failedStage ?? 1] ?? STAGES[1];
    return [
      event(
        'CodePipeline Action Execution State Change',
        {
          stage: stage.name,
          action: stage.action,
          state: 'FAILED',
          region: p.region,
          type: { owner: 'AWS', provider: stage.provider, category: 'Build', version: '1' },
          'execution-result': {
            'external-execution-summary': BUILD_ERROR,
            'external-execution-url': buildLogs(p.region, name),
            'error-code': 'JobFailed',
          },
        },
        1,
      ),
      event('CodePipeline Pipeline Execution State Change', { state: 'FAILED' }, 2),
    ];
  }

  private runs(name: string): Execution[] {
    const runs = this.runsOf.get(name);
    if (runs === undefined) {
      throw new OpsbotError(
        'UNKNOWN_PIPELINE',
        `There is no pipeline called ${name}.`,
        'Try `/deploy pipelines` to list them.',
      );
    }
    return runs;
  }

  private summary(name: string): PipelineSummary {
    const latest = this.runs(name).at(-1) as Execution;
    const detail = this.detail(name);
    const failing = detail.stages.find((s) => s.status === 'Failed');
    return {
      name,
      status:
        failing !== undefined
          ? 'Failed'
          : detail.stages.some((s) => s.status === 'InProgress')
            ? 'InProgress'
            : (detail.stages.at(-1)?.status ?? 'Unknown'),
      ...(failing !== undefined && { failingStage: failing.name }),
      lastExecutionAt: latest.startedAt,
    };
  }

  private detail(name: string): PipelineDetail {
    const latest = this.runs(name).at(-1) as Execution;
    const p = this.world.pipelines.find((x) => x.name === name) as SandboxWorld['pipelines'][number];
    const console = `https://${p.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${name}`;
    const now = this.clock.now();
    const stages: PipelineStageState[] = STAGES.map((stage, i) => {
      let changedAt = latest.startedAt + (i + 1) * 3 * MINUTE;
      let status: PipelineStatus =
        latest.failedStage === undefined
          ? 'Succeeded'
          : i < latest.failedStage
            ? 'Succeeded'
            : i === latest.failedStage
              ? 'Failed'
              : 'Unknown';
      if (latest.failedStage !== undefined && latest.retriedAt !== undefined && i >= latest.failedStage) {
        // The retried stage runs again from the retry, and the stages after it follow, one after another; a retry that
        // fails again stops at its stage, as the first run did.
        const starts = latest.retriedAt + (i - latest.failedStage) * RETRIED_STAGE_MS;
        const ended = latest.retryFails === true ? 'Failed' : 'Succeeded';
        status =
          latest.retryFails === true && i > latest.failedStage
            ? 'Unknown'
            : now < starts
              ? 'Unknown'
              : now < starts + RETRIED_STAGE_MS
                ? 'InProgress'
                : ended;
        changedAt = status === ended ? starts + RETRIED_STAGE_MS : starts;
      }
      const failed = status === 'Failed';
      return {
        name: stage.name,
        status,
        ...(status !== 'Unknown' && { executionId: latest.id, lastChangedAt: changedAt }),
        actions: [
          {
            name: stage.action,
            status,
            ...(status !== 'Unknown' && { lastChangedAt: changedAt }),
            ...(failed && { errorMessage: BUILD_ERROR }),
            ...(stage.provider === 'CodeBuild' && { url: buildLogs(p.region, name) }),
          },
        ],
      };
    });
    return {
      name,
      stages,
      executionId: latest.id,
      revision: { id: latest.commit, message: latest.message, author: latest.author },
      url: `${console}/view`,
    };
  }
}

/** An id in the shape CodePipeline's execution ids and EventBridge's event ids have (a UUID). */
function eventId(random: () => number): string {
  return `${hex(random)}-${hex(random).slice(0, 4)}-4${hex(random).slice(0, 3)}-a${hex(random).slice(0, 3)}-${hex(random)}${hex(random).slice(0, 4)}`;
}

/** The CodeBuild project's history, where the sandbox's Build action links. */
function buildLogs(region: string, pipeline: string): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codebuild/projects/${pipeline.replace(/-pipeline$/, '')}-build/history`;
}

function hex(random: () => number): string {
  return Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
}
