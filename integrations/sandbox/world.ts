import type { AlarmPlace } from '../alarms.port';
import { unknownTarget } from '../errors';

/** The example world the sandbox simulates: names from configuration, nothing AWS-specific. */
export interface SandboxWorld {
  readonly services: ReadonlyArray<{
    readonly name: string;
    /** The pipeline that builds its images, when configured. */
    readonly pipeline?: string;
    readonly environments: ReadonlyArray<{
      readonly name: string;
      readonly account: string;
      readonly region: string;
      readonly cluster: string;
      /** The rollback alarms configured there, placed (an ARN may name another account or region). */
      readonly alarms: readonly AlarmPlace[];
      /** The deployment's own bake before it ends (the deployment group's or service's setting on AWS). */
      readonly engineBakeMinutes: number;
      /** How the service is deployed there (read from ECS on AWS); CodeDeploy unless the world says otherwise. */
      readonly engine?: 'codedeploy' | 'ecs-linear';
    }>;
  }>;
  readonly pipelines: ReadonlyArray<{ readonly name: string; readonly account: string; readonly region: string }>;
  /** Where the maintenance digest reads: the accounts (id and configured name) and the regions. */
  readonly maintenance?: {
    readonly accounts: ReadonlyArray<{ readonly id: string; readonly name: string }>;
    readonly regions: readonly string[];
  };
}

/** A service's environment in the world, or the answer every adapter gives for one that is not configured. */
export function worldTarget(world: SandboxWorld, service: string, environment: string) {
  const env = world.services.find((s) => s.name === service)?.environments.find((e) => e.name === environment);
  if (env === undefined) throw unknownTarget(service, environment);
  return env;
}

/** A small, seedable pseudo-random generator (mulberry32): the same seed gives the same account. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
