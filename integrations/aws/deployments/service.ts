import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type Service,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { DeploymentEngine } from '../../deployments.port';
import { OpsbotError } from '../../errors';
import { call } from './errors';
import type { DeployTarget } from './target';

/** The service as ECS has it: the engine that deploys it, and the task definition it runs (with its tags). */
export interface RunningService {
  readonly engine: DeploymentEngine;
  readonly service: Service;
  readonly taskDefinition: TaskDefinition;
  readonly tags: Tag[] | undefined;
}

/** Reads the service and the revision it runs; which engine deploys it is what ECS says of the service. */
export async function runningService(ecs: ECSClient, target: DeployTarget): Promise<RunningService> {
  const described = await call(
    () => ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.ecsService] })),
    'ecs:DescribeServices',
    target,
  );
  const service = described.services?.find((s) => s.status !== 'INACTIVE');
  if (service === undefined) {
    throw new OpsbotError(
      'UNKNOWN_SERVICE',
      `There is no ECS service ${target.ecsService} in cluster ${target.cluster} (account ${target.account.name}, ${target.region}).`,
      `Check \`services.${target.service}.environments.${target.environment}\` in opsbot.config.yaml.`,
    );
  }
  const engine = engineOf(service, target);
  // A CodeDeploy service runs its PRIMARY task set; an ECS one, its task definition.
  const arn = service.taskSets?.find((s) => s.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
  const task = await call(
    () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })),
    'ecs:DescribeTaskDefinition',
    target,
  );
  return {
    engine,
    service,
    taskDefinition: task.taskDefinition as TaskDefinition,
    tags: task.tags,
  };
}

/** The engine ECS reports for a service; a service opsbot cannot deploy is a clear refusal. */
function engineOf(service: Service, target: DeployTarget): DeploymentEngine {
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller === 'CODE_DEPLOY') {
    if (target.codedeploy === undefined) {
      throw new OpsbotError(
        'CODEDEPLOY_NOT_CONFIGURED',
        `${target.service} in ${target.environment} is deployed by CodeDeploy, and opsbot does not know its application and deployment group.`,
        `Set \`codedeploy: { application, deploymentGroup }\` under services.${target.service}.environments.${target.environment} in opsbot.config.yaml.`,
      );
    }
    return 'codedeploy';
  }
  if (controller === 'EXTERNAL') {
    throw new OpsbotError(
      'EXTERNAL_CONTROLLER',
      `opsbot can't deploy ${target.service} in ${target.environment}: its ECS service uses an EXTERNAL deployment controller, which only the tool that owns it can drive.`,
      'Deploy it with that tool, or move the service to the ECS or CODE_DEPLOY controller.',
    );
  }
  return engineOfStrategy(service.deploymentConfiguration?.strategy);
}

/** The engine of a service deployment ECS runs itself, from its strategy (rolling when it names none). */
export function engineOfStrategy(strategy: string | undefined): DeploymentEngine {
  switch (strategy) {
    case 'BLUE_GREEN':
      return 'ecs-blue-green';
    case 'LINEAR':
      return 'ecs-linear';
    case 'CANARY':
      return 'ecs-canary';
    default:
      return 'ecs-rolling';
  }
}
