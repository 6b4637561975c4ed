import type { Chat } from '../../integrations/chat.port';
import type { Log } from '../../integrations/log.port';
import type { Announcer, ChannelRole } from '../../intents/define-reaction';
import type { Reply } from '../../intents/reply';
import type { IssuedButtons } from '../cards';
import type { ReplyTo } from '../jobs';

/**
 * Sends a reply where the request came from, as private as it is meant to be: through the response_url of a command
 * or button (ephemeral or in the channel, in the conversation's thread), or in the conversation — publicly, or with
 * `chat.postEphemeral` to the person alone when the reply is private (in a DM, where nobody else reads, a normal
 * post, which stays in the history). A reply that replaces its request's message (a "Working on…" notice, an answered
 * card) edits it in place when both are equally public; a public answer to a private card removes the card and is
 * posted to the channel; a private answer to a public card leaves the card and goes to the person alone.
 */
export async function answer(
  to: ReplyTo,
  userId: string,
  reply: Reply,
  { chat, buttons }: { readonly chat: Chat; readonly buttons: IssuedButtons },
): Promise<void> {
  const pages = await buttons.render(reply, { ...(to.threadTs !== undefined && { threadTs: to.threadTs }) });
  const visibility = reply.visibility ?? 'private';
  if (to.responseUrl !== undefined) {
    const originalPrivate = to.originalPrivate ?? true;
    const replaceInPlace = to.replaceOriginal === true && originalPrivate === (visibility === 'private');
    if (to.replaceOriginal === true && originalPrivate && visibility === 'channel')
      await chat.deleteOriginal(to.responseUrl);
    for (const [i, message] of pages.entries()) {
      await chat.respond(to.responseUrl, {
        ...message,
        visibility,
        // Only the first page replaces the message; the rest follow it.
        ...(replaceInPlace && i === 0 && { replaceOriginal: true }),
        ...(!replaceInPlace && visibility === 'channel' && to.threadTs !== undefined && { threadTs: to.threadTs }),
      });
    }
    return;
  }
  const direct = to.channel.startsWith('D');
  for (const message of pages) {
    if (visibility === 'private' && !direct) {
      // Slack shows an ephemeral message in a thread only once the thread exists; otherwise it goes beside it.
      const threadTs = to.threadExists === true ? to.threadTs : undefined;
      await chat.postEphemeral({ channel: to.channel, ...(threadTs !== undefined && { threadTs }) }, userId, message);
    } else {
      await chat.post({ channel: to.channel, ...(to.threadTs !== undefined && { threadTs: to.threadTs }) }, message);
    }
  }
}

/** Reactions' posts, rendered, to the configured channels. */
export function slackAnnouncer(
  chat: Chat,
  buttons: IssuedButtons,
  channels: Partial<Record<ChannelRole, string>>,
  log: Pick<Log, 'warn'>,
): Announcer {
  return {
    async post(to, reply) {
      const target =
        'thread' in to
          ? { channel: to.thread.channel, threadTs: to.thread.ts }
          : channels[to.channel] !== undefined
            ? { channel: channels[to.channel] as string }
            : undefined;
      if (target === undefined) {
        if ('channel' in to) {
          log.warn('announce.no_channel', {
            role: to.channel,
            hint: `set slack.channels.${to.channel} in opsbot.config.yaml`,
          });
        }
        return undefined;
      }
      let first: string | undefined;
      for (const message of await buttons.render(reply)) {
        const ts = await chat.post(target, message);
        first ??= ts;
      }
      return { channel: target.channel, ts: first as string };
    },
    async update(message, reply) {
      const [page] = await buttons.render(reply);
      if (page !== undefined) await chat.update(message.channel, message.ts, page);
    },
  };
}
