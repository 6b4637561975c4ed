/** Where a blue/green deployment is in its lifecycle (CodeDeploy ECS). */
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
  readonly version: string;
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
}

export interface StartDeployment {
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  readonly requestedBy: string;
}

export interface StopDeployment {
  readonly rollback: boolean;
  readonly reason: string;
  /** Who asked (a Slack user id). */
  readonly by?: string;
}

/** ECS blue/green through CodeDeploy, shaped to what the intents ask of it. */
export interface Deployments {
  current(service: string, environment: string): Promise<ServiceRevision>;
  start(request: StartDeployment): Promise<Deployment>;
  get(id: string): Promise<Deployment>;
  /** Stops a deployment; with rollback, traffic returns to the previous revision. */
  stop(id: string, options: StopDeployment): Promise<Deployment>;
  /** Recent deployments of a service in an environment, newest first. */
  history(service: string, environment: string, limit?: number): Promise<Deployment[]>;
  /** Deployments still in progress, anywhere. */
  active(): Promise<Deployment[]>;
}
