import type { PostedMessage } from '../../define-intent';
import { code, link, type Reply, type Run, strong } from '../../reply';
import type { DeployRun } from './record';

/** A link to a posted message (Slack redirects it to the workspace). */
export function messageLink(message: PostedMessage, label: string): Run {
  return link(`https://slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`, label);
}

/** "09:02 UTC". */
export function clockTime(at: number): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}

/** "4 min", "1 h 5 min", "40 s". */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The answer to Confirm replaces the confirmation card, which the channel saw. */
export function inChannel(reply: Reply): Reply {
  return { ...reply, visibility: 'channel' };
}

/** "deploy of web v1.8.2 to prod", "rollback of web to v1.7.0 in prod". */
export function describeRun(
  run: Pick<DeployRun, 'kind' | 'service' | 'environment' | 'version'> & Pick<Partial<DeployRun>, 'promotedFrom'>,
): Run[] {
  if (run.kind === 'rollback')
    return ['the rollback of ', strong(run.service), ' in ', strong(run.environment), ' to ', code(run.version)];
  return run.promotedFrom !== undefined
    ? [
        'the promotion of ',
        strong(run.service),
        ' ',
        code(run.version),
        ' from ',
        strong(run.promotedFrom),
        ' to ',
        strong(run.environment),
      ]
    : ['the deploy of ', strong(run.service), ' ', code(run.version), ' to ', strong(run.environment)];
}
