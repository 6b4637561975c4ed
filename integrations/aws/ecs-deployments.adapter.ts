import {
  BatchGetDeploymentsCommand,
  type CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  type DeploymentInfo,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ListServiceDeploymentsCommandInput,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type ServiceDeployment,
  StopServiceDeploymentCommand,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type {
  Deployment,
  DeploymentEngine,
  Deployments,
  Gate,
  ServiceRevision,
  StartDeployment,
  StopDeployment,
} from '../deployments.port';
import { ecsStopsOnlyByRollingBack, OpsbotError, unknownTarget } from '../errors';
import { notListedYet, parseUnlisted, unlistedId } from '../unlisted-deployment';
import { awsError, changeOnce, mapLimit, retryRead, retryThrottled } from './aws-calls';
import type { AwsAccount } from './clients';
import { codeDeployProgress, ecsProgress, type Progress } from './deploy-progress';
import { imageReference, nextRevision, parseImage, revisionTags } from './task-definition';

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

/** Tags opsbot puts on the revisions it registers, so history can say who asked for what. */
export const REQUESTED_BY_TAG = 'opsbot:requested-by';
export const VERSION_TAG = 'opsbot:version';

/**
 * The version a revision runs, as people name it: the image's tag, or for an image opsbot pinned by digest the tag
 * it was asked for (its `opsbot:version` tag); the digest itself when neither says more.
 */
function versionOf(image: string, tags: readonly { key?: string; value?: string }[] | undefined): string {
  const named = parseImage(image).version;
  const asked = tags?.find((t) => t.key === VERSION_TAG)?.value;
  if (named?.startsWith('sha256:') === true && asked !== undefined && asked !== '') return asked;
  return named ?? 'latest';
}
export const PREVIOUS_VERSION_TAG = 'opsbot:previous-version';

/** What a deployment's revision says of itself: the version, what it replaced, who asked. */
interface Told {
  version?: string;
  previousVersion?: string;
  requestedBy?: string;
}

/** How far back, and how many pages of, CodeDeploy's deployments history reads. */
const HISTORY_DAYS = 30;
const HISTORY_PAGES = 4;

/** ECS service deployment statuses of a deployment that is not over. */
const ECS_ACTIVE = ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'] as const;
/** How often, and how far apart, ECS is asked for the deployment an UpdateService started. */
const LIST_ATTEMPTS = 4;
const LIST_WAIT_MS = 500;

/** What a listing of a service's deployments is narrowed by. */
type EcsListFilter = Omit<ListServiceDeploymentsCommandInput, 'cluster' | 'service'>;

/** CodeDeploy statuses of a deployment that is not over. */
const CODEDEPLOY_ACTIVE = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;

/**
 * ECS deployments against AWS, through whichever engine the service uses: CodeDeploy (`CODE_DEPLOY` controller:
 * a new task definition revision, then `CreateDeployment` with an AppSpec) or ECS itself (`ECS` controller with a
 * blue/green, linear, canary or rolling strategy: the new revision through `UpdateService`, the deployment read with
 * `ListServiceDeployments` and `DescribeServiceDeployments`). Each target is reached through its own account's and
 * region's clients, from the one client factory.
 */
export class AwsDeployments implements Deployments {
  /** What each revision says of itself, read once per container (revisions never change). */
  private readonly revisions = new Map<string, Promise<Told>>();

  constructor(
    private readonly targets: readonly DeployTarget[],
    private readonly clients: (target: DeployTarget) => TargetClients,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async current(service: string, environment: string): Promise<ServiceRevision> {
    const target = this.target(service, environment);
    const running = await this.running(target);
    const image = containerImage(running.taskDefinition, target);
    // What a deploy's new revision could not keep of the running one's tags (its Confirm card says so).
    const { leftOut } = revisionTags(
      running.tags,
      [REQUESTED_BY_TAG, VERSION_TAG, PREVIOUS_VERSION_TAG].map((key) => ({ key, value: '' })),
    );
    return {
      service,
      environment,
      taskDefinition: familyRevision(running.taskDefinition),
      image,
      version: versionOf(image, running.tags),
      engine: running.engine,
      ...(leftOut.length > 0 && { tagsLeftOut: leftOut }),
    };
  }

  async start(request: StartDeployment): Promise<Deployment> {
    const target = this.target(request.service, request.environment);
    const { ecs, codedeploy } = this.clients(target);
    const running = await this.running(target);
    if (running.engine !== 'codedeploy') await this.refuseIfDeploying(target);
    const currentImage = containerImage(running.taskDefinition, target);
    const repositoryUri = target.repositoryUri ?? parseImage(currentImage).repositoryUri;
    const previousVersion = versionOf(currentImage, running.tags);
    const { tags } = revisionTags(running.tags, [
      { key: REQUESTED_BY_TAG, value: request.requestedBy },
      { key: VERSION_TAG, value: request.version },
      // History reads it back: a rollback redeploys what ran before.
      { key: PREVIOUS_VERSION_TAG, value: previousVersion },
    ]);
    const input = nextRevision(
      running.taskDefinition,
      tags,
      target.container,
      // The digest the Confirm card showed, when it showed one: what runs is what was confirmed.
      request.digest !== undefined
        ? imageReference(repositoryUri, request.digest)
        : imageReference(repositoryUri, request.version),
    );
    const registered = await call(
      () => ecs.send(new RegisterTaskDefinitionCommand(input)),
      'ecs:RegisterTaskDefinition',
      target,
    );
    const revisionArn = registered.taskDefinition?.taskDefinitionArn as string;
    const who = { version: request.version, previousVersion, requestedBy: request.requestedBy };

    if (running.engine === 'codedeploy') {
      const group = codeDeployGroup(target);
      const description = `opsbot: ${request.version} for ${request.requestedBy}`;
      const askedAt = this.now();
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
                  appSpecContent: { content: appSpec(target, running.service, revisionArn) },
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
      return this.codeDeployDeployment(target, deploymentId as string, who);
    }

    const startedAt = this.now();
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
      async () => ((await this.running(target)).service.taskDefinition === revisionArn ? true : undefined),
    );
    const found = await this.deploymentOf(target, startedAt, revisionArn);
    if (found === undefined) {
      // The service was changed, so ECS is deploying even though it has not listed the deployment yet: the deploy
      // is watched under an id that names the new revision until ECS lists it (get resolves it), never dropped.
      return this.deployment(
        target,
        unlistedId(startedAt, revisionArn),
        running.engine,
        unlistedProgress(startedAt),
        who,
      );
    }
    return this.ecsDeployment(target, found, running.engine, who);
  }

  async get(service: string, environment: string, id: string): Promise<Deployment> {
    const target = this.target(service, environment);
    const unlisted = parseUnlisted(id);
    if (unlisted !== undefined) {
      const running = await this.running(target);
      const found = await this.deploymentOf(target, unlisted.startedAt, unlisted.revisionArn, 1);
      // Listed now: its own ARN from here on. Not yet: still starting.
      if (found !== undefined) return this.ecsDeployment(target, found, running.engine);
      const told = await this.told(target, unlisted.revisionArn);
      return this.deployment(target, id, running.engine, unlistedProgress(unlisted.startedAt), {
        version: told.version ?? '?',
        previousVersion: told.previousVersion ?? '?',
        requestedBy: told.requestedBy ?? '',
      });
    }
    if (id.startsWith('arn:')) {
      const [d] = await this.describeEcs(target, [id]);
      if (d === undefined) throw unknownDeployment(id);
      return this.ecsDeployment(target, d, engineOfStrategy(d.deploymentConfiguration?.strategy));
    }
    return this.codeDeployDeployment(target, id);
  }

  async stop(service: string, environment: string, id: string, options: StopDeployment): Promise<Deployment> {
    const target = this.target(service, environment);
    const { ecs, codedeploy } = this.clients(target);
    if (parseUnlisted(id) !== undefined) throw notListedYet(service, environment);
    if (id.startsWith('arn:')) {
      if (!options.rollback) throw ecsStopsOnlyByRollingBack(service, environment);
      await call(
        // ROLLBACK is the one stop type AWS documents for StopServiceDeployment.
        () => ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: id, stopType: 'ROLLBACK' })),
        'ecs:StopServiceDeployment',
        target,
      );
    } else {
      await call(
        () => codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: options.rollback })),
        'codedeploy:StopDeployment',
        target,
      );
    }
    const stopped = await this.get(service, environment, id);
    return { ...stopped, reason: options.reason, ...(options.by !== undefined && { stoppedBy: options.by }) };
  }

  async proceed(
    service: string,
    environment: string,
    id: string,
    gate: Gate,
    action: 'continue' | 'rollback',
  ): Promise<void> {
    const target = this.target(service, environment);
    const { ecs, codedeploy } = this.clients(target);
    if (parseUnlisted(id) !== undefined) throw notListedYet(service, environment);
    if (gate.kind === 'ecs-pause-hook') {
      await call(
        () =>
          ecs.send(
            new ContinueServiceDeploymentCommand({
              serviceDeploymentArn: id,
              hookId: gate.id,
              action: action === 'continue' ? 'CONTINUE' : 'ROLLBACK',
            }),
          ),
        'ecs:ContinueServiceDeployment',
        target,
      );
      return;
    }
    if (action === 'continue') {
      await call(
        () => codedeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' })),
        'codedeploy:ContinueDeployment',
        target,
      );
      return;
    }
    await call(
      () => codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true })),
      'codedeploy:StopDeployment',
      target,
    );
  }

  async history(service: string, environment: string, limit = 10): Promise<Deployment[]> {
    const target = this.target(service, environment);
    const running = await this.running(target);
    if (running.engine === 'codedeploy') {
      const group = codeDeployGroup(target);
      const { codedeploy } = this.clients(target);
      // ListDeployments promises no order: the last 30 days' ids are read (a few pages at most), then sorted.
      const ids: string[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const listed = await call(
          () =>
            codedeploy.send(
              new ListDeploymentsCommand({
                applicationName: group.application,
                deploymentGroupName: group.deploymentGroup,
                createTimeRange: { start: new Date(this.now() - HISTORY_DAYS * 86_400_000) },
                ...(nextToken !== undefined && { nextToken }),
              }),
            ),
          'codedeploy:ListDeployments',
          target,
        );
        ids.push(...(listed.deployments ?? []));
        nextToken = listed.nextToken;
        if (nextToken === undefined) break;
      }
      if (ids.length === 0) return [];
      const batches: DeploymentInfo[] = [];
      for (let i = 0; i < ids.length; i += 25) {
        const chunk = ids.slice(i, i + 25);
        const batch = await call(
          () => codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: chunk })),
          'codedeploy:BatchGetDeployments',
          target,
        );
        batches.push(...(batch.deploymentsInfo ?? []));
      }
      const infos = batches
        .sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0))
        .slice(0, limit);
      return Promise.all(infos.map((info) => this.codeDeployDeployment(target, info.deploymentId as string, {}, info)));
    }
    const described = await this.listedEcs(target, { maxResults: limit });
    return Promise.all(
      described
        .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
        .map((d) => this.ecsDeployment(target, d, running.engine)),
    );
  }

  async active(): Promise<Deployment[]> {
    // A target without a cluster is not deployable on AWS: the stacks grant nothing on its ECS service or CodeDeploy
    // group, so asking would only be refused.
    const deployable = this.targets.filter((t) => t.cluster !== '');
    const found = await mapLimit(deployable, 8, async (target) => {
      try {
        if (target.codedeploy !== undefined) {
          const { codedeploy } = this.clients(target);
          const listed = await call(
            () =>
              codedeploy.send(
                new ListDeploymentsCommand({
                  applicationName: target.codedeploy?.application,
                  deploymentGroupName: target.codedeploy?.deploymentGroup,
                  includeOnlyStatuses: [...CODEDEPLOY_ACTIVE],
                }),
              ),
            'codedeploy:ListDeployments',
            target,
          );
          return Promise.all((listed.deployments ?? []).map((id) => this.codeDeployDeployment(target, id)));
        }
        const described = await this.listedEcs(target, { status: [...ECS_ACTIVE] });
        return Promise.all(
          described.map((d) => this.ecsDeployment(target, d, engineOfStrategy(d.deploymentConfiguration?.strategy))),
        );
      } catch {
        // One unreadable target does not hide the deploys running elsewhere.
        return [];
      }
    });
    return found.flat().filter((d) => d.status === 'InProgress');
  }

  private target(service: string, environment: string): DeployTarget {
    const target = this.targets.find((t) => t.service === service && t.environment === environment);
    if (target === undefined) {
      throw unknownTarget(service, environment);
    }
    if (target.cluster === '') {
      throw new OpsbotError(
        'NOT_CONFIGURED',
        `opsbot does not know which ECS cluster runs ${service} in ${environment}, so nothing was done.`,
        `Set \`cluster\` under services.${service}.environments.${environment} in opsbot.config.yaml.`,
      );
    }
    return target;
  }

  /**
   * The deployment of `target`'s group that opsbot asked for since `since` with `description`, if CodeDeploy created
   * it: one deploy at a time per service and environment holds a lock, so that request can only be this one.
   */
  private async createdSince(target: DeployTarget, since: number, description: string): Promise<string | undefined> {
    const { codedeploy } = this.clients(target);
    const group = codeDeployGroup(target);
    const listed = await call(
      () =>
        codedeploy.send(
          new ListDeploymentsCommand({
            applicationName: group.application,
            deploymentGroupName: group.deploymentGroup,
            includeOnlyStatuses: [...CODEDEPLOY_ACTIVE],
            // CodeDeploy's clock and ours differ a little.
            createTimeRange: { start: new Date(since - 60_000) },
          }),
        ),
      'codedeploy:ListDeployments',
      target,
    );
    const ids = listed.deployments ?? [];
    if (ids.length === 0) return undefined;
    const found = await call(
      () => codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(0, 25) })),
      'codedeploy:BatchGetDeployments',
      target,
    );
    return found.deploymentsInfo?.find((d) => d.description === description)?.deploymentId;
  }

  /** The service as ECS has it: its engine, and the task definition it runs (with tags). */
  private async running(target: DeployTarget) {
    const { ecs } = this.clients(target);
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

  private async codeDeployDeployment(
    target: DeployTarget,
    id: string,
    known: { version?: string; previousVersion?: string; requestedBy?: string } = {},
    info?: DeploymentInfo,
  ): Promise<Deployment> {
    const { codedeploy } = this.clients(target);
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
        : await this.told(target, appSpecTaskDefinition(deployment.revision?.appSpecContent?.content));
    const requester = /^opsbot: (\S+) for (\S+)$/.exec(deployment.description ?? '');
    const d = this.deployment(target, id, 'codedeploy', progress, {
      version: known.version ?? told.version ?? requester?.[1] ?? '?',
      previousVersion: known.previousVersion ?? told.previousVersion ?? '?',
      requestedBy: known.requestedBy ?? told.requestedBy ?? requester?.[2] ?? '',
    });
    return isRollback ? { ...d, rollback: true } : d;
  }

  private async deploymentTarget(target: DeployTarget, id: string, info: DeploymentInfo) {
    if (info.status === 'Created' || info.status === 'Queued') return undefined;
    const { codedeploy } = this.clients(target);
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

  private async ecsDeployment(
    target: DeployTarget,
    d: ServiceDeployment,
    engine: DeploymentEngine,
    known: { version?: string; previousVersion?: string; requestedBy?: string } = {},
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
        : await this.told(target, await this.revisionTaskDefinition(target, d.targetServiceRevision?.arn));
    return this.deployment(target, d.serviceDeploymentArn as string, engine, progress, {
      version: known.version ?? told.version ?? '?',
      previousVersion: known.previousVersion ?? told.previousVersion ?? '?',
      requestedBy: known.requestedBy ?? told.requestedBy ?? '',
    });
  }

  /** The task definition of an ECS service revision (`DescribeServiceRevisions`). */
  private async revisionTaskDefinition(target: DeployTarget, arn: string | undefined): Promise<string | undefined> {
    if (arn === undefined) return undefined;
    const { ecs } = this.clients(target);
    const described = await call(
      () => ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [arn] })),
      'ecs:DescribeServiceRevisions',
      target,
    ).catch(() => undefined);
    return described?.serviceRevisions?.[0]?.taskDefinition;
  }

  /**
   * What a revision opsbot registered says of itself (its tags), or its image's tag for one registered elsewhere.
   * Revisions never change, so each is read once.
   */
  private told(target: DeployTarget, taskDefinitionArn: string | undefined): Promise<Told> {
    if (taskDefinitionArn === undefined) return Promise.resolve({});
    let found = this.revisions.get(taskDefinitionArn);
    if (found === undefined) {
      const { ecs } = this.clients(target);
      found = call(
        () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn, include: ['TAGS'] })),
        'ecs:DescribeTaskDefinition',
        target,
      )
        .then((task): Told => {
          const tag = (key: string) => task.tags?.find((t) => t.key === key)?.value;
          const image = task.taskDefinition?.containerDefinitions?.find((c) => c.name === target.container)?.image;
          const version = tag(VERSION_TAG) ?? (image !== undefined ? parseImage(image).version : undefined);
          const previousVersion = tag(PREVIOUS_VERSION_TAG);
          const requestedBy = tag(REQUESTED_BY_TAG);
          return {
            ...(version !== undefined && { version }),
            ...(previousVersion !== undefined && { previousVersion }),
            ...(requestedBy !== undefined && { requestedBy }),
          };
        })
        .catch((): Told => {
          // Not remembered: the next read asks again.
          this.revisions.delete(taskDefinitionArn);
          return {};
        });
      this.revisions.set(taskDefinitionArn, found);
    }
    return found;
  }

  /**
   * Why the new revision's tasks stopped, when they failed to start or their essential container exited (not the
   * old tasks ECS drained).
   */
  private async stoppedReason(
    target: DeployTarget,
    taskDefinitionArn: string,
  ): Promise<{ code: string; message: string } | undefined> {
    const { ecs } = this.clients(target);
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

  private deployment(
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
      startedAt: p.startedAt ?? this.now(),
      engine,
      ...(p.endedAt !== undefined && { endedAt: p.endedAt }),
      ...(p.tasks !== undefined && { tasks: p.tasks }),
      ...(p.error !== undefined && { error: p.error, reason: `${p.error.code}: ${p.error.message}` }),
      ...(p.rollbackDeploymentId !== undefined && { rollbackDeploymentId: p.rollbackDeploymentId }),
      ...(p.gate !== undefined && { gate: p.gate }),
    };
  }

  /** The service's deployments ECS lists for `filter` (their ARNs). */
  private async listEcs(target: DeployTarget, filter: EcsListFilter): Promise<string[]> {
    const { ecs } = this.clients(target);
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
  private async listedEcs(target: DeployTarget, filter: EcsListFilter): Promise<ServiceDeployment[]> {
    const arns = await this.listEcs(target, filter);
    return arns.length === 0 ? [] : this.describeEcs(target, arns);
  }

  private async describeEcs(target: DeployTarget, arns: readonly string[]): Promise<ServiceDeployment[]> {
    const { ecs } = this.clients(target);
    const described = await call(
      () => ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [...arns] })),
      'ecs:DescribeServiceDeployments',
      target,
    );
    return described.serviceDeployments ?? [];
  }

  /** ECS's engine overrides a running deployment with a new one: opsbot refuses instead, as CodeDeploy does. */
  private async refuseIfDeploying(target: DeployTarget): Promise<void> {
    if ((await this.listEcs(target, { status: [...ECS_ACTIVE] })).length > 0) throw deploymentInProgress(target);
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
      if (attempt > 0) await this.sleep(LIST_WAIT_MS);
      // ECS's clock and ours differ a little.
      for (const d of await this.listedEcs(target, { createdAt: { after: new Date(since - 60_000) } })) {
        if ((await this.revisionTaskDefinition(target, d.targetServiceRevision?.arn)) === taskDefinitionArn) return d;
      }
    }
    return undefined;
  }
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

function engineOfStrategy(strategy: string | undefined): DeploymentEngine {
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

/** The container's image in a task definition. */
function containerImage(task: TaskDefinition, target: DeployTarget): string {
  const container = task.containerDefinitions?.find((c) => c.name === target.container);
  if (container?.image === undefined) {
    throw new OpsbotError(
      'UNKNOWN_CONTAINER',
      `The task definition ${familyRevision(task)} has no container named ${target.container} (it has ${
        (task.containerDefinitions ?? []).map((c) => c.name).join(', ') || 'none'
      }).`,
      `Set \`container\` under services.${target.service}.environments.${target.environment} to the container that runs the image.`,
    );
  }
  return container.image;
}

function familyRevision(task: TaskDefinition): string {
  return `${task.family ?? '?'}:${task.revision ?? '?'}`;
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

/** A second deploy while one runs, refused alike on both engines. */
function deploymentInProgress(target: DeployTarget, cause?: unknown): OpsbotError {
  return new OpsbotError(
    'DEPLOYMENT_IN_PROGRESS',
    `${target.service} already has a deployment in progress in ${target.environment}, so nothing new was started.`,
    'Wait for it to finish, or roll it back.',
    cause !== undefined ? { cause } : undefined,
  );
}

/** A deployment ECS has been asked for and not yet listed: in progress, starting, nothing on green. */
function unlistedProgress(startedAt: number): Progress {
  return { status: 'InProgress', step: 'Created', trafficOnGreen: 0, startedAt };
}

function unknownDeployment(id: string): OpsbotError {
  return new OpsbotError('UNKNOWN_DEPLOYMENT', `There is no deployment ${id}.`);
}

/** One AWS call, throttling retried, its errors turned into answers a person can act on. */
/** Reads, which are retried when AWS has a bad minute; the rest change something and are retried only throttled. */
const READ = /^[a-z]+:(Describe|Get|List|BatchGet)/;

async function call<T>(fn: () => Promise<T>, action: string, target: DeployTarget): Promise<T> {
  try {
    return await (READ.test(action) ? retryRead(fn) : retryThrottled(fn));
  } catch (error) {
    throw translate(error, action, target);
  }
}

function translate(error: unknown, action: string, target: DeployTarget): unknown {
  const e = awsError(error);
  if (e === undefined) return error;
  const where = `${target.service} in ${target.environment} (account ${target.account.name}, ${target.region})`;
  const message = (error as Error).message ?? '';
  if (e.name === 'DeploymentGroupDoesNotExistException' || e.name === 'ApplicationDoesNotExistException') {
    return new OpsbotError(
      'DEPLOYMENT_GROUP_NOT_FOUND',
      `CodeDeploy has no deployment group ${target.codedeploy?.deploymentGroup ?? '?'} in application ${target.codedeploy?.application ?? '?'} for ${where}.`,
      `Check \`codedeploy\` under services.${target.service}.environments.${target.environment} in opsbot.config.yaml.`,
      { cause: error },
    );
  }
  if (
    e.name === 'DeploymentAlreadyCompletedException' ||
    (action === 'ecs:StopServiceDeployment' && e.name === 'ConflictException')
  ) {
    return new OpsbotError(
      'DEPLOYMENT_ENDED',
      `That deployment of ${where} has already ended; nothing was stopped.`,
      'Roll back with `/deploy rollback` if the version it deployed should go.',
      { cause: error },
    );
  }
  if (e.name === 'DeploymentDoesNotExistException') {
    // Gone from CodeDeploy (its application deleted, or another account): the run that watches it ends.
    return new OpsbotError('UNKNOWN_DEPLOYMENT', `CodeDeploy does not know that deployment of ${where}.`, undefined, {
      cause: error,
    });
  }
  if (e.name === 'DeploymentLimitExceededException' || e.name === 'DeploymentAlreadyStartedException') {
    return deploymentInProgress(target, error);
  }
  if (e.name === 'ClusterNotFoundException' || e.name === 'ServiceNotFoundException') {
    return new OpsbotError(
      'UNKNOWN_SERVICE',
      `There is no ECS service ${target.ecsService} in cluster ${target.cluster} for ${where}.`,
      `Check \`services.${target.service}.environments.${target.environment}\` in opsbot.config.yaml.`,
      { cause: error },
    );
  }
  if (e.name === 'AccessDeniedException' || e.name === 'AccessDenied' || e.status === 403) {
    const passRole = /iam:PassRole/.exec(message) !== null;
    const role = /(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+)/.exec(message)?.[1];
    if (passRole) {
      return new OpsbotError(
        'ACCESS_DENIED',
        `opsbot may not pass ${role ?? 'the task definition’s roles'} to ECS (iam:PassRole), so the new revision of ${where} was not registered.`,
        'Allow iam:PassRole on that role, with iam:PassedToService ecs-tasks.amazonaws.com, for opsbot’s role (OpsbotAccessStack grants it for the configured roles).',
        { cause: error },
      );
    }
    return new OpsbotError(
      'ACCESS_DENIED',
      `opsbot is not allowed to call ${action} for ${where}.`,
      `Ask whoever runs opsbot to allow ${action} for opsbot's role there (the stacks grant it for the configured services).`,
      { cause: error },
    );
  }
  if (e.throttled) {
    return new OpsbotError('THROTTLED', 'AWS is throttling requests right now.', 'Try again in a minute.', {
      cause: error,
    });
  }
  return error;
}
