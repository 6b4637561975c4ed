import type { AlarmState, Alarms } from '../alarms.port';
import type { Deployment, DeploymentStep, Deployments, ServiceRevision, StartDeployment } from '../deployments.port';
import { OpsbotError } from '../errors';
import type { Maintenance, MaintenanceEvent } from '../maintenance.port';
import type { PipelineDetail, PipelineStageState, PipelineStatus, PipelineSummary, Pipelines } from '../pipelines.port';
import type { SandboxClock } from './clock';
import { DAY, HOUR, MINUTE, type SandboxWorld, seededRandom } from './world';

/** How long each lifecycle step takes in the sandbox (traffic shifts 25% at a time). */
export const LIFECYCLE = {
  installGreenMs: 60_000,
  testTrafficMs: 30_000,
  shiftSteps: 4,
  shiftStepMs: 30_000,
  terminateBlueMs: 30_000,
  rollbackMs: 30_000,
} as const;

interface DeploymentRecord {
  readonly id: string;
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  readonly previousVersion: string;
  readonly requestedBy: string;
  readonly startedAt: number;
  readonly bakeMs: number;
  stoppedAt?: number;
  rollback?: boolean;
  reason?: string;
}

interface Execution {
  readonly id: string;
  readonly startedAt: number;
  readonly commit: string;
  readonly message: string;
  readonly author: string;
  /** Index of the stage that failed, if any. */
  readonly failedStage?: number;
}

const COMMIT_MESSAGES = [
  'Fix retry budget for the payment webhook',
  'Bump base image to node 20.18',
  'Add request id to access logs',
  'Tune connection pool size',
  'Remove feature flag for new checkout',
  'Handle empty cart in summary endpoint',
  'Upgrade aws-sdk clients',
  'Cache price lookups for 30 seconds',
];
const AUTHORS = ['Priya Natarajan', 'Tom Becker', 'Ana Lima', 'Sam Okafor', 'Mei Chen'];
const BUILD_ERROR = 'Error while executing command: npm test. Reason: exit status 1';
const STAGES = [
  { name: 'Source', action: 'Source', provider: 'CodeStarSourceConnection' },
  { name: 'Build', action: 'Build', provider: 'CodeBuild' },
  { name: 'Deploy', action: 'DeployToECS', provider: 'CodeDeployToECS' },
] as const;

/**
 * A simulated AWS account for the example world: pipelines, ECS services behind CodeDeploy blue/green, alarms
 * and maintenance. Deterministic for a seed; deployments progress with the sandbox clock. Its four faces
 * (`pipelines`, `deployments`, `alarms`, `maintenance`) implement the same ports as the AWS adapters.
 */
export class SandboxAccount {
  readonly pipelines: Pipelines;
  readonly deployments: Deployments;
  readonly alarms: Alarms & { trip(name: string, reason?: string): void; clear(name: string): void; names(): string[] };
  readonly maintenance: Maintenance;

  private revisions = new Map<string, { version: string; revision: number }>();
  private records: DeploymentRecord[] = [];
  private alarmStates = new Map<string, AlarmState>();
  private executions = new Map<string, Execution[]>();
  private events: MaintenanceEvent[] = [];
  private nextDeployment = 1;
  private readonly applied = new Set<string>();

  constructor(
    private readonly world: SandboxWorld,
    readonly clock: SandboxClock,
    private readonly seed = 7,
  ) {
    this.reset();
    this.pipelines = {
      list: async () => this.world.pipelines.map((p) => this.summary(p.name)),
      get: async (name) => this.detail(name),
      retryStage: async (name, stage) => this.retry(name, stage),
    };
    this.deployments = {
      current: async (service, environment) => this.current(service, environment),
      start: async (request) => this.start(request),
      get: async (id) => this.view(this.record(id)),
      stop: async (id, options) => this.stop(id, options),
      history: async (service, environment, limit = 10) =>
        this.records
          .filter((r) => r.service === service && r.environment === environment)
          .slice(-limit)
          .reverse()
          .map((r) => this.view(r)),
      active: async () => this.records.map((r) => this.view(r)).filter((d) => d.status === 'InProgress'),
    };
    this.alarms = {
      states: async (names) => names.flatMap((n) => this.alarmStates.get(n) ?? []),
      trip: (name, reason = 'Threshold Crossed: 5 datapoints were greater than the threshold (5.0).') =>
        this.setAlarm(name, 'ALARM', reason),
      clear: (name) => this.setAlarm(name, 'OK', 'Threshold Crossed: no datapoints were greater than the threshold.'),
      names: () => [...this.alarmStates.keys()],
    };
    this.maintenance = {
      upcoming: async ({ from, until }) =>
        this.events
          .filter((e) => (e.endsAt ?? e.startsAt) >= from && e.startsAt <= until)
          .sort((a, b) => a.startsAt - b.startsAt),
    };
  }

  /** Back to the seeded starting state (the clock is left where it is). */
  reset(): void {
    const random = seededRandom(this.seed);
    const now = this.clock.now();
    this.records = [];
    this.applied.clear();
    this.nextDeployment = 1;
    this.revisions = new Map();
    this.alarmStates = new Map();
    for (const service of this.world.services) {
      const minor = 2 + Math.floor(random() * 8);
      for (const [i, env] of service.environments.entries()) {
        // Production trails staging and dev by a release, as it usually does.
        const patch = Math.max(0, service.environments.length - 1 - i);
        this.revisions.set(key(service.name, env.name), {
          version: `v1.${minor + (patch > 0 ? 1 : 0)}.${patch}`,
          revision: 10 + Math.floor(random() * 30),
        });
        for (const alarm of env.alarms) {
          this.alarmStates.set(alarm, {
            name: alarm,
            state: 'OK',
            reason: 'Threshold Crossed: no datapoints were greater than the threshold.',
            updatedAt: now - DAY,
          });
        }
      }
    }
    this.executions = new Map();
    const failing = this.world.pipelines.length === 0 ? -1 : Math.floor(random() * this.world.pipelines.length);
    this.world.pipelines.forEach((p, i) => {
      const runs: Execution[] = [];
      for (let n = 4; n >= 0; n--) {
        const commit =
          Math.floor(random() * 0xffffffff)
            .toString(16)
            .padStart(8, '0') +
          Math.floor(random() * 0xffffffff)
            .toString(16)
            .padStart(8, '0');
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
      this.executions.set(p.name, runs);
    });
    this.events = this.seedMaintenance(now);
  }

  private seedMaintenance(now: number): MaintenanceEvent[] {
    const targets = this.world.services.flatMap((s) => s.environments.map((e) => ({ service: s.name, ...e })));
    const prod = targets.find((t) => t.name === 'prod') ?? targets[0];
    const other = targets.find((t) => t.account !== prod?.account) ?? prod;
    if (prod === undefined || other === undefined) return [];
    const at = (days: number, hour: number) => Math.floor(now / DAY) * DAY + days * DAY + hour * HOUR;
    return [
      {
        id: `arn:aws:health:${prod.region}::event/EC2/AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED/sandbox-1`,
        source: 'ec2',
        account: prod.account,
        region: prod.region,
        service: 'EC2',
        kind: 'system-reboot',
        resources: ['i-0a1b2c3d4e5f60718'],
        description: 'scheduled reboot of the ECS container instance i-0a1b2c3d4e5f60718',
        startsAt: at(3, 2),
        endsAt: at(3, 4),
        actionRequired: true,
      },
      {
        id: `arn:aws:rds:${prod.region}:${prod.account}:pending-maintenance:payments-db:system-update`,
        source: 'rds',
        account: prod.account,
        region: prod.region,
        service: 'RDS',
        kind: 'system-update',
        resources: ['payments-db'],
        description: 'New Operating System update is available (applied in the next maintenance window)',
        startsAt: at(5, 3),
        endsAt: at(5, 3) + 30 * MINUTE,
        actionRequired: false,
      },
      {
        id: `arn:aws:health:us-east-1::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/sandbox-3`,
        source: 'health',
        account: other.account,
        region: 'us-east-1',
        service: 'ECS',
        kind: 'AWS_ECS_TASK_PATCHING_RETIREMENT',
        resources: [`arn:aws:ecs:us-east-1:${other.account}:task/${other.cluster}/4a1f0c2d9e8b7a6c5d4e3f2a1b0c9d8e`],
        description: 'ECS will stop and replace tasks running on an outdated platform version for security patching',
        startsAt: at(8, 9),
        actionRequired: true,
      },
    ];
  }

  private setAlarm(name: string, state: AlarmState['state'], reason: string): void {
    if (!this.alarmStates.has(name)) {
      throw new OpsbotError(
        'UNKNOWN_ALARM',
        `The sandbox has no alarm called "${name}".`,
        `Known alarms: ${[...this.alarmStates.keys()].join(', ')}.`,
      );
    }
    this.alarmStates.set(name, { name, state, reason, updatedAt: this.clock.now() });
  }

  // ── deployments ─────────────────────────────────────────────────────────────────────────────

  private target(service: string, environment: string) {
    const env = this.world.services.find((s) => s.name === service)?.environments.find((e) => e.name === environment);
    if (env === undefined) {
      throw new OpsbotError(
        'UNKNOWN_TARGET',
        `*${service}* is not deployed to *${environment}* in this account.`,
        'Try `/deploy status` to see what runs where.',
      );
    }
    return env;
  }

  private current(service: string, environment: string): ServiceRevision {
    this.target(service, environment);
    this.settle();
    const r = this.revisions.get(key(service, environment)) as { version: string; revision: number };
    return {
      service,
      environment,
      taskDefinition: `${service}-${environment}:${r.revision}`,
      image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${service}:${r.version}`,
      version: r.version,
    };
  }

  private start(request: StartDeployment): Deployment {
    const env = this.target(request.service, request.environment);
    this.settle();
    const running = this.records.find(
      (r) =>
        r.service === request.service && r.environment === request.environment && this.view(r).status === 'InProgress',
    );
    if (running !== undefined) {
      throw new OpsbotError(
        'DEPLOYMENT_IN_PROGRESS',
        `*${request.service}* already has a deployment in progress in *${request.environment}* (${running.id}).`,
        'Wait for it to finish, or roll it back.',
      );
    }
    const current = this.revisions.get(key(request.service, request.environment)) as {
      version: string;
      revision: number;
    };
    const record: DeploymentRecord = {
      id: `d-SANDBOX${String(this.nextDeployment++).padStart(4, '0')}`,
      service: request.service,
      environment: request.environment,
      version: request.version,
      previousVersion: current.version,
      requestedBy: request.requestedBy,
      startedAt: this.clock.now(),
      bakeMs: env.bakeMinutes * MINUTE,
    };
    this.records.push(record);
    return this.view(record);
  }

  private stop(id: string, options: { rollback: boolean; reason: string }): Deployment {
    const record = this.record(id);
    if (this.view(record).status !== 'InProgress') return this.view(record);
    record.stoppedAt = this.clock.now();
    record.rollback = options.rollback;
    record.reason = options.reason;
    return this.view(record);
  }

  private record(id: string): DeploymentRecord {
    const record = this.records.find((r) => r.id === id);
    if (record === undefined) throw new OpsbotError('UNKNOWN_DEPLOYMENT', `There is no deployment ${id}.`);
    return record;
  }

  /** A deployment as of now: its step and traffic follow from how long it has been running. */
  private view(r: DeploymentRecord): Deployment {
    const now = this.clock.now();
    const base = {
      id: r.id,
      service: r.service,
      environment: r.environment,
      version: r.version,
      previousVersion: r.previousVersion,
      startedAt: r.startedAt,
      requestedBy: r.requestedBy,
    };
    if (r.stoppedAt !== undefined) {
      const reason = r.reason ?? 'stopped';
      if (r.rollback !== true)
        return { ...base, status: 'Stopped', step: 'Failed', trafficOnGreen: 0, endedAt: r.stoppedAt, reason };
      const done = now - r.stoppedAt >= LIFECYCLE.rollbackMs;
      return done
        ? {
            ...base,
            status: 'Stopped',
            step: 'RolledBack',
            trafficOnGreen: 0,
            endedAt: r.stoppedAt + LIFECYCLE.rollbackMs,
            reason,
          }
        : { ...base, status: 'InProgress', step: 'RollingBack', trafficOnGreen: 0, reason };
    }
    const plan = phases(r.bakeMs);
    let elapsed = now - r.startedAt;
    for (const phase of plan) {
      if (elapsed < phase.ms) {
        const traffic =
          phase.step === 'ShiftingTraffic'
            ? Math.min(100, (Math.floor(elapsed / LIFECYCLE.shiftStepMs) + 1) * (100 / LIFECYCLE.shiftSteps))
            : phase.traffic;
        return { ...base, status: 'InProgress', step: phase.step, trafficOnGreen: traffic };
      }
      elapsed -= phase.ms;
    }
    return {
      ...base,
      status: 'Succeeded',
      step: 'Succeeded',
      trafficOnGreen: 100,
      endedAt: r.startedAt + plan.reduce((t, p) => t + p.ms, 0),
    };
  }

  /** Applies finished deployments to what the services run, once each. */
  private settle(): void {
    for (const r of this.records) {
      if (this.applied.has(r.id) || this.view(r).status !== 'Succeeded') continue;
      const k = key(r.service, r.environment);
      const current = this.revisions.get(k) as { version: string; revision: number };
      this.revisions.set(k, { version: r.version, revision: current.revision + 1 });
      this.applied.add(r.id);
    }
  }

  // ── pipelines ───────────────────────────────────────────────────────────────────────────────

  private runs(name: string): Execution[] {
    const runs = this.executions.get(name);
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
      status: failing !== undefined ? 'Failed' : (detail.stages.at(-1)?.status ?? 'Unknown'),
      ...(failing !== undefined && { failingStage: failing.name }),
      lastExecutionAt: latest.startedAt,
    };
  }

  private detail(name: string): PipelineDetail {
    const latest = this.runs(name).at(-1) as Execution;
    const p = this.world.pipelines.find((x) => x.name === name) as SandboxWorld['pipelines'][number];
    const console = `https://${p.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${name}`;
    const stages: PipelineStageState[] = STAGES.map((stage, i) => {
      const changedAt = latest.startedAt + (i + 1) * 3 * MINUTE;
      const status: PipelineStatus =
        latest.failedStage === undefined
          ? 'Succeeded'
          : i < latest.failedStage
            ? 'Succeeded'
            : i === latest.failedStage
              ? 'Failed'
              : 'Unknown';
      const failed = status === 'Failed';
      return {
        name: stage.name,
        status,
        ...(status !== 'Unknown' && { lastChangedAt: changedAt }),
        actions: [
          {
            name: stage.action,
            status,
            ...(status !== 'Unknown' && { lastChangedAt: changedAt }),
            ...(failed && { errorMessage: BUILD_ERROR }),
            ...(stage.provider === 'CodeBuild' && {
              url: `https://${p.region}.console.aws.amazon.com/codesuite/codebuild/projects/${name.replace(/-pipeline$/, '')}-build/history`,
            }),
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

  private retry(name: string, stage: string): void {
    const runs = this.runs(name);
    const latest = runs.at(-1) as Execution;
    const failed = latest.failedStage === undefined ? undefined : STAGES[latest.failedStage]?.name;
    if (failed !== stage) {
      throw new OpsbotError('NOTHING_TO_RETRY', `Stage ${stage} of ${name} has no failed actions to retry.`);
    }
    const { failedStage: _retried, ...passing } = latest;
    runs[runs.length - 1] = passing;
  }
}

function phases(bakeMs: number): Array<{ step: DeploymentStep; ms: number; traffic: number }> {
  return [
    { step: 'InstallingGreen', ms: LIFECYCLE.installGreenMs, traffic: 0 },
    { step: 'TestTraffic', ms: LIFECYCLE.testTrafficMs, traffic: 0 },
    { step: 'ShiftingTraffic', ms: LIFECYCLE.shiftSteps * LIFECYCLE.shiftStepMs, traffic: 0 },
    { step: 'Baking', ms: bakeMs, traffic: 100 },
    { step: 'TerminatingBlue', ms: LIFECYCLE.terminateBlueMs, traffic: 100 },
  ];
}

function key(service: string, environment: string): string {
  return `${service}/${environment}`;
}

function hex(random: () => number): string {
  return Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
}
