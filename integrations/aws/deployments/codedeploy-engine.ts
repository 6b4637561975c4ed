import {
  BatchGetDeploymentsCommand,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  type DeploymentInfo,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentsCommand,
  type ListDeploymentsCommandInput,
  type ListDeploymentsCommandOutput,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import type { Service } from '@aws-sdk/client-ecs';
import type { Deployment, StartDeployment } from '../../deployments.port';
import { OpsbotError } from '../../errors';
import { awsError, changeOnce } from '../aws-calls';
import { codeDeployProgress } from '../deploy-progress';
import { type EngineContext, toDeployment } from './engine';
import { call, unknownDeployment } from './errors';
import type { Told } from './revisions';
import type { DeployTarget } from './target';

/** How far back, and how many pages of, CodeDeploy's deployments history reads. */
const HISTORY_DAYS = 30;
const HISTORY_PAGES = 4;

/** CodeDeploy statuses of a deployment that is not over. */
const CODEDEPLOY_ACTIVE = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;

/** What a listing of the group's deployments is narrowed by. */
type CodeDeployListFilter = Omit<ListDeploymentsCommandInput, 'applicationName' | 'deploymentGroupName'>;

/**
 * ECS blue/green through CodeDeploy (a service with the `CODE_DEPLOY` controller): the new revision goes out in a
 * `CreateDeployment` with an AppSpec; the deployment is read with `GetDeployment` and `GetDeploymentTarget`, and
 * followed to the deployment that rolled it back when there is one. Its ids are CodeDeploy's (`d-…`).
 */
export class CodeDeployEngine {
  constructor(private readonly context: EngineContext) {}

  /** Deploys the registered revision `revisionArn` to the service as it runs now. */
  async start(
    target: DeployTarget,
    service: Service,
    revisionArn: string,
    request: StartDeployment,
    who: Required<Told>,
  ): Promise<Deployment> {
    const { codedeploy } = this.context.clients(target);
    const group = codeDeployGroup(target);
    const description = `opsbot: ${request.version} for ${request.requestedBy}`;
    const askedAt = this.context.now();
    const create = () =>
      call(
        () =>
          codedeploy.send(
            new CreateDeploymentCommand({
              applicationName: group.application,
              deploymentGroupName: group.deploymentGroup,
              description,
              revision: {
                revisionType: 'AppSpecContent',
                appSpecContent: { content: appSpec(target, service, revisionArn) },
              },
              // A rollback must not be stopped by the very alarm it answers (CodeDeploy asks UpdateDeploymentGroup
              // permission for this).
              ...(request.rollback === true && { overrideAlarmConfiguration: { enabled: false } }),
            }),
          ),
        'codedeploy:CreateDeployment',
        target,
      );
    const deploymentId = await changeOnce(
      async () => (await create()).deploymentId,
      () => this.createdSince(target, askedAt, description),
    );
    return this.deployment(target, deploymentId as string, who);
  }

  get(target: DeployTarget, id: string): Promise<Deployment> {
    return this.deployment(target, id);
  }

  async stop(target: DeployTarget, id: string, rollback: boolean): Promise<void> {
    const { codedeploy } = this.context.clients(target);
    await call(
      () => codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: rollback })),
      'codedeploy:StopDeployment',
      target,
    );
  }

  /** Answers a deployment waiting ready (`READY_WAIT`): shift production traffic, or stop it and roll back. */
  async proceed(target: DeployTarget, id: string, action: 'continue' | 'rollback'): Promise<void> {
    if (action === 'continue') {
      const { codedeploy } = this.context.clients(target);
      await call(
        () => codedeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' })),
        'codedeploy:ContinueDeployment',
        target,
      );
      return;
    }
    await this.stop(target, id, true);
  }

  async history(target: DeployTarget, limit: number): Promise<Deployment[]> {
    // ListDeployments promises no order: the last 30 days' ids are read (a few pages at most), then sorted.
    const ids: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const listed = await this.list(target, {
        createTimeRange: { start: new Date(this.context.now() - HISTORY_DAYS * 86_400_000) },
        ...(nextToken !== undefined && { nextToken }),
      });
      ids.push(...(listed.deployments ?? []));
      nextToken = listed.nextToken;
      if (nextToken === undefined) break;
    }
    const infos = (await this.batchGet(target, ids))
      .sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0))
      .slice(0, limit);
    return Promise.all(infos.map((info) => this.deployment(target, info.deploymentId as string, {}, info)));
  }

  /** The deployments of the target's group that are not over (whatever their status, as the port reads them). */
  async active(target: DeployTarget): Promise<Deployment[]> {
    const listed = await this.list(target, { includeOnlyStatuses: [...CODEDEPLOY_ACTIVE] });
    return Promise.all((listed.deployments ?? []).map((id) => this.deployment(target, id)));
  }

  /**
   * The deployment of `target`'s group that opsbot asked for since `since` with `description`, if CodeDeploy created
   * it: one deploy at a time per service and environment holds a lock, so that request can only be this one.
   */
  private async createdSince(target: DeployTarget, since: number, description: string): Promise<string | undefined> {
    const listed = await this.list(target, {
      includeOnlyStatuses: [...CODEDEPLOY_ACTIVE],
      // CodeDeploy's clock and ours differ a little.
      createTimeRange: { start: new Date(since - 60_000) },
    });
    const found = await this.batchGet(target, listed.deployments ?? []);
    return found.find((d) => d.description === description)?.deploymentId;
  }

  /** One page of the deployments CodeDeploy lists for the target's group and `filter` (their ids). */
  private list(target: DeployTarget, filter: CodeDeployListFilter): Promise<ListDeploymentsCommandOutput> {
    const { codedeploy } = this.context.clients(target);
    const group = codeDeployGroup(target);
    return call(
      () =>
        codedeploy.send(
          new ListDeploymentsCommand({
            applicationName: group.application,
            deploymentGroupName: group.deploymentGroup,
            ...filter,
          }),
        ),
      'codedeploy:ListDeployments',
      target,
    );
  }

  /** The deployments `ids` name, described (BatchGetDeployments takes 25 at a time). */
  private async batchGet(target: DeployTarget, ids: readonly string[]): Promise<DeploymentInfo[]> {
    const { codedeploy } = this.context.clients(target);
    const infos: DeploymentInfo[] = [];
    for (let i = 0; i < ids.length; i += 25) {
      const chunk = ids.slice(i, i + 25);
      const batch = await call(
        () => codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: chunk })),
        'codedeploy:BatchGetDeployments',
        target,
      );
      infos.push(...(batch.deploymentsInfo ?? []));
    }
    return infos;
  }

  private async deployment(
    target: DeployTarget,
    id: string,
    known: Told = {},
    info?: DeploymentInfo,
  ): Promise<Deployment> {
    const { codedeploy } = this.context.clients(target);
    const deployment =
      info ??
      (
        await call(
          () => codedeploy.send(new GetDeploymentCommand({ deploymentId: id })),
          'codedeploy:GetDeployment',
          target,
        )
      ).deploymentInfo;
    if (deployment === undefined) throw unknownDeployment(id);
    const ecsTarget = await this.deploymentTarget(target, id, deployment);
    const rollbackId = deployment.rollbackInfo?.rollbackDeploymentId;
    let rollback: { info: DeploymentInfo; target?: NonNullable<typeof ecsTarget> } | undefined;
    if (rollbackId !== undefined) {
      const back = (
        await call(
          () => codedeploy.send(new GetDeploymentCommand({ deploymentId: rollbackId })),
          'codedeploy:GetDeployment',
          target,
        )
      ).deploymentInfo;
      if (back !== undefined) {
        const backTarget = await this.deploymentTarget(target, rollbackId, back);
        rollback = { info: back, ...(backTarget !== undefined && { target: backTarget }) };
      }
    }
    // A deployment CodeDeploy made to roll another back: shown as the rollback it is, never offered to undo.
    const isRollback =
      deployment.creator === 'codeDeployRollback' ||
      deployment.rollbackInfo?.rollbackTriggeringDeploymentId !== undefined;
    const read = codeDeployProgress(deployment, ecsTarget, rollback);
    const progress = isRollback && read.status === 'InProgress' ? { ...read, step: 'RollingBack' as const } : read;
    const told =
      known.version !== undefined && known.previousVersion !== undefined
        ? {}
        : await this.context.revisions.of(target, appSpecTaskDefinition(deployment.revision?.appSpecContent?.content));
    const requester = /^opsbot: (\S+) for (\S+)$/.exec(deployment.description ?? '');
    const d = toDeployment(this.context, target, id, 'codedeploy', progress, {
      version: known.version ?? told.version ?? requester?.[1] ?? '?',
      previousVersion: known.previousVersion ?? told.previousVersion ?? '?',
      requestedBy: known.requestedBy ?? told.requestedBy ?? requester?.[2] ?? '',
    });
    return isRollback ? { ...d, rollback: true } : d;
  }

  private async deploymentTarget(target: DeployTarget, id: string, info: DeploymentInfo) {
    if (info.status === 'Created' || info.status === 'Queued') return undefined;
    const { codedeploy } = this.context.clients(target);
    try {
      const result = await call(
        () =>
          codedeploy.send(
            new GetDeploymentTargetCommand({ deploymentId: id, targetId: `${target.cluster}:${target.ecsService}` }),
          ),
        'codedeploy:GetDeploymentTarget',
        target,
      );
      return result.deploymentTarget?.ecsTarget;
    } catch (error) {
      // A deployment that failed before its target was created has none: its status still says what happened.
      if (awsError(error)?.name === 'DeploymentTargetDoesNotExistException') return undefined;
      throw error;
    }
  }
}

function codeDeployGroup(target: DeployTarget): { application: string; deploymentGroup: string } {
  if (target.codedeploy === undefined) {
    throw new OpsbotError(
      'CODEDEPLOY_NOT_CONFIGURED',
      `${target.service} in ${target.environment} has no CodeDeploy application and deployment group configured.`,
      `Set \`codedeploy: { application, deploymentGroup }\` under services.${target.service}.environments.${target.environment}.`,
    );
  }
  return target.codedeploy;
}

/** The AppSpec of a CodeDeploy ECS deployment: the new revision behind the load balancer, and the configured hooks. */
export function appSpec(target: DeployTarget, service: Service, taskDefinitionArn: string): string {
  const balancer =
    service.loadBalancers?.find((l) => l.containerName === target.container) ?? service.loadBalancers?.[0];
  const port = target.containerPort ?? balancer?.containerPort;
  if (port === undefined) {
    throw new OpsbotError(
      'CONTAINER_PORT_UNKNOWN',
      `I can't tell which port of ${target.container} the load balancer sends to for ${target.service} in ${target.environment}.`,
      `Set \`containerPort\` under services.${target.service}.environments.${target.environment}.`,
    );
  }
  const hooks = Object.entries(target.hooks ?? {}).map(([event, fn]) => ({ [event]: fn }));
  // What the running task set runs on is kept: CodeDeploy otherwise falls back to the defaults (a FARGATE_SPOT
  // service would move to FARGATE, a pinned platform version to LATEST).
  const primary = service.taskSets?.find((s) => s.status === 'PRIMARY');
  const network = (primary?.networkConfiguration ?? service.networkConfiguration)?.awsvpcConfiguration;
  const platformVersion = primary?.platformVersion ?? service.platformVersion;
  const strategy = primary?.capacityProviderStrategy ?? service.capacityProviderStrategy ?? [];
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinitionArn,
            LoadBalancerInfo: { ContainerName: target.container, ContainerPort: port },
            ...(platformVersion !== undefined && { PlatformVersion: platformVersion }),
            ...(network !== undefined && {
              NetworkConfiguration: {
                AwsvpcConfiguration: {
                  Subnets: network.subnets ?? [],
                  ...(network.securityGroups !== undefined && { SecurityGroups: network.securityGroups }),
                  ...(network.assignPublicIp !== undefined && { AssignPublicIp: network.assignPublicIp }),
                },
              },
            }),
            ...(strategy.length > 0 && {
              CapacityProviderStrategy: strategy.map((c) => ({
                Base: c.base ?? 0,
                CapacityProvider: c.capacityProvider,
                Weight: c.weight ?? 0,
              })),
            }),
          },
        },
      },
    ],
    ...(hooks.length > 0 && { Hooks: hooks }),
  });
}

/** The task definition an AppSpec deploys (`Resources[].TargetService.Properties.TaskDefinition`). */
function appSpecTaskDefinition(content: string | undefined): string | undefined {
  if (content === undefined) return undefined;
  try {
    const spec = JSON.parse(content) as {
      Resources?: Array<{ TargetService?: { Properties?: { TaskDefinition?: unknown } } }>;
    };
    const arn = spec.Resources?.[0]?.TargetService?.Properties?.TaskDefinition;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    // A YAML AppSpec (made by another tool): its deployment is listed without what the revision says.
    return undefined;
  }
}
