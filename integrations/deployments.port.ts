/**
 * How a service is deployed, as ECS says (`deploymentController.type`, `deploymentConfiguration.strategy`):
 * through CodeDeploy, or by ECS itself.
 */
export type DeploymentEngine = 'codedeploy' | 'ecs-blue-green' | 'ecs-linear' | 'ecs-canary' | 'ecs-rolling';

/** Where a deployment is in its lifecycle, in one vocabulary for both engines. */
export type DeploymentStep =
  | 'Created'
  | 'InstallingGreen'
  | 'TestTraffic'
  | 'ShiftingTraffic'
  | 'Baking'
  | 'TerminatingBlue'
  | 'Succeeded'
  | 'RollingBack'
  | 'RolledBack'
  | 'Failed';

export type DeploymentStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Stopped';

/** What a service runs in an environment. */
export interface ServiceRevision {
  readonly service: string;
  readonly environment: string;
  /** Task definition family:revision. */
  readonly taskDefinition: string;
  readonly image: string;
  /** The image's tag, or its digest (`sha256:…`) when it runs by digest. */
  readonly version: string;
  /** Since when it runs: when the deployment that brought it began, as ECS says (its primary deployment). */
  readonly since?: number;
  readonly engine: DeploymentEngine;
  /** The service's tasks as ECS counts them (running, pending, desired), when it says. */
  readonly tasks?: TaskCounts;
  /**
   * Tags of the running revision a deploy's new revision cannot keep (keys AWS reserves, starting with `aws:`, and
   * those past ECS's 50), by key; absent when all are kept.
   */
  readonly tagsLeftOut?: readonly string[];
}

/** A deployment's tasks: the new revision's when the engine reports them per revision. */
export interface TaskCounts {
  readonly running: number;
  readonly pending: number;
  readonly desired: number;
}

export interface Deployment {
  readonly id: string;
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  readonly previousVersion: string;
  readonly status: DeploymentStatus;
  readonly step: DeploymentStep;
  /** Percent of production traffic on the new (green) task set. */
  readonly trafficOnGreen: number;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly requestedBy: string;
  /** Why it stopped or failed. */
  readonly reason?: string;
  /** Who stopped it (a Slack user id), when a person did. */
  readonly stoppedBy?: string;
  readonly engine: DeploymentEngine;
  readonly tasks?: TaskCounts;
  /** The engine's own error, when it failed (`ECS_UPDATE_ERROR`, `CannotPullContainerError`). */
  readonly error?: { readonly code: string; readonly message: string };
  /** The deployment the engine started to roll this one back, when it did. */
  readonly rollbackDeploymentId?: string;
  /** The new task definition revision (family:revision). */
  readonly taskDefinition?: string;
  /** A deployment the engine started to roll another back (CodeDeploy's automatic rollback). */
  readonly rollback?: boolean;
  /** The engine waits for a person before shifting production traffic to green. */
  readonly gate?: Gate;
}

/**
 * A deployment paused before production traffic moves, green up on the test listener: an ECS lifecycle hook of type
 * PAUSE (answered with ContinueServiceDeployment), or a CodeDeploy group that waits before rerouting (READY_WAIT,
 * answered with ContinueDeployment).
 */
export interface Gate {
  /** ECS's hook id; CodeDeploy's deployment id. */
  readonly id: string;
  readonly kind: 'ecs-pause-hook' | 'codedeploy-ready-wait';
  /** When the engine stops waiting, if it says. */
  readonly expiresAt?: number;
  /** How long it waits in all, if that is what it says instead (CodeDeploy's wait time). */
  readonly waitMinutes?: number;
  /** What the engine does when nobody answers. */
  readonly onTimeout: 'continue' | 'rollback' | 'stop';
}

export interface StartDeployment {
  readonly service: string;
  readonly environment: string;
  /** The tag (or digest) people asked for, as the deploy's messages and records name it. */
  readonly version: string;
  /**
   * The image's digest (`sha256:…`) as the Confirm card showed it: the new revision runs the image by this digest, so
   * a tag pushed again after Confirm does not change what runs. Without it, the version is deployed as it is named.
   */
  readonly digest?: string;
  readonly requestedBy: string;
  /**
   * A rollback: CodeDeploy is told to leave the group's own alarms out of it (`overrideAlarmConfiguration`), or an
   * alarm still in ALARM would stop the rollback and restore the version being rolled back.
   */
  readonly rollback?: boolean;
}

export interface StopDeployment {
  readonly rollback: boolean;
  readonly reason: string;
  /** Who asked (a Slack user id). */
  readonly by?: string;
}

/** ECS deployments through either engine, shaped to what the intents ask of them. */
export interface Deployments {
  current(service: string, environment: string): Promise<ServiceRevision>;
  start(request: StartDeployment): Promise<Deployment>;
  get(service: string, environment: string, id: string): Promise<Deployment>;
  /** Stops a deployment; with rollback, traffic returns to the previous revision. */
  stop(service: string, environment: string, id: string, options: StopDeployment): Promise<Deployment>;
  /** Answers a gate: shift production traffic to green, or roll back. */
  proceed(service: string, environment: string, id: string, gate: Gate, action: 'continue' | 'rollback'): Promise<void>;
  /** Recent deployments of a service in an environment, newest first. */
  history(service: string, environment: string, limit?: number): Promise<Deployment[]>;
  /** Deployments still in progress, anywhere. */
  active(): Promise<Deployment[]>;
}
