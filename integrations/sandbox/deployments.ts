import type {
  Deployment,
  DeploymentEngine,
  DeploymentStep,
  Deployments,
  Gate,
  ServiceRevision,
  StartDeployment,
  StopDeployment,
} from '../deployments.port';
import { ecsStopsOnlyByRollingBack, OpsbotError } from '../errors';
import { notListedYet, parseUnlisted, unlistedId } from '../unlisted-deployment';
import type { SandboxClock } from './clock';
import { MINUTE, type SandboxWorld, seededRandom, worldTarget } from './world';

/** How long each lifecycle step takes in the sandbox (CodeDeploy: traffic shifts 25% at a time). */
export const LIFECYCLE = {
  installGreenMs: 60_000,
  testTrafficMs: 30_000,
  shiftSteps: 4,
  shiftStepMs: 30_000,
  terminateBlueMs: 30_000,
  rollbackMs: 30_000,
} as const;

/** ECS's linear strategy in the sandbox: 10% more production traffic every 30 s, no test traffic step. */
export const LINEAR = { shiftSteps: 10, shiftStepMs: 30_000 } as const;

/** How long a gate waits for its answer before the engine acts on its own (CodeDeploy stops, ECS rolls back). */
export const GATE_TIMEOUT_MS = 60 * 60_000;

interface Revision {
  readonly version: string;
  readonly revision: number;
  /** The digest it runs by, when a deploy pinned one. */
  readonly digest?: string;
}

interface DeploymentRecord {
  readonly id: string;
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  /** The digest the new revision runs by (what the Confirm card showed). */
  readonly digest?: string;
  readonly previousVersion: string;
  readonly requestedBy: string;
  readonly startedAt: number;
  readonly bakeMs: number;
  readonly engine: DeploymentEngine;
  /** The service's desired task count. */
  readonly desired: number;
  /** When ECS lists it (an ECS deployment listed late); until then it is known by its unlisted id only. */
  readonly listedAt?: number;
  /** The task definition revision it registered (family:revision). */
  readonly taskDefinition: string;
  stoppedAt?: number;
  rollback?: boolean;
  reason?: string;
  stoppedBy?: string;
  /** The new revision's tasks will not start (an image that cannot be pulled): the engine rolls it back. */
  readonly fails?: boolean;
  /** It waits, green up on test traffic, for a person to shift production traffic (a pause hook, a ready wait). */
  readonly gated?: boolean;
  /** When the gate was answered by shifting traffic. */
  continuedAt?: number;
}

/** What {@link SandboxDeployments.snapshot} saves. */
interface DeploymentsSnapshot {
  readonly revisions: Array<[string, Revision]>;
  readonly failing: string[];
  readonly gating: string[];
  readonly late: Array<[string, number]>;
  readonly records: DeploymentRecord[];
  readonly nextDeployment: number;
  readonly applied: string[];
}

/**
 * ECS blue/green through CodeDeploy, simulated: each service starts on a seeded revision, and a deployment's step
 * and traffic follow from how long it has run on the sandbox clock, so tests and the local page can move it
 * through its lifecycle by advancing the clock. Once a deployment succeeds, its version becomes what the service
 * runs.
 */
/** A service in an environment as the local page lists it: its engine, and what its next deployment will do. */
export interface SandboxTarget {
  readonly service: string;
  readonly environment: string;
  readonly engine: DeploymentEngine;
  readonly failing: boolean;
  readonly gated: boolean;
}

/** What the sandbox lets the local page and tests do to deployments. */
export interface SandboxDeploymentControls {
  /** The next deployment of the service there fails as a real one does when its tasks cannot start. */
  failNext(service: string, environment: string): void;
  /** The next deployment of the service there waits at a gate before production traffic moves. */
  gateNext(service: string, environment: string): void;
  /**
   * The next ECS deployment of the service there is listed by ECS only `ms` after it started (ECS may take a while
   * after UpdateService): until then it goes by the id of a deployment not listed yet, as on AWS.
   */
  listLate(service: string, environment: string, ms: number): void;
  /** Every service and environment, with its engine and whether its next deployment will fail. */
  targets(): SandboxTarget[];
}

export class SandboxDeployments implements Deployments, SandboxDeploymentControls {
  private revisions = new Map<string, Revision>();
  private readonly failing = new Set<string>();
  private readonly gating = new Set<string>();
  private readonly late = new Map<string, number>();
  private records: DeploymentRecord[] = [];
  private nextDeployment = 1;
  private readonly applied = new Set<string>();

  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
    private readonly seed: number,
  ) {
    this.reset();
  }

  targets(): SandboxTarget[] {
    return this.world.services.flatMap((svc) =>
      svc.environments.map((e) => ({
        service: svc.name,
        environment: e.name,
        engine: e.engine ?? 'codedeploy',
        failing: this.failing.has(key(svc.name, e.name)),
        gated: this.gating.has(key(svc.name, e.name)),
      })),
    );
  }

  failNext(service: string, environment: string): void {
    this.target(service, environment);
    this.failing.add(key(service, environment));
  }

  gateNext(service: string, environment: string): void {
    this.target(service, environment);
    this.gating.add(key(service, environment));
  }

  listLate(service: string, environment: string, ms: number): void {
    this.target(service, environment);
    this.late.set(key(service, environment), ms);
  }

  async proceed(
    service: string,
    environment: string,
    id: string,
    gate: Gate,
    action: 'continue' | 'rollback',
  ): Promise<void> {
    if (parseUnlisted(id) !== undefined) throw notListedYet(service, environment);
    const record = this.record(service, environment, id);
    const waiting = this.view(record).gate;
    if (waiting === undefined || waiting.id !== gate.id) {
      throw new OpsbotError('GATE_NOT_WAITING', `Deployment ${id} is not waiting at that gate any more.`);
    }
    if (action === 'continue') record.continuedAt = this.clock.now();
    else {
      record.stoppedAt = this.clock.now();
      record.rollback = true;
      record.reason = 'rolled back at the gate';
    }
  }

  /** What the twin holds, as JSON: saved beside the local store, so a restart of `npm start` continues it. */
  snapshot(): DeploymentsSnapshot {
    return {
      revisions: [...this.revisions],
      failing: [...this.failing],
      gating: [...this.gating],
      late: [...this.late],
      records: this.records,
      nextDeployment: this.nextDeployment,
      applied: [...this.applied],
    };
  }

  restore(saved: unknown): void {
    const s = saved as DeploymentsSnapshot;
    this.revisions = new Map(s.revisions);
    refill(this.failing, s.failing);
    refill(this.gating, s.gating);
    this.late.clear();
    for (const [k, v] of s.late) this.late.set(k, v);
    this.records = structuredClone(s.records);
    this.nextDeployment = s.nextDeployment;
    refill(this.applied, s.applied);
  }

  /** Back to the seeded revisions, with no deployments (the clock is left where it is; ids are never reused). */
  reset(): void {
    this.failing.clear();
    this.gating.clear();
    this.revisions = seedRevisions(this.world, seededRandom(this.seed));
    this.records = [];
    this.applied.clear();
    // The ids go on: a deployment id names one deployment, in the audit too, however often the sandbox is reset.
  }

  /** Deployment ids from `next` on, as an earlier account (saved for another configuration) left them. */
  continueIds(next: number): void {
    if (Number.isSafeInteger(next)) this.nextDeployment = Math.max(this.nextDeployment, next);
  }

  async current(service: string, environment: string): Promise<ServiceRevision> {
    this.target(service, environment);
    this.settle();
    const r = this.revision(service, environment);
    return {
      service,
      environment,
      taskDefinition: `${service}-${environment}:${r.revision}`,
      image: `${sandboxRepository(this.target(service, environment), service)}${r.digest !== undefined ? `@${r.digest}` : `:${r.version}`}`,
      version: r.version,
      engine: this.target(service, environment).engine ?? 'codedeploy',
    };
  }

  async start(request: StartDeployment): Promise<Deployment> {
    const env = this.target(request.service, request.environment);
    this.settle();
    const running = this.records.find(
      (r) =>
        // As ECS's listing: a deployment it has not listed yet is not seen.
        r.service === request.service &&
        r.environment === request.environment &&
        this.listed(r) &&
        this.view(r).status === 'InProgress',
    );
    if (running !== undefined) {
      throw new OpsbotError(
        'DEPLOYMENT_IN_PROGRESS',
        `${request.service} already has a deployment in progress in ${request.environment} (${running.id}).`,
        'Wait for it to finish, or roll it back.',
      );
    }
    const engine = env.engine ?? 'codedeploy';
    const n = this.nextDeployment++;
    const record: DeploymentRecord = {
      // Ids as each engine names them: CodeDeploy's `d-…`, ECS's service deployment ARN.
      id:
        engine === 'codedeploy'
          ? `d-SANDBOX${String(n).padStart(4, '0')}`
          : `arn:aws:ecs:${env.region}:${env.account}:service-deployment/${env.cluster}/${request.service}/sandbox${String(n).padStart(4, '0')}`,
      engine,
      desired: 2,
      ...(this.failing.delete(key(request.service, request.environment)) && { fails: true }),
      ...(this.gating.delete(key(request.service, request.environment)) && { gated: true }),
      service: request.service,
      environment: request.environment,
      version: request.version,
      ...(request.digest !== undefined && { digest: request.digest }),
      previousVersion: this.revision(request.service, request.environment).version,
      taskDefinition: `${request.service}-${request.environment}:${this.revision(request.service, request.environment).revision + 1}`,
      requestedBy: request.requestedBy,
      startedAt: this.clock.now(),
      bakeMs: env.engineBakeMinutes * MINUTE,
      ...(engine !== 'codedeploy' &&
        this.late.has(key(request.service, request.environment)) && {
          listedAt: this.clock.now() + (this.late.get(key(request.service, request.environment)) as number),
        }),
    };
    this.late.delete(key(request.service, request.environment));
    this.records.push(record);
    return this.viewAsListed(record);
  }

  /** A deployment as ECS lists it: by its unlisted id, starting, until ECS lists it (as the AWS adapter says it). */
  private viewAsListed(record: DeploymentRecord): Deployment {
    const view = this.view(record);
    if (this.listed(record)) return view;
    const { endedAt: _, ...rest } = view;
    return {
      ...rest,
      id: unlistedId(record.startedAt, record.taskDefinition),
      status: 'InProgress',
      step: 'Created',
      trafficOnGreen: 0,
    };
  }

  private listed(record: DeploymentRecord): boolean {
    return record.listedAt === undefined || this.clock.now() >= record.listedAt;
  }

  async get(service: string, environment: string, id: string): Promise<Deployment> {
    return this.viewAsListed(this.record(service, environment, id));
  }

  async stop(service: string, environment: string, id: string, options: StopDeployment): Promise<Deployment> {
    // As on AWS: what ECS has not listed cannot be stopped yet.
    if (parseUnlisted(id) !== undefined) throw notListedYet(service, environment);
    const record = this.record(service, environment, id);
    // As ECS: a service deployment is stopped only by rolling it back.
    if (!options.rollback && record.engine !== 'codedeploy') throw ecsStopsOnlyByRollingBack(service, environment);
    if (this.view(record).status !== 'InProgress') {
      // As CodeDeploy (DeploymentAlreadyCompletedException) and ECS (a service deployment no longer in progress).
      throw new OpsbotError(
        'DEPLOYMENT_ENDED',
        `That deployment of ${service} in ${environment} has already ended; nothing was stopped.`,
        'Roll back with `/deploy rollback` if the version it deployed should go.',
      );
    }
    record.stoppedAt = this.clock.now();
    record.rollback = options.rollback;
    record.reason = options.reason;
    if (options.by !== undefined) record.stoppedBy = options.by;
    return this.view(record);
  }

  async history(service: string, environment: string, limit = 10): Promise<Deployment[]> {
    return this.records
      .filter((r) => r.service === service && r.environment === environment && this.listed(r))
      .slice(-limit)
      .reverse()
      .map((r) => this.view(r));
  }

  async active(): Promise<Deployment[]> {
    return this.records
      .filter((r) => this.listed(r))
      .map((r) => this.view(r))
      .filter((d) => d.status === 'InProgress');
  }

  private target(service: string, environment: string) {
    return worldTarget(this.world, service, environment);
  }

  /** Only called once `target` has accepted the pair, and every target is seeded with a revision. */
  private revision(service: string, environment: string): Revision {
    return this.revisions.get(key(service, environment)) as Revision;
  }

  private record(service: string, environment: string, id: string): DeploymentRecord {
    const unlisted = parseUnlisted(id);
    const record = this.records.find(
      (r) =>
        r.service === service &&
        r.environment === environment &&
        (unlisted === undefined
          ? r.id === id
          : r.startedAt === unlisted.startedAt && r.taskDefinition === unlisted.revisionArn),
    );
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
      engine: r.engine,
      taskDefinition: r.taskDefinition,
    };
    if (r.stoppedAt !== undefined) {
      const reason = r.reason ?? 'stopped';
      const by = r.stoppedBy !== undefined ? { stoppedBy: r.stoppedBy } : {};
      if (r.rollback !== true)
        return { ...base, ...by, status: 'Stopped', step: 'Failed', trafficOnGreen: 0, endedAt: r.stoppedAt, reason };
      const done = now - r.stoppedAt >= LIFECYCLE.rollbackMs;
      return done
        ? {
            ...base,
            ...by,
            status: 'Stopped',
            step: 'RolledBack',
            trafficOnGreen: 0,
            endedAt: r.stoppedAt + LIFECYCLE.rollbackMs,
            reason,
          }
        : { ...base, ...by, status: 'InProgress', step: 'RollingBack', trafficOnGreen: 0, reason };
    }
    if (r.fails === true && now - r.startedAt >= LIFECYCLE.installGreenMs) return this.failed(r, base, now);
    const plan = phases(r.bakeMs, r.engine);
    const shift = r.engine === 'codedeploy' ? LIFECYCLE : LINEAR;
    // A gate holds the deployment where production traffic would start to move, until answered or timed out.
    const gateAt = plan
      .slice(
        0,
        plan.findIndex((p) => p.step === 'ShiftingTraffic'),
      )
      .reduce((t, p) => t + p.ms, 0);
    const held = r.gated === true ? (r.continuedAt ?? now) - (r.startedAt + gateAt) : 0;
    if (r.gated === true && r.continuedAt === undefined && now - r.startedAt >= gateAt) {
      const opened = r.startedAt + gateAt;
      if (now - opened >= GATE_TIMEOUT_MS) {
        // Nobody answered: CodeDeploy stops the deployment and rolls back; ECS takes the hook's ROLLBACK action.
        return this.view({
          ...r,
          gated: false,
          stoppedAt: opened + GATE_TIMEOUT_MS,
          rollback: true,
          reason: 'the gate timed out: nobody shifted production traffic',
        });
      }
      return {
        ...base,
        status: 'InProgress',
        step: 'TestTraffic',
        trafficOnGreen: 0,
        tasks: { running: r.desired, pending: 0, desired: r.desired },
        gate: {
          id: r.engine === 'codedeploy' ? r.id : `hook-${r.id.slice(-4)}`,
          kind: r.engine === 'codedeploy' ? 'codedeploy-ready-wait' : 'ecs-pause-hook',
          expiresAt: opened + GATE_TIMEOUT_MS,
          onTimeout: r.engine === 'codedeploy' ? 'stop' : 'rollback',
        },
      };
    }
    let elapsed = now - r.startedAt - Math.max(0, held);
    for (const phase of plan) {
      if (elapsed < phase.ms) {
        const traffic =
          phase.step === 'ShiftingTraffic'
            ? Math.min(100, (Math.floor(elapsed / shift.shiftStepMs) + 1) * (100 / shift.shiftSteps))
            : phase.traffic;
        // Green's tasks start while it is installed, and all run from then on.
        const running =
          phase.step === 'InstallingGreen' ? Math.min(r.desired, Math.floor(elapsed / 20_000)) : r.desired;
        return {
          ...base,
          status: 'InProgress',
          step: phase.step,
          trafficOnGreen: traffic,
          tasks: { running, pending: r.desired - running, desired: r.desired },
        };
      }
      elapsed -= phase.ms;
    }
    return {
      ...base,
      status: 'Succeeded',
      step: 'Succeeded',
      trafficOnGreen: 100,
      endedAt: r.startedAt + Math.max(0, held) + plan.reduce((t, p) => t + p.ms, 0),
    };
  }

  /**
   * A deployment whose new tasks would not start, as each engine reports it: CodeDeploy fails it with
   * ECS_UPDATE_ERROR and rolls back through a deployment of its own; ECS's circuit breaker rolls it back and the
   * stopped tasks say why. Either way traffic never left blue, and the old version keeps running.
   */
  private failed(
    r: DeploymentRecord,
    base: Omit<Deployment, 'status' | 'step' | 'trafficOnGreen'>,
    now: number,
  ): Deployment {
    const failedAt = r.startedAt + LIFECYCLE.installGreenMs;
    const pull = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${r.service}:${r.version}: not found`;
    const error =
      r.engine === 'codedeploy'
        ? {
            code: 'ECS_UPDATE_ERROR',
            message: `The ECS service cannot reach a steady state: tasks of the new revision stopped (${pull}).`,
          }
        : {
            code: 'CannotPullContainerError',
            message: `${pull} (ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)`,
          };
    const reason = `${error.code}: ${error.message}`;
    const rolledBack = now - failedAt >= LIFECYCLE.rollbackMs;
    return {
      ...base,
      error,
      reason,
      ...(r.engine === 'codedeploy' && { rollbackDeploymentId: `${r.id}R` }),
      tasks: { running: 0, pending: 0, desired: r.desired },
      trafficOnGreen: 0,
      ...(rolledBack
        ? { status: 'Failed' as const, step: 'RolledBack' as const, endedAt: failedAt + LIFECYCLE.rollbackMs }
        : { status: 'InProgress' as const, step: 'RollingBack' as const }),
    };
  }

  /**
   * Applies finished deployments to what the services run, once each. Deployments finish by the clock passing,
   * not by a call, so this runs before anything reads or relies on a service's revision.
   */
  private settle(): void {
    for (const r of this.records) {
      if (this.applied.has(r.id) || this.view(r).status !== 'Succeeded') continue;
      const current = this.revision(r.service, r.environment);
      this.revisions.set(key(r.service, r.environment), {
        version: r.version,
        revision: current.revision + 1,
        ...(r.digest !== undefined && { digest: r.digest }),
      });
      this.applied.add(r.id);
    }
  }
}

/**
 * The seed's generator, moved past the draws this twin makes for the revisions. A seed's first draws have always
 * gone to the revisions and the next to the pipelines, and tests pin the world a seed gives; the pipelines twin
 * continues from here. Replaying the revisions' own seeding, rather than skipping a counted number of draws, keeps
 * the two twins in step if the revisions ever draw differently.
 */
export function randomAfterRevisions(world: SandboxWorld, seed: number): () => number {
  const random = seededRandom(seed);
  seedRevisions(world, random);
  return random;
}

/** The repository a sandbox service's images come from, in its environment's account and region. */
export function sandboxRepository(env: { readonly account: string; readonly region: string }, service: string): string {
  return `${env.account}.dkr.ecr.${env.region}.amazonaws.com/${service}`;
}

/** The versions each service runs in each environment when the sandbox starts, as `service/environment` keys. */
export function seededVersions(world: SandboxWorld, seed: number): ReadonlyMap<string, string> {
  return new Map([...seedRevisions(world, seededRandom(seed))].map(([k, r]) => [k, r.version]));
}

function seedRevisions(world: SandboxWorld, random: () => number): Map<string, Revision> {
  const revisions = new Map<string, Revision>();
  for (const service of world.services) {
    const minor = 2 + Math.floor(random() * 8);
    for (const [i, env] of service.environments.entries()) {
      // Production trails staging and dev by a release, as it usually does.
      const patch = Math.max(0, service.environments.length - 1 - i);
      revisions.set(key(service.name, env.name), {
        version: `v1.${minor + (patch > 0 ? 1 : 0)}.${patch}`,
        revision: 10 + Math.floor(random() * 30),
      });
    }
  }
  return revisions;
}

function phases(
  bakeMs: number,
  engine: DeploymentEngine,
): Array<{ step: DeploymentStep; ms: number; traffic: number }> {
  if (engine !== 'codedeploy') {
    // ECS linear: scale up, shift production traffic step by step, bake, clean up (as ECS's lifecycle stages go).
    return [
      { step: 'InstallingGreen', ms: LIFECYCLE.installGreenMs, traffic: 0 },
      { step: 'ShiftingTraffic', ms: LINEAR.shiftSteps * LINEAR.shiftStepMs, traffic: 0 },
      { step: 'Baking', ms: bakeMs, traffic: 100 },
      { step: 'TerminatingBlue', ms: LIFECYCLE.terminateBlueMs, traffic: 100 },
    ];
  }
  return [
    { step: 'InstallingGreen', ms: LIFECYCLE.installGreenMs, traffic: 0 },
    { step: 'TestTraffic', ms: LIFECYCLE.testTrafficMs, traffic: 0 },
    { step: 'ShiftingTraffic', ms: LIFECYCLE.shiftSteps * LIFECYCLE.shiftStepMs, traffic: 0 },
    { step: 'Baking', ms: bakeMs, traffic: 100 },
    { step: 'TerminatingBlue', ms: LIFECYCLE.terminateBlueMs, traffic: 100 },
  ];
}

function refill<T>(set: Set<T>, values: readonly T[]): void {
  set.clear();
  for (const value of values) set.add(value);
}

function key(service: string, environment: string): string {
  return `${service}/${environment}`;
}
