import { OpsbotError } from '../../errors';
import { awsError, retryRead, retryThrottled } from '../aws-calls';
import type { DeployTarget } from './target';

/** Reads, which are retried when AWS has a bad minute; the rest change something and are retried only throttled. */
const READ = /^[a-z]+:(Describe|Get|List|BatchGet)/;

/** One AWS call, throttling retried, its errors turned into answers a person can act on. */
export async function call<T>(fn: () => Promise<T>, action: string, target: DeployTarget): Promise<T> {
  try {
    return await (READ.test(action) ? retryRead(fn) : retryThrottled(fn));
  } catch (error) {
    throw translate(error, action, target);
  }
}

/** A second deploy while one runs, refused alike on both engines. */
export function deploymentInProgress(target: DeployTarget, cause?: unknown): OpsbotError {
  return new OpsbotError(
    'DEPLOYMENT_IN_PROGRESS',
    `${target.service} already has a deployment in progress in ${target.environment}, so nothing new was started.`,
    'Wait for it to finish, or roll it back.',
    cause !== undefined ? { cause } : undefined,
  );
}

export function unknownDeployment(id: string): OpsbotError {
  return new OpsbotError('UNKNOWN_DEPLOYMENT', `There is no deployment ${id}.`);
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
