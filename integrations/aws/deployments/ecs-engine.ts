import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  type ListServiceDeploymentsCommandInput,
  ListTasksCommand,
  type ServiceDeployment,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Deployment, DeploymentEngine } from '../../deployments.port';
import { parseUnlisted, unlistedId } from '../../unlisted-deployment';
import { changeOnce } from '../aws-calls';
import { ecsProgress, type Progress } from '../deploy-progress';
import { type EngineContext, toDeployment } from './engine';
import { call, deploymentInProgress, unknownDeployment } from './errors';
import type { Told } from './revisions';
import { engineOfStrategy, runningService } from './service';
import type { DeployTarget } from './target';

/** ECS service deployment statuses of a deployment that is not over. */
const ECS_ACTIVE = ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'] as const;
/** How often, and how far apart, ECS is asked for the deployment an UpdateService started. */
const LIST_ATTEMPTS = 4;
const LIST_WAIT_MS = 500;

/** What a listing of a service's deployments is narrowed by. */
type EcsListFilter = Omit<ListServiceDeploymentsCommandInput, 'cluster' | 'service'>;

/**
 * ECS's own deployments (a service with the `ECS` controller and a blue/green, linear, canary or rolling strategy):
 * the new revision goes out through `UpdateService`; the deployment is read with `ListServiceDeployments` and
 * `DescribeServiceDeployments`. Its ids are service deployment ARNs, or until ECS lists the deployment an id that
 * names the new revision (../../unlisted-deployment.ts).
 */
export class EcsEngine {
  constructor(private readonly context: EngineContext) {}

  /** ECS's engine overrides a running deployment with a new one: opsbot refuses instead, as CodeDeploy does. */
  async refuseIfDeploying(target: DeployTarget): Promise<void> {
    if ((await this.list(target, { status: [...ECS_ACTIVE] })).length > 0) throw deploymentInProgress(target);
  }

  /** Moves the service to the registered revision `revisionArn`, and finds the deployment ECS started for it. */
  async start(
    target: DeployTarget,
    engine: DeploymentEngine,
    revisionArn: string,
    who: Required<Told>,
  ): Promise<Deployment> {
    const { ecs } = this.context.clients(target);
    const startedAt = this.context.now();
    const update = () =>
      call(
        () =>
          ecs.send(
            new UpdateServiceCommand({
              cluster: target.cluster,
              service: target.ecsService,
              taskDefinition: revisionArn,
            }),
          ),
        'ecs:UpdateService',
        target,
      );
    await changeOnce(
      async () => {
        await update();
        return true;
      },
      async () => ((await runningService(ecs, target)).service.taskDefinition === revisionArn ? true : undefined),
    );
    const found = await this.deploymentOf(target, startedAt, revisionArn);
    if (found === undefined) {
      // The service was changed, so ECS is deploying even though it has not listed the deployment yet: the deploy
      // is watched under an id that names the new revision until ECS lists it (get resolves it), never dropped.
      return toDeployment(
        this.context,
        target,
        unlistedId(startedAt, revisionArn),
        engine,
        unlistedProgress(startedAt),
        who,
      );
    }
    return this.deployment(target, found, engine, who);
  }

  async get(target: DeployTarget, id: string): Promise<Deployment> {
    const unlisted = parseUnlisted(id);
    if (unlisted !== undefined) {
      const running = await runningService(this.context.clients(target).ecs, target);
      const found = await this.deploymentOf(target, unlisted.startedAt, unlisted.revisionArn, 1);
      // Listed now: its own ARN from here on. Not yet: still starting.
      if (found !== undefined) return this.deployment(target, found, running.engine);
      const told = await this.context.revisions.of(target, unlisted.revisionArn);
      return toDeployment(this.context, target, id, running.engine, unlistedProgress(unlisted.startedAt), {
        version: told.version ?? '?',
        previousVersion: told.previousVersion ?? '?',
        requestedBy: told.requestedBy ?? '',
      });
    }
    const [d] = await this.describe(target, [id]);
    if (d === undefined) throw unknownDeployment(id);
    return this.deployment(target, d, engineOfStrategy(d.deploymentConfiguration?.strategy));
  }

  /** Stops a deployment by rolling it back: ROLLBACK is the one stop type AWS documents for StopServiceDeployment. */
  async rollBack(target: DeployTarget, id: string): Promise<void> {
    const { ecs } = this.context.clients(target);
    await call(
      () => ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: id, stopType: 'ROLLBACK' })),
      'ecs:StopServiceDeployment',
      target,
    );
  }

  /** Answers a deployment's pause hook: shift production traffic, or roll back. */
  async proceed(target: DeployTarget, id: string, hookId: string, action: 'continue' | 'rollback'): Promise<void> {
    const { ecs } = this.context.clients(target);
    await call(
      () =>
        ecs.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn: id,
            hookId,
            action: action === 'continue' ? 'CONTINUE' : 'ROLLBACK',
          }),
        ),
      'ecs:ContinueServiceDeployment',
      target,
    );
  }

  async history(target: DeployTarget, engine: DeploymentEngine, limit: number): Promise<Deployment[]> {
    const described = await this.listed(target, { maxResults: limit });
    return Promise.all(
      described
        .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
        .map((d) => this.deployment(target, d, engine)),
    );
  }

  /** The service's deployments that are not over (whatever their status, as the port reads them). */
  async active(target: DeployTarget): Promise<Deployment[]> {
    const described = await this.listed(target, { status: [...ECS_ACTIVE] });
    return Promise.all(
      described.map((d) => this.deployment(target, d, engineOfStrategy(d.deploymentConfiguration?.strategy))),
    );
  }

  private async deployment(
    target: DeployTarget,
    d: ServiceDeployment,
    engine: DeploymentEngine,
    known: Told = {},
  ): Promise<Deployment> {
    let progress = ecsProgress(d);
    if (progress.status === 'Failed' && d.targetServiceRevision?.arn !== undefined) {
      // Tasks of the new revision that would not start say why (CannotPullContainerError, ResourceInitializationError).
      const revision = await this.revisionTaskDefinition(target, d.targetServiceRevision.arn);
      const reason =
        revision === undefined ? undefined : await this.stoppedReason(target, revision).catch(() => undefined);
      if (reason !== undefined) {
        const ecsSaid = d.statusReason !== undefined ? ` (ECS: ${d.statusReason})` : '';
        progress = { ...progress, error: { code: reason.code, message: `${reason.message}${ecsSaid}` } };
      }
    }
    const told =
      known.version !== undefined && known.previousVersion !== undefined
        ? {}
        : await this.context.revisions.of(
            target,
            await this.revisionTaskDefinition(target, d.targetServiceRevision?.arn),
          );
    return toDeployment(this.context, target, d.serviceDeploymentArn as string, engine, progress, {
      version: known.version ?? told.version ?? '?',
      previousVersion: known.previousVersion ?? told.previousVersion ?? '?',
      requestedBy: known.requestedBy ?? told.requestedBy ?? '',
    });
  }

  /** The task definition of an ECS service revision (`DescribeServiceRevisions`). */
  private async revisionTaskDefinition(target: DeployTarget, arn: string | undefined): Promise<string | undefined> {
    if (arn === undefined) return undefined;
    const { ecs } = this.context.clients(target);
    const described = await call(
      () => ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [arn] })),
      'ecs:DescribeServiceRevisions',
      target,
    ).catch(() => undefined);
    return described?.serviceRevisions?.[0]?.taskDefinition;
  }

  /**
   * Why the new revision's tasks stopped, when they failed to start or their essential container exited (not the
   * old tasks ECS drained).
   */
  private async stoppedReason(
    target: DeployTarget,
    taskDefinitionArn: string,
  ): Promise<{ code: string; message: string } | undefined> {
    const { ecs } = this.context.clients(target);
    const listed = await ecs.send(
      new ListTasksCommand({
        cluster: target.cluster,
        serviceName: target.ecsService,
        desiredStatus: 'STOPPED',
        maxResults: 10,
      }),
    );
    if ((listed.taskArns ?? []).length === 0) return undefined;
    const tasks = await ecs.send(new DescribeTasksCommand({ cluster: target.cluster, tasks: listed.taskArns }));
    const stopped = (tasks.tasks ?? [])
      .filter(
        (t) =>
          t.stoppedReason !== undefined &&
          t.taskDefinitionArn === taskDefinitionArn &&
          (t.stopCode === 'TaskFailedToStart' || t.stopCode === 'EssentialContainerExited'),
      )
      .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))[0];
    if (stopped?.stoppedReason === undefined) return undefined;
    const code = /^(\w+Error)/.exec(stopped.stoppedReason)?.[1] ?? stopped.stopCode ?? 'TaskFailedToStart';
    return { code, message: stopped.stoppedReason };
  }

  /** The service's deployments ECS lists for `filter` (their ARNs). */
  private async list(target: DeployTarget, filter: EcsListFilter): Promise<string[]> {
    const { ecs } = this.context.clients(target);
    const listed = await call(
      () =>
        ecs.send(new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.ecsService, ...filter })),
      'ecs:ListServiceDeployments',
      target,
    );
    return (listed.serviceDeployments ?? []).flatMap((b) =>
      b.serviceDeploymentArn !== undefined ? [b.serviceDeploymentArn] : [],
    );
  }

  /** The service's deployments ECS lists for `filter`, described. */
  private async listed(target: DeployTarget, filter: EcsListFilter): Promise<ServiceDeployment[]> {
    const arns = await this.list(target, filter);
    return arns.length === 0 ? [] : this.describe(target, arns);
  }

  private async describe(target: DeployTarget, arns: readonly string[]): Promise<ServiceDeployment[]> {
    const { ecs } = this.context.clients(target);
    const described = await call(
      () => ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [...arns] })),
      'ecs:DescribeServiceDeployments',
      target,
    );
    return described.serviceDeployments ?? [];
  }

  /**
   * The deployment ECS started for the revision opsbot registered: among those created since the UpdateService,
   * the one whose target revision runs that task definition (ECS may take a moment to list it).
   */
  private async deploymentOf(
    target: DeployTarget,
    since: number,
    taskDefinitionArn: string,
    attempts = LIST_ATTEMPTS,
  ): Promise<ServiceDeployment | undefined> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await this.context.sleep(LIST_WAIT_MS);
      // ECS's clock and ours differ a little.
      for (const d of await this.listed(target, { createdAt: { after: new Date(since - 60_000) } })) {
        if ((await this.revisionTaskDefinition(target, d.targetServiceRevision?.arn)) === taskDefinitionArn) return d;
      }
    }
    return undefined;
  }
}

/** A deployment ECS has been asked for and not yet listed: in progress, starting, nothing on green. */
function unlistedProgress(startedAt: number): Progress {
  return { status: 'InProgress', step: 'Created', trafficOnGreen: 0, startedAt };
}
