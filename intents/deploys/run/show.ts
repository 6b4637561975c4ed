import { createHash } from 'node:crypto';
import type { Deployment } from '../../../integrations/deployments.port';
import type { IntentPorts, PostedMessage } from '../../define-intent';
import type { Reply } from '../../reply';
import { approvalCard, liveReply } from './message';
import type { DeployRun } from './record';

/** The message is updated at most this often (the end is always shown at once). */
export const UPDATE_EVERY_MS = 10_000;

/** The message goes to the channel it was asked from, and to the deploys channel when that is another. */
export async function postMessages(run: DeployRun, reply: Reply, ports: IntentPorts): Promise<PostedMessage[]> {
  const channels = [run.actor.channelId, ports.announcer.channels.deploys].filter(
    (c, i, all): c is string => c !== undefined && c !== '' && all.indexOf(c) === i,
  );
  const posted: PostedMessage[] = [];
  for (const channel of channels) {
    const message = await ports.announcer.post({ channelId: channel }, reply, { key: `deploy:${run.id}:${channel}` });
    if (message !== undefined) posted.push(message);
  }
  return posted;
}

/** Updates the message when what it shows changed: at most every 10 s, unless forced (the end). */
export async function show(
  run: DeployRun,
  d: Deployment | undefined,
  ports: IntentPorts,
  force: boolean,
): Promise<void> {
  const now = ports.clock.now();
  const reply = run.state === 'awaiting-approval' ? approvalCard(run, ports) : liveReply(run, d, now);
  const shown = digest(reply);
  if (shown === run.shown) return;
  if (!force && run.shownAt !== undefined && now - run.shownAt < UPDATE_EVERY_MS) return;
  const messages: PostedMessage[] = [];
  for (const message of run.messages) {
    try {
      await ports.announcer.update(message, reply);
      messages.push(message);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'MESSAGE_GONE') throw error;
      // Someone deleted the deploy's message: it is posted again in its channel (the deploy, its alarms and its lock go
      // on either way); one that cannot be posted again is dropped.
      ports.log.warn('deploy.message_gone', { runId: run.id, channel: message.channel });
      // Keyed, so a post whose answer Slack lost is not made twice at the next poll.
      const again = await ports.announcer
        .post({ channelId: message.channel }, reply, { key: `deploy:${run.id}:${message.channel}:after:${message.ts}` })
        .catch(() => undefined);
      if (again !== undefined) messages.push(again);
    }
  }
  run.messages = messages;
  run.shown = shown;
  run.shownAt = now;
}

export function digest(reply: Reply): string {
  return createHash('sha256').update(JSON.stringify(reply)).digest('base64url');
}
