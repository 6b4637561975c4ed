import type { App } from '@slack/bolt';
import type { Actor } from '../../intents/define-intent';
import type { PendingRequest } from '../conversation';
import type { EdgeDeps } from '../edge-deps';
import { conversationKey, messageKey, type ReplyTo } from '../jobs';

interface IncomingMessage {
  readonly text: string;
  readonly user: string;
  readonly team?: string;
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
}

/**
 * Mentions, direct messages, and replies in a thread where opsbot is waiting for an answer. Each is understood
 * by the worker (Lex in production), so the listener only checks and hands the text over.
 */
export function registerMessages(app: App, deps: EdgeDeps): void {
  app.event('app_mention', async ({ event, body }) => {
    if (event.bot_id !== undefined || event.user === undefined) return;
    const threadTs = event.thread_ts ?? event.ts;
    await handOver(
      deps,
      {
        text: typeof event.text === 'string' ? event.text : '',
        user: event.user,
        team: body.team_id,
        channel: event.channel,
        ts: event.ts,
        threadTs,
      },
      { channel: event.channel, threadTs, threadExists: event.thread_ts !== undefined },
    );
  });

  app.message(async ({ message, body }) => {
    // Edits, joins, bot posts (our own included) and other subtypes are not requests.
    if (message.subtype !== undefined || ('bot_id' in message && message.bot_id !== undefined)) return;
    if (!('user' in message) || message.user === undefined || typeof message.text !== 'string') return;
    const incoming: IncomingMessage = {
      text: message.text,
      user: message.user,
      team: body.team_id,
      channel: message.channel,
      ts: message.ts,
      ...(message.thread_ts !== undefined && { threadTs: message.thread_ts }),
    };
    // Older deliveries of a DM carry no channel_type; a DM's channel id starts with D.
    if (message.channel_type === 'im' || (message.channel_type === undefined && message.channel.startsWith('D'))) {
      await handOver(deps, incoming, {
        channel: message.channel,
        ...(incoming.threadTs !== undefined && { threadTs: incoming.threadTs, threadExists: true }),
      });
      return;
    }
    // In channels, only a reply in a thread where opsbot asked this person something (mentions arrive as app_mention).
    if (incoming.threadTs === undefined || incoming.text.includes(`<@${deps.botUserId}>`)) return;
    const pending = await deps.store.get<PendingRequest>(
      conversationKey(incoming.team, incoming.channel, incoming.threadTs),
    );
    if (pending === undefined || pending.userId !== incoming.user) return;
    await handOver(deps, incoming, { channel: incoming.channel, threadTs: incoming.threadTs, threadExists: true });
  });
}

/**
 * Hands the message to the worker. The acknowledgement writes nothing: a mention in a DM arrives as both
 * app_mention and message.im, and the worker takes the message once (`InterpretJob.message`).
 */
async function handOver(deps: EdgeDeps, message: IncomingMessage, replyTo: ReplyTo): Promise<void> {
  const actor: Actor = {
    userId: message.user,
    channelId: message.channel,
    ...(message.team !== undefined && { teamId: message.team }),
  };
  await deps.jobs.send({
    kind: 'interpret',
    text: message.text,
    actor,
    replyTo: { ...replyTo, ...(message.team !== undefined && { team: message.team }) },
    conversationKey: conversationKey(message.team, message.channel, replyTo.threadTs),
    message: messageKey(message.channel, message.ts),
  });
}
