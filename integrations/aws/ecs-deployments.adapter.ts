import type {
  Deployment,
  Deployments,
  Gate,
  ServiceRevision,
  StartDeployment,
  StopDeployment,
} from '../deployments.port';
import { ecsStopsOnlyByRollingBack, OpsbotError, unknownTarget } from '../errors';
import { notListedYet, parseUnlisted } from '../unlisted-deployment';
import { mapLimit } from './aws-calls';
import { appSpec, CodeDeployEngine } from './deployments/codedeploy-engine';
import { EcsEngine } from './deployments/ecs-engine';
import type { EngineContext } from './deployments/engine';
import {
  containerImage,
  familyRevision,
  PREVIOUS_VERSION_TAG,
  REQUESTED_BY_TAG,
  Revisions,
  registerRevision,
  tagsLeftOut,
  VERSION_TAG,
  versionOf,
} from './deployments/revisions';
import { runningService } from './deployments/service';
import type { AppSpecHook, DeployTarget, TargetClients } from './deployments/target';

export type { AppSpecHook, DeployTarget, TargetClients };
export { appSpec, PREVIOUS_VERSION_TAG, REQUESTED_BY_TAG, VERSION_TAG };

/**
 * ECS deployments against AWS, through whichever engine the service uses, as ECS says of the service: CodeDeploy
 * (`CODE_DEPLOY` controller, deployments/codedeploy-engine.ts) or ECS itself (`ECS` controller with a blue/green,
 * linear, canary or rolling strategy, deployments/ecs-engine.ts). Both deploy a new task definition revision
 * registered alike (deployments/revisions.ts). Each target is reached through its own account's and region's
 * clients, from the one client factory.
 */
export class AwsDeployments implements Deployments {
  private readonly context: EngineContext;
  private readonly codedeploy: CodeDeployEngine;
  private readonly ecs: EcsEngine;

  constructor(
    private readonly targets: readonly DeployTarget[],
    private readonly clients: (target: DeployTarget) => TargetClients,
    now: () => number = () => Date.now(),
    sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    // One memory of what revisions say of themselves, for both engines (revisions never change).
    this.context = { clients, now, sleep, revisions: new Revisions(clients) };
    this.codedeploy = new CodeDeployEngine(this.context);
    this.ecs = new EcsEngine(this.context);
  }

  async current(service: string, environment: string): Promise<ServiceRevision> {
    const target = this.target(service, environment);
    const running = await runningService(this.clients(target).ecs, target);
    const image = containerImage(running.taskDefinition, target);
    // What a deploy's new revision could not keep of the running one's tags (its Confirm card says so).
    const leftOut = tagsLeftOut(running);
    // Since when it runs: CodeDeploy's primary task set, or ECS's primary deployment, began then.
    const since =
      running.service.taskSets?.find((s) => s.status === 'PRIMARY')?.createdAt ??
      running.service.deployments?.find((d) => d.status === 'PRIMARY')?.createdAt;
    return {
      service,
      environment,
      taskDefinition: familyRevision(running.taskDefinition),
      image,
      version: versionOf(image, running.tags),
      ...(since !== undefined && { since: since.getTime() }),
      engine: running.engine,
      ...(running.service.desiredCount !== undefined && {
        tasks: {
          running: running.service.runningCount ?? 0,
          pending: running.service.pendingCount ?? 0,
          desired: running.service.desiredCount,
        },
      }),
      ...(leftOut.length > 0 && { tagsLeftOut: leftOut }),
    };
  }

  async start(request: StartDeployment): Promise<Deployment> {
    const target = this.target(request.service, request.environment);
    const { ecs } = this.clients(target);
    const running = await runningService(ecs, target);
    // CodeDeploy refuses a second deployment itself; ECS would override the running one, so opsbot asks first.
    if (running.engine !== 'codedeploy') await this.ecs.refuseIfDeploying(target);
    const { revisionArn, who } = await registerRevision(ecs, target, running, request);
    return running.engine === 'codedeploy'
      ? this.codedeploy.start(target, running.service, revisionArn, request, who)
      : this.ecs.start(target, running.engine, revisionArn, who);
  }

  async get(service: string, environment: string, id: string): Promise<Deployment> {
    const target = this.target(service, environment);
    return isEcsId(id) ? this.ecs.get(target, id) : this.codedeploy.get(target, id);
  }

  async stop(service: string, environment: string, id: string, options: StopDeployment): Promise<Deployment> {
    const target = this.target(service, environment);
    if (parseUnlisted(id) !== undefined) throw notListedYet(service, environment);
    if (isEcsId(id)) {
      if (!options.rollback) throw ecsStopsOnlyByRollingBack(service, environment);
      await this.ecs.rollBack(target, id);
    } else {
      await this.codedeploy.stop(target, id, options.rollback);
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
    if (parseUnlisted(id) !== undefined) throw notListedYet(service, environment);
    if (gate.kind === 'ecs-pause-hook') await this.ecs.proceed(target, id, gate.id, action);
    else await this.codedeploy.proceed(target, id, action);
  }

  async history(service: string, environment: string, limit = 10): Promise<Deployment[]> {
    const target = this.target(service, environment);
    const running = await runningService(this.clients(target).ecs, target);
    return running.engine === 'codedeploy'
      ? this.codedeploy.history(target, limit)
      : this.ecs.history(target, running.engine, limit);
  }

  async active(): Promise<Deployment[]> {
    // A target without a cluster is not deployable on AWS: the stacks grant nothing on its ECS service or CodeDeploy
    // group, so asking would only be refused.
    const deployable = this.targets.filter((t) => t.cluster !== '');
    const found = await mapLimit(deployable, 8, async (target) => {
      try {
        return await (target.codedeploy !== undefined ? this.codedeploy.active(target) : this.ecs.active(target));
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
}

/** ECS names its deployments by ARN (or, until it lists one, by an id naming the new revision); CodeDeploy, `d-…`. */
function isEcsId(id: string): boolean {
  return parseUnlisted(id) !== undefined || id.startsWith('arn:');
}
