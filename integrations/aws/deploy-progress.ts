import type { DeploymentInfo, ECSTarget } from '@aws-sdk/client-codedeploy';
import type { ServiceDeployment, ServiceDeploymentLifecycleStage } from '@aws-sdk/client-ecs';
import type { DeploymentStatus, DeploymentStep, Gate, TaskCounts } from '../deployments.port';

/** Where a deployment is, as both engines' answers are read into opsbot's one vocabulary. */
export interface Progress {
  readonly status: DeploymentStatus;
  readonly step: DeploymentStep;
  readonly trafficOnGreen: number;
  readonly tasks?: TaskCounts;
  readonly error?: { readonly code: string; readonly message: string };
  readonly rollbackDeploymentId?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly gate?: Gate;
}

/** CodeDeploy's ECS lifecycle events, in order, and the step each one is. */
const CODEDEPLOY_EVENTS: ReadonlyArray<readonly [string, DeploymentStep]> = [
  ['BeforeInstall', 'InstallingGreen'],
  ['Install', 'InstallingGreen'],
  ['AfterInstall', 'InstallingGreen'],
  ['AllowTestTraffic', 'TestTraffic'],
  ['AfterAllowTestTraffic', 'TestTraffic'],
  ['BeforeAllowTraffic', 'ShiftingTraffic'],
  ['AllowTraffic', 'ShiftingTraffic'],
  ['AfterAllowTraffic', 'ShiftingTraffic'],
];

/**
 * A CodeDeploy ECS deployment's progress from `GetDeployment` and `GetDeploymentTarget`. A deployment that was
 * rolled back is followed to its rollback deployment (`rollbackInfo.rollbackDeploymentId`), as cdk-ecs-codedeploy's
 * completion check does: it is only over when the rollback is. Traffic comes from the task sets' weights.
 */
export function codeDeployProgress(
  info: DeploymentInfo,
  target: ECSTarget | undefined,
  rollback?: { readonly info: DeploymentInfo; readonly target?: ECSTarget },
): Progress {
  const startedAt = info.createTime?.getTime();
  const error =
    info.errorInformation?.code !== undefined
      ? { code: info.errorInformation.code, message: info.errorInformation.message ?? '' }
      : undefined;
  const rollbackDeploymentId = info.rollbackInfo?.rollbackDeploymentId;
  const base = {
    ...(startedAt !== undefined && { startedAt }),
    ...(error !== undefined && { error }),
    ...(rollbackDeploymentId !== undefined && { rollbackDeploymentId }),
    ...(taskCounts(target) !== undefined && { tasks: taskCounts(target) as TaskCounts }),
  };
  switch (info.status) {
    case 'Succeeded':
      return { ...base, status: 'Succeeded', step: 'Succeeded', trafficOnGreen: 100, ...ended(info) };
    case 'Failed':
    case 'Stopped': {
      const status = info.status === 'Stopped' ? 'Stopped' : 'Failed';
      if (rollbackDeploymentId === undefined) {
        return { ...base, status, step: 'Failed', trafficOnGreen: 0, ...ended(info) };
      }
      // Rolled back: over only once the rollback deployment is.
      const back = rollback?.info.status;
      if (back === 'Succeeded') {
        return { ...base, status, step: 'RolledBack', trafficOnGreen: 0, ...ended(rollback?.info ?? info) };
      }
      if (back === 'Failed' || back === 'Stopped') {
        return { ...base, status: 'Failed', step: 'Failed', trafficOnGreen: 0, ...ended(rollback?.info ?? info) };
      }
      return { ...base, status: 'InProgress', step: 'RollingBack', trafficOnGreen: greenTraffic(rollback?.target) };
    }
    case 'Baking':
      return { ...base, status: 'InProgress', step: 'Baking', trafficOnGreen: 100 };
    case 'Ready': {
      // Waiting before traffic is rerouted (a deployment group with a manual reroute): green is up, on test traffic.
      const ready = info.blueGreenDeploymentConfiguration?.deploymentReadyOption;
      const gate: Gate = {
        id: info.deploymentId ?? '',
        kind: 'codedeploy-ready-wait',
        ...(ready?.waitTimeInMinutes !== undefined && { waitMinutes: ready.waitTimeInMinutes }),
        onTimeout: ready?.actionOnTimeout === 'CONTINUE_DEPLOYMENT' ? 'continue' : 'stop',
      };
      return { ...base, status: 'InProgress', step: 'TestTraffic', trafficOnGreen: 0, gate };
    }
    case 'Created':
    case 'Queued':
      return { ...base, status: 'InProgress', step: 'Created', trafficOnGreen: 0 };
    default:
      return { ...base, status: 'InProgress', step: codeDeployStep(target), trafficOnGreen: greenTraffic(target) };
  }
}

function ended(info: DeploymentInfo): { endedAt?: number } {
  const at = info.completeTime?.getTime();
  return at === undefined ? {} : { endedAt: at };
}

/** The step of the latest lifecycle event that has started; installing until one has. */
function codeDeployStep(target: ECSTarget | undefined): DeploymentStep {
  let step: DeploymentStep = 'InstallingGreen';
  for (const [name, mapped] of CODEDEPLOY_EVENTS) {
    const event = target?.lifecycleEvents?.find((e) => e.lifecycleEventName === name);
    if (event !== undefined && event.status !== 'Pending') step = mapped;
  }
  const allowed = target?.lifecycleEvents?.find((e) => e.lifecycleEventName === 'AfterAllowTraffic');
  return allowed?.status === 'Succeeded' ? 'TerminatingBlue' : step;
}

/**
 * The percentage of production traffic on the new task set. The task sets say which is which (`taskSetLabel`
 * Green/Blue) where the API reports it; otherwise the replacement is the ACTIVE set until traffic is rerouted
 * (AllowTraffic succeeded) and the PRIMARY one after.
 */
function greenTraffic(target: ECSTarget | undefined): number {
  return Math.round(greenSet(target)?.trafficWeight ?? 0);
}

/** The replacement task set: labelled Green, or ACTIVE until traffic is rerouted and PRIMARY after. */
function greenSet(target: ECSTarget | undefined) {
  const sets = target?.taskSetsInfo ?? [];
  const labelled = sets.find((s) => s.taskSetLabel === 'Green');
  if (labelled !== undefined) return labelled;
  if (sets.length === 1) return sets[0];
  const rerouted = target?.lifecycleEvents?.some(
    (e) => e.lifecycleEventName === 'AllowTraffic' && e.status === 'Succeeded',
  );
  return sets.find((s) => s.status === (rerouted === true ? 'PRIMARY' : 'ACTIVE'));
}

function taskCounts(target: ECSTarget | undefined): TaskCounts | undefined {
  const green = greenSet(target);
  if (green === undefined) return undefined;
  return { running: green.runningCount ?? 0, pending: green.pendingCount ?? 0, desired: green.desiredCount ?? 0 };
}

/**
 * A lifecycle stage ECS documents for linear and canary deployments (before each shift of production traffic, where
 * hooks may pause) that the SDK's enum does not list yet.
 */
type DocumentedStage = ServiceDeploymentLifecycleStage | 'PRE_PRODUCTION_TRAFFIC_SHIFT';

/** ECS's lifecycle stages, every one AWS documents, in the order a deployment goes through them. */
export const ECS_STAGES: readonly DocumentedStage[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
];

/**
 * An ECS stage's step, by its position in the lifecycle rather than by name: short stages can pass between two
 * polls, so a poll may land anywhere after the last one (ecspresso compares stages the same way).
 */
function ecsStep(stage: string | undefined, trafficOnGreen: number): DeploymentStep {
  const at = stage === undefined ? -1 : ECS_STAGES.indexOf(stage as DocumentedStage);
  if (at < 0) return 'InstallingGreen';
  if (at < ECS_STAGES.indexOf('TEST_TRAFFIC_SHIFT')) return 'InstallingGreen';
  // Before each step of a linear or canary deployment: green is up, and production traffic has begun to move or not.
  if (stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT') return trafficOnGreen > 0 ? 'ShiftingTraffic' : 'TestTraffic';
  if (at < ECS_STAGES.indexOf('PRODUCTION_TRAFFIC_SHIFT')) return 'TestTraffic';
  if (at < ECS_STAGES.indexOf('BAKE_TIME')) return 'ShiftingTraffic';
  if (at < ECS_STAGES.indexOf('CLEAN_UP')) return 'Baking';
  return 'TerminatingBlue';
}

/** An ECS service deployment's progress, from `DescribeServiceDeployments`. */
export function ecsProgress(d: ServiceDeployment): Progress {
  const target = d.targetServiceRevision;
  const tasks =
    target?.requestedTaskCount !== undefined
      ? {
          running: target.runningTaskCount ?? 0,
          pending: target.pendingTaskCount ?? 0,
          desired: target.requestedTaskCount,
        }
      : undefined;
  const traffic = Math.round(target?.requestedProductionTrafficWeight ?? 0);
  const startedAt = (d.startedAt ?? d.createdAt)?.getTime();
  const endedAt = (d.finishedAt ?? d.stoppedAt)?.getTime();
  const base = {
    ...(startedAt !== undefined && { startedAt }),
    ...(tasks !== undefined && { tasks }),
  };
  const failure = d.statusReason !== undefined ? { code: d.status ?? 'FAILED', message: d.statusReason } : undefined;
  switch (d.status) {
    case 'SUCCESSFUL':
      return { ...base, status: 'Succeeded', step: 'Succeeded', trafficOnGreen: 100, ...at(endedAt) };
    case 'ROLLBACK_REQUESTED':
    case 'ROLLBACK_IN_PROGRESS':
      return {
        ...base,
        ...(failure !== undefined && { error: failure }),
        status: 'InProgress',
        step: 'RollingBack',
        trafficOnGreen: traffic,
      };
    case 'ROLLBACK_SUCCESSFUL':
      return {
        ...base,
        ...(failure !== undefined && { error: failure }),
        status: 'Failed',
        step: 'RolledBack',
        trafficOnGreen: 0,
        ...at(endedAt),
      };
    case 'ROLLBACK_FAILED':
      return {
        ...base,
        error: failure ?? { code: 'ROLLBACK_FAILED', message: 'ECS could not roll the deployment back.' },
        status: 'Failed',
        step: 'Failed',
        trafficOnGreen: traffic,
        ...at(endedAt),
      };
    case 'STOPPED':
      return {
        ...base,
        ...(failure !== undefined && { error: failure }),
        status: 'Stopped',
        step: 'Failed',
        trafficOnGreen: traffic,
        ...at(endedAt),
      };
    case 'PENDING':
      return { ...base, status: 'InProgress', step: 'Created', trafficOnGreen: 0 };
    default: {
      // IN_PROGRESS, STOP_REQUESTED; a PAUSE lifecycle hook awaiting its answer is a gate.
      const hook = d.lifecycleHookDetails?.find((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION');
      const gate: Gate | undefined =
        hook?.hookId !== undefined
          ? {
              id: hook.hookId,
              kind: 'ecs-pause-hook',
              ...(hook.expiresAt !== undefined && { expiresAt: hook.expiresAt.getTime() }),
              onTimeout: hook.timeoutAction === 'CONTINUE' ? 'continue' : 'rollback',
            }
          : undefined;
      return {
        ...base,
        status: 'InProgress',
        step: ecsStep(d.lifecycleStage, traffic),
        trafficOnGreen: traffic,
        ...(gate !== undefined && { gate }),
      };
    }
  }
}

function at(endedAt: number | undefined): { endedAt?: number } {
  return endedAt === undefined ? {} : { endedAt };
}
