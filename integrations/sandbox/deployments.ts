import type {
  Deployment,
  DeploymentEngine,
  Deployments,
  Gate,
  ServiceRevision,
  StartDeployment,
  StopDeployment,
} from '../deployments.port';
import { ecsStopsOnlyByRollingBack, OpsbotError } from '../errors';
import { notListedYet, parseUnlisted, unlistedId } from '../unlisted-deployment';
import type { SandboxClock } from './clock';
import { engineOf, viewAt } from './deployments/lifecycle';
import { type DeploymentRecord, key, type Revision, sandboxRepository, seedRevisions } from './deployments/records';
import { MINUTE, type SandboxWorld, seededRandom, worldTarget } from './world';

export { LINEAR } from './deployments/ecs';
export {
  GATE_TIMEOUT_MS,
  LIFECYCLE,
  randomAfterRevisions,
  sandboxRepository,
  seededVersions,
} from './deployments/records';

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

/**
 * ECS deployments simulated, on either engine the world gives a service: CodeDeploy blue/green
 * (deployments/codedeploy.ts) or ECS's own linear strategy (deployments/ecs.ts). Each service starts on a seeded
 * revision, and a deployment's step and traffic follow from how long it has run on the sandbox clock
 * (deployments/lifecycle.ts), so tests and the local page can move it through its lifecycle by advancing the clock.
 * Once a deployment succeeds, its version becomes what the service runs.
 */
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
    this.revisions = seedRevisions(this.world, seededRandom(this.seed), this.clock.now());
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
    // The service's two tasks, or while a deployment runs, the tasks it reports.
    const deploying = this.records.find(
      (d) =>
        d.service === service &&
        d.environment === environment &&
        this.listed(d) &&
        this.view(d).status === 'InProgress',
    );
    return {
      service,
      environment,
      taskDefinition: `${service}-${environment}:${r.revision}`,
      image: `${sandboxRepository(this.target(service, environment), service)}${r.digest !== undefined ? `@${r.digest}` : `:${r.version}`}`,
      version: r.version,
      ...(r.since !== undefined && { since: r.since }),
      engine: this.target(service, environment).engine ?? 'codedeploy',
      tasks: (deploying !== undefined ? this.view(deploying).tasks : undefined) ?? {
        running: 2,
        pending: 0,
        desired: 2,
      },
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
    const here = key(request.service, request.environment);
    const record: DeploymentRecord = {
      // Ids as each engine names them: CodeDeploy's `d-…`, ECS's service deployment ARN.
      id: engineOf(engine).deploymentId(env, request.service, n),
      engine,
      desired: 2,
      ...(this.failing.delete(here) && { fails: true }),
      ...(this.gating.delete(here) && { gated: true }),
      service: request.service,
      environment: request.environment,
      version: request.version,
      ...(request.digest !== undefined && { digest: request.digest }),
      previousVersion: this.revision(request.service, request.environment).version,
      taskDefinition: `${request.service}-${request.environment}:${this.revision(request.service, request.environment).revision + 1}`,
      requestedBy: request.requestedBy,
      startedAt: this.clock.now(),
      bakeMs: env.engineBakeMinutes * MINUTE,
      ...(engineOf(engine).listsLate &&
        this.late.has(here) && { listedAt: this.clock.now() + (this.late.get(here) as number) }),
    };
    this.late.delete(here);
    this.records.push(record);
    return this.viewAsListed(record);
  }

  async get(service: string, environment: string, id: string): Promise<Deployment> {
    return this.viewAsListed(this.record(service, environment, id));
  }

  async stop(service: string, environment: string, id: string, options: StopDeployment): Promise<Deployment> {
    // As on AWS: what ECS has not listed cannot be stopped yet.
    if (parseUnlisted(id) !== undefined) throw notListedYet(service, environment);
    const record = this.record(service, environment, id);
    if (!options.rollback && engineOf(record.engine).stopsOnlyByRollingBack) {
      throw ecsStopsOnlyByRollingBack(service, environment);
    }
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

  private view(record: DeploymentRecord): Deployment {
    return viewAt(record, this.clock.now());
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
        since: r.startedAt,
      });
      this.applied.add(r.id);
    }
  }
}

function refill<T>(set: Set<T>, values: readonly T[]): void {
  set.clear();
  for (const value of values) set.add(value);
}
