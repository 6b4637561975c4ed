import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { AwsAccount } from '../clients';

/** The AppSpec hooks of an ECS deployment, each naming the Lambda function CodeDeploy invokes. */
export type AppSpecHook =
  | 'BeforeInstall'
  | 'AfterInstall'
  | 'AfterAllowTestTraffic'
  | 'BeforeAllowTraffic'
  | 'AfterAllowTraffic';

/** A service in an environment, as configured: where it runs and what deploys it. */
export interface DeployTarget {
  /** opsbot's names. */
  readonly service: string;
  readonly environment: string;
  readonly account: AwsAccount;
  readonly region: string;
  /** Empty when not configured: the target answers that it needs one. */
  readonly cluster: string;
  /** The ECS service's name. */
  readonly ecsService: string;
  /** The container whose image a deploy changes. */
  readonly container: string;
  /** The port the load balancer sends to; read from the service's load balancers when not configured. */
  readonly containerPort?: number;
  /** The image repository's URI; read from the container's current image when not configured. */
  readonly repositoryUri?: string;
  /** For services CodeDeploy deploys. */
  readonly codedeploy?: { readonly application: string; readonly deploymentGroup: string };
  readonly hooks?: Partial<Record<AppSpecHook, string>>;
}

export interface TargetClients {
  readonly ecs: ECSClient;
  readonly codedeploy: CodeDeployClient;
}
