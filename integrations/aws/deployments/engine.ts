import type { Deployment, DeploymentEngine } from '../../deployments.port';
import type { Progress } from '../deploy-progress';
import type { Revisions } from './revisions';
import type { DeployTarget, TargetClients } from './target';

/**
 * What both engines are given by `AwsDeployments`: each target's clients, the clock, and one memory of what
 * revisions say of themselves, so that a revision read by one engine is not read again by the other.
 */
export interface EngineContext {
  readonly clients: (target: DeployTarget) => TargetClients;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly revisions: Revisions;
}

/** A deployment in the port's words, from where its engine says it is and who it is for. */
export function toDeployment(
  context: EngineContext,
  target: DeployTarget,
  id: string,
  engine: DeploymentEngine,
  p: Progress,
  who: { version: string; previousVersion: string; requestedBy: string },
): Deployment {
  return {
    id,
    service: target.service,
    environment: target.environment,
    ...who,
    status: p.status,
    step: p.step,
    trafficOnGreen: p.trafficOnGreen,
    startedAt: p.startedAt ?? context.now(),
    engine,
    ...(p.endedAt !== undefined && { endedAt: p.endedAt }),
    ...(p.tasks !== undefined && { tasks: p.tasks }),
    ...(p.error !== undefined && { error: p.error, reason: `${p.error.code}: ${p.error.message}` }),
    ...(p.rollbackDeploymentId !== undefined && { rollbackDeploymentId: p.rollbackDeploymentId }),
    ...(p.gate !== undefined && { gate: p.gate }),
  };
}
