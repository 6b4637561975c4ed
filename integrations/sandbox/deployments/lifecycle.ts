import type { Deployment, DeploymentEngine } from '../../deployments.port';
import { CODEDEPLOY } from './codedeploy';
import { ECS_LINEAR } from './ecs';
import { type DeploymentRecord, GATE_TIMEOUT_MS, LIFECYCLE, type SandboxEngine } from './records';

/** The engine that runs a deployment: CodeDeploy, or ECS's own (linear, the one ECS strategy the sandbox has). */
export function engineOf(engine: DeploymentEngine): SandboxEngine {
  return engine === 'codedeploy' ? CODEDEPLOY : ECS_LINEAR;
}

/** A deployment as of `now`: its step and traffic follow from how long it has been running. */
export function viewAt(r: DeploymentRecord, now: number): Deployment {
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
  if (r.fails === true && now - r.startedAt >= LIFECYCLE.installGreenMs) return failed(r, base, now);
  const engine = engineOf(r.engine);
  const plan = engine.phases(r.bakeMs);
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
      return viewAt(
        {
          ...r,
          gated: false,
          stoppedAt: opened + GATE_TIMEOUT_MS,
          rollback: true,
          reason: 'the gate timed out: nobody shifted production traffic',
        },
        now,
      );
    }
    return {
      ...base,
      status: 'InProgress',
      step: 'TestTraffic',
      trafficOnGreen: 0,
      tasks: { running: r.desired, pending: 0, desired: r.desired },
      gate: engine.gate(r, opened),
    };
  }
  let elapsed = now - r.startedAt - Math.max(0, held);
  for (const phase of plan) {
    if (elapsed < phase.ms) {
      const traffic =
        phase.step === 'ShiftingTraffic'
          ? Math.min(100, (Math.floor(elapsed / engine.shift.shiftStepMs) + 1) * (100 / engine.shift.shiftSteps))
          : phase.traffic;
      // Green's tasks start while it is installed, and all run from then on.
      const running = phase.step === 'InstallingGreen' ? Math.min(r.desired, Math.floor(elapsed / 20_000)) : r.desired;
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
 * A deployment whose new tasks would not start, as its engine reports it (see each engine's `failure`). Either way
 * traffic never left blue, and the old version keeps running.
 */
function failed(
  r: DeploymentRecord,
  base: Omit<Deployment, 'status' | 'step' | 'trafficOnGreen'>,
  now: number,
): Deployment {
  const failedAt = r.startedAt + LIFECYCLE.installGreenMs;
  const pull = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${r.service}:${r.version}: not found`;
  const { error, rollbackDeploymentId } = engineOf(r.engine).failure(r, pull);
  const rolledBack = now - failedAt >= LIFECYCLE.rollbackMs;
  return {
    ...base,
    error,
    reason: `${error.code}: ${error.message}`,
    ...(rollbackDeploymentId !== undefined && { rollbackDeploymentId }),
    tasks: { running: 0, pending: 0, desired: r.desired },
    trafficOnGreen: 0,
    ...(rolledBack
      ? { status: 'Failed' as const, step: 'RolledBack' as const, endedAt: failedAt + LIFECYCLE.rollbackMs }
      : { status: 'InProgress' as const, step: 'RollingBack' as const }),
  };
}
