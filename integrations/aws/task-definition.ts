import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { OpsbotError } from '../errors';

/**
 * Every field `RegisterTaskDefinition` accepts, each copied from the running revision. Typed against the SDK's input:
 * when AWS adds a field, this list stops compiling until it says whether to copy it, so a new revision never
 * silently loses a setting.
 */
const ACCEPTED: Record<keyof RegisterTaskDefinitionCommandInput, boolean> = {
  family: true,
  taskRoleArn: true,
  executionRoleArn: true,
  networkMode: true,
  containerDefinitions: true,
  volumes: true,
  placementConstraints: true,
  requiresCompatibilities: true,
  cpu: true,
  memory: true,
  // Read separately (DescribeTaskDefinition with `include: ['TAGS']`) and passed on below.
  tags: false,
  pidMode: true,
  ipcMode: true,
  proxyConfiguration: true,
  inferenceAccelerators: true,
  ephemeralStorage: true,
  runtimePlatform: true,
  enableFaultInjection: true,
};

/**
 * The next revision of a task definition: the running one with only `container`'s image changed. What
 * DescribeTaskDefinition adds and RegisterTaskDefinition refuses (`taskDefinitionArn`, `revision`, `status`,
 * `requiresAttributes`, `compatibilities`, `registeredAt`, `registeredBy`, `deregisteredAt`) is left out.
 */
export function nextRevision(
  current: TaskDefinition,
  tags: readonly Tag[] | undefined,
  container: string,
  image: string,
): RegisterTaskDefinitionCommandInput {
  const containers = current.containerDefinitions ?? [];
  if (!containers.some((c) => c.name === container)) {
    throw new OpsbotError(
      'UNKNOWN_CONTAINER',
      `The task definition ${current.family ?? '?'}:${current.revision ?? '?'} has no container named ${container} (it has ${
        containers.map((c) => c.name).join(', ') || 'none'
      }).`,
      'Set `container` for this service and environment in opsbot.config.yaml to the container that runs the image.',
    );
  }
  const input: Record<string, unknown> = {};
  for (const [field, copy] of Object.entries(ACCEPTED)) {
    const value = (current as Record<string, unknown>)[field];
    if (copy && value !== undefined) input[field] = value;
  }
  input.containerDefinitions = containers.map((c) => (c.name === container ? { ...c, image } : c));
  if (tags !== undefined && tags.length > 0) input.tags = [...tags];
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

/** The most tags ECS keeps on a resource (tags whose key starts with `aws:` are AWS's own and do not count). */
export const ECS_TAG_LIMIT = 50;

/**
 * The tags of a new revision: the running revision's, then opsbot's own (replacing any of the same key), without the
 * ones RegisterTaskDefinition refuses, and within ECS's limit; and the keys of the running revision's tags left out.
 * Keys starting with `aws:` (in any case) are reserved for AWS (CloudFormation tags what it creates with them) and
 * cannot be set; past the limit, the running revision's last tags give way to opsbot's.
 */
export function revisionTags(
  running: readonly Tag[] | undefined,
  opsbot: readonly Tag[],
): { readonly tags: Tag[]; readonly leftOut: string[] } {
  const ours = new Set(opsbot.map((t) => t.key));
  const candidates = (running ?? []).filter((t) => !ours.has(t.key));
  const reserved = candidates.filter((t) => /^aws:/i.test(t.key ?? ''));
  const theirs = candidates.filter((t) => !/^aws:/i.test(t.key ?? ''));
  const room = Math.max(0, ECS_TAG_LIMIT - opsbot.length);
  return {
    tags: [...theirs.slice(0, room), ...opsbot],
    leftOut: [...reserved, ...theirs.slice(room)].map((t) => t.key ?? ''),
  };
}

/** An image reference in a repository: `repo:tag`, or `repo@sha256:…` for a digest. */
export function imageReference(repositoryUri: string, version: string): string {
  return version.startsWith('sha256:') ? `${repositoryUri}@${version}` : `${repositoryUri}:${version}`;
}

/**
 * The repository and the tag or digest of an image reference (`111….dkr.ecr.eu-west-1.amazonaws.com/web:v1.8.2`,
 * `…/web@sha256:…`, `…/web:v1.8.2@sha256:…`, `localhost:5000/web`).
 */
export function parseImage(image: string): { readonly repositoryUri: string; readonly version?: string } {
  const at = image.indexOf('@');
  if (at >= 0) {
    // `repo:tag@sha256:…` is pinned by its digest: the tag is only a label.
    const named = image.slice(0, at);
    const tagAt = named.lastIndexOf(':');
    return {
      repositoryUri: tagAt > named.lastIndexOf('/') ? named.slice(0, tagAt) : named,
      version: image.slice(at + 1),
    };
  }
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return { repositoryUri: image.slice(0, colon), version: image.slice(colon + 1) };
  return { repositoryUri: image };
}

/** The ECR repository name of a repository URI, when it is an ECR one (`…amazonaws.com/team/web` → `team/web`). */
export function ecrRepositoryName(repositoryUri: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(repositoryUri);
  return match?.[3];
}
