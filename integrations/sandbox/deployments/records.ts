import type { DeploymentEngine, DeploymentStep, Gate } from '../../deployments.port';
import { type SandboxWorld, seededRandom } from '../world';

/*
 * What the sandbox's deployments twin keeps, whichever engine deploys: the revision each service runs, and a record
 * per deployment. Where a record stands is worked out from the clock (./lifecycle.ts), by the engine's own
 * lifecycle (./codedeploy.ts, ./ecs.ts).
 */

/** How long each lifecycle step takes in the sandbox (CodeDeploy: traffic shifts 25% at a time). */
export const LIFECYCLE = {
  installGreenMs: 60_000,
  testTrafficMs: 30_000,
  shiftSteps: 4,
  shiftStepMs: 30_000,
  terminateBlueMs: 30_000,
  rollbackMs: 30_000,
} as const;

/** How long a gate waits for its answer before the engine acts on its own (CodeDeploy stops, ECS rolls back). */
export const GATE_TIMEOUT_MS = 60 * 60_000;

/** What a service runs in an environment. */
export interface Revision {
  readonly version: string;
  readonly revision: number;
  /** The digest it runs by, when a deploy pinned one. */
  readonly digest?: string;
  /** When its deployment began (ECS's primary deployment's `createdAt`); none for a seeded one in an older save. */
  readonly since?: number;
}

export interface DeploymentRecord {
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

/** One step of a deployment's lifecycle: how long it takes, and the traffic on green meanwhile. */
export interface Phase {
  readonly step: DeploymentStep;
  readonly ms: number;
  readonly traffic: number;
}

/** What differs between the engines the sandbox simulates; ./lifecycle.ts runs a record through either. */
export interface SandboxEngine {
  /** The id of the `n`th deployment, as the engine names it. */
  deploymentId(
    env: { readonly account: string; readonly region: string; readonly cluster: string },
    service: string,
    n: number,
  ): string;
  /** Whether the engine may list a deployment a while after it started (ECS after UpdateService). */
  readonly listsLate: boolean;
  /** Whether a deployment is stopped only by rolling it back (ECS's StopServiceDeployment). */
  readonly stopsOnlyByRollingBack: boolean;
  /** The steps a deployment goes through, in order. */
  phases(bakeMs: number): Phase[];
  /** How production traffic moves: in this many equal steps, this far apart. */
  readonly shift: { readonly shiftSteps: number; readonly shiftStepMs: number };
  /** The gate a gated deployment waits at, opened at `opened`. */
  gate(r: DeploymentRecord, opened: number): Gate;
  /** How the engine reports a deployment whose new tasks would not start, from the image pull's error. */
  failure(
    r: DeploymentRecord,
    pull: string,
  ): { readonly error: { readonly code: string; readonly message: string }; readonly rollbackDeploymentId?: string };
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

export function seedRevisions(world: SandboxWorld, random: () => number, now?: number): Map<string, Revision> {
  const revisions = new Map<string, Revision>();
  for (const service of world.services) {
    const minor = 2 + Math.floor(random() * 8);
    for (const [i, env] of service.environments.entries()) {
      // Production trails staging and dev by a release, as it usually does.
      const patch = Math.max(0, service.environments.length - 1 - i);
      revisions.set(key(service.name, env.name), {
        version: `v1.${minor + (patch > 0 ? 1 : 0)}.${patch}`,
        revision: 10 + Math.floor(random() * 30),
        // Deployed a day apart, the first environment most recently: production has run its version longest.
        ...(now !== undefined && { since: now - (1 + 2 * i) * 24 * 60 * 60_000 - 3 * 60 * 60_000 }),
      });
    }
  }
  return revisions;
}

export function key(service: string, environment: string): string {
  return `${service}/${environment}`;
}
