import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Deployment, Deployments, ServiceRevision, StartDeployment, StopDeployment } from '../deployments.port';
import { OpsbotError } from '../errors';

const notYet = () =>
  new OpsbotError(
    'NOT_CONNECTED',
    'Deploying through AWS CodeDeploy is not connected in this build of opsbot, so nothing was done.',
    'Run `npm start` to try deploys on the sandbox account.',
  );

/**
 * ECS blue/green through CodeDeploy: the clients are wired here so the composition root stays final; the deploy
 * capability fills in the calls (RegisterTaskDefinition, CreateDeployment with an AppSpec, GetDeployment,
 * StopDeployment). Until then every call answers clearly that nothing was done.
 */
export class CodeDeployDeployments implements Deployments {
  constructor(
    readonly ecs: ECSClient,
    readonly codedeploy: CodeDeployClient,
  ) {}

  async current(_service: string, _environment: string): Promise<ServiceRevision> {
    throw notYet();
  }
  async start(_request: StartDeployment): Promise<Deployment> {
    throw notYet();
  }
  async get(_service: string, _environment: string, _id: string): Promise<Deployment> {
    throw notYet();
  }
  async stop(_service: string, _environment: string, _id: string, _options: StopDeployment): Promise<Deployment> {
    throw notYet();
  }
  async history(_service: string, _environment: string): Promise<Deployment[]> {
    throw notYet();
  }
  async active(): Promise<Deployment[]> {
    throw notYet();
  }
}
