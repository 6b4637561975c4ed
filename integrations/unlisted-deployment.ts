import { OpsbotError } from './errors';

/**
 * The id of an ECS deployment opsbot started but ECS has not listed yet: when it started and the new revision, from
 * which the deployment is found once ECS lists it. The AWS adapter and the sandbox twin name it alike.
 */
const UNLISTED = 'ecs-unlisted:';

export function unlistedId(startedAt: number, revisionArn: string): string {
  return `${UNLISTED}${startedAt}:${revisionArn}`;
}

export function parseUnlisted(id: string): { startedAt: number; revisionArn: string } | undefined {
  if (!id.startsWith(UNLISTED)) return undefined;
  const rest = id.slice(UNLISTED.length);
  const colon = rest.indexOf(':');
  const startedAt = Number(rest.slice(0, colon));
  return colon > 0 && Number.isFinite(startedAt) ? { startedAt, revisionArn: rest.slice(colon + 1) } : undefined;
}

export function notListedYet(service: string, environment: string): OpsbotError {
  return new OpsbotError(
    'DEPLOYMENT_NOT_LISTED',
    `ECS is deploying ${service} in ${environment} but has not listed the deployment yet, so it cannot be stopped or answered yet.`,
    'Try again in a minute; opsbot is watching it.',
  );
}
