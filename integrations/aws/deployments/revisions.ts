import {
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { StartDeployment } from '../../deployments.port';
import { OpsbotError } from '../../errors';
import { imageReference, nextRevision, parseImage, revisionTags } from '../task-definition';
import { call } from './errors';
import type { RunningService } from './service';
import type { DeployTarget, TargetClients } from './target';

/*
 * The task definition revisions a deploy registers, whichever engine then deploys them: the new revision with the
 * image (pinned by digest when the Confirm card showed one), and the tags that let history say what each revision is.
 * The image and tag rules themselves are in ../task-definition.ts, which the ECR adapter shares.
 */

/** Tags opsbot puts on the revisions it registers, so history can say who asked for what. */
export const REQUESTED_BY_TAG = 'opsbot:requested-by';
export const VERSION_TAG = 'opsbot:version';
export const PREVIOUS_VERSION_TAG = 'opsbot:previous-version';

/** What a deployment's revision says of itself: the version, what it replaced, who asked. */
export interface Told {
  version?: string;
  previousVersion?: string;
  requestedBy?: string;
}

/**
 * The version a revision runs, as people name it: the image's tag, or for an image opsbot pinned by digest the tag
 * it was asked for (its `opsbot:version` tag); the digest itself when neither says more.
 */
export function versionOf(image: string, tags: readonly { key?: string; value?: string }[] | undefined): string {
  const named = parseImage(image).version;
  const asked = tags?.find((t) => t.key === VERSION_TAG)?.value;
  if (named?.startsWith('sha256:') === true && asked !== undefined && asked !== '') return asked;
  return named ?? 'latest';
}

/** The running revision's tags a new revision could not keep (the Confirm card says so). */
export function tagsLeftOut(running: RunningService): string[] {
  return revisionTags(
    running.tags,
    [REQUESTED_BY_TAG, VERSION_TAG, PREVIOUS_VERSION_TAG].map((key) => ({ key, value: '' })),
  ).leftOut;
}

/**
 * Registers the revision a deploy runs: the running one with the container's image changed and opsbot's tags added.
 * Answers its ARN and who the deployment is for.
 */
export async function registerRevision(
  ecs: ECSClient,
  target: DeployTarget,
  running: RunningService,
  request: StartDeployment,
): Promise<{ revisionArn: string; who: Required<Told> }> {
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
  return {
    revisionArn: registered.taskDefinition?.taskDefinitionArn as string,
    who: { version: request.version, previousVersion, requestedBy: request.requestedBy },
  };
}

/**
 * What the revisions deployments run say of themselves (their tags), or their image's tag for one registered
 * elsewhere. Revisions never change, so each is read once.
 */
export class Revisions {
  private readonly told = new Map<string, Promise<Told>>();

  constructor(private readonly clients: (target: DeployTarget) => TargetClients) {}

  of(target: DeployTarget, taskDefinitionArn: string | undefined): Promise<Told> {
    if (taskDefinitionArn === undefined) return Promise.resolve({});
    let found = this.told.get(taskDefinitionArn);
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
          this.told.delete(taskDefinitionArn);
          return {};
        });
      this.told.set(taskDefinitionArn, found);
    }
    return found;
  }
}

/** The container's image in a task definition. */
export function containerImage(task: TaskDefinition, target: DeployTarget): string {
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

export function familyRevision(task: TaskDefinition): string {
  return `${task.family ?? '?'}:${task.revision ?? '?'}`;
}
