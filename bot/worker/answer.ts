import type { Chat, ChatMessage, PostTarget } from '../../integrations/chat.port';
import { claimKey } from '../../integrations/claims';
import type { Log } from '../../integrations/log.port';
import type { Store } from '../../integrations/store.port';
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
  deps: { readonly chat: Chat; readonly buttons: IssuedButtons },
): Promise<void> {
  try {
    await answerOnce(to, userId, reply, deps);
  } catch (error) {
    // A chart Slack will not show costs only the chart: the answer goes without it, its figures in its text.
    if (reply.chart === undefined || !refusedBlocks(error)) throw error;
    await answerOnce(to, userId, withoutChart(reply), deps);
  }
}

async function answerOnce(
  to: ReplyTo,
  userId: string,
  reply: Reply,
  { chat, buttons }: { readonly chat: Chat; readonly buttons: IssuedButtons },
): Promise<void> {
  const pages = await buttons.render(reply, {
    channel: to.channel,
    ...(to.team !== undefined && { team: to.team }),
    ...(to.threadTs !== undefined && { threadTs: to.threadTs }),
  });
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
/** A keyed post's progress: started (`since`, in Slack's seconds) and, once Slack answered, its `ts`. */
interface PostMarker {
  readonly since: number;
  readonly ts?: string;
}

/** Keyed posts are remembered a week: longer than any redelivery. */
const POST_MARKER_TTL_SECONDS = 7 * 24 * 60 * 60;

/** `posted:<key>`, long keys hashed as claims' are. */
function postMarkerKey(key: string): string {
  return `posted:${claimKey(key).slice('claim:'.length)}`;
}

export function slackAnnouncer(
  chat: Chat,
  buttons: IssuedButtons,
  channels: Partial<Record<ChannelRole, string>>,
  log: Pick<Log, 'warn'>,
  store: Store,
): Announcer {
  /** A keyed post, once: remembered in the Store before and after it is sent, and looked for in Slack in between. */
  async function postOnce(key: string, target: PostTarget, message: ChatMessage): Promise<string> {
    const marker = postMarkerKey(key);
    const sent = await store.get<PostMarker>(marker);
    if (sent?.ts !== undefined) return sent.ts;
    const since = sent?.since ?? Date.now() / 1000 - 60;
    if (sent !== undefined) {
      // An earlier attempt started and did not finish: its post may be in Slack.
      const found = await chat.findPosted(target, key, since);
      if (found !== undefined) {
        await store.put(marker, { since, ts: found } satisfies PostMarker, POST_MARKER_TTL_SECONDS);
        return found;
      }
    } else {
      await store.put(marker, { since } satisfies PostMarker, POST_MARKER_TTL_SECONDS);
    }
    const ts = await chat.post(target, message, { key });
    await store.put(marker, { since, ts } satisfies PostMarker, POST_MARKER_TTL_SECONDS);
    return ts;
  }

  return {
    channels,
    async post(to, reply, options = {}) {
      const target =
        'thread' in to
          ? { channel: to.thread.channel, threadTs: to.thread.ts }
          : 'channelId' in to
            ? { channel: to.channelId }
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
      const send = async (shown: Reply, key: string | undefined) => {
        let first: string | undefined;
        for (const [page, message] of (await buttons.render(shown, { channel: target.channel })).entries()) {
          const ts =
            key === undefined ? await chat.post(target, message) : await postOnce(`${key}#${page}`, target, message);
          first ??= ts;
        }
        return { channel: target.channel, ts: first as string };
      };
      try {
        return await send(reply, options.key);
      } catch (error) {
        // A chart Slack will not show (a workspace without charts, a limit opsbot does not know) costs only the chart:
        // the post goes without it, its figures in its text.
        if (reply.chart === undefined || !refusedBlocks(error)) throw error;
        log.warn('announce.chart_refused', { error: slackError(error) });
        return send(withoutChart(reply), options.key === undefined ? undefined : `${options.key}~no-chart`);
      }
    },
    async update(message, reply) {
      const change = async (shown: Reply) => {
        const [page] = await buttons.render(shown, { channel: message.channel });
        if (page !== undefined) await chat.update(message.channel, message.ts, page);
      };
      try {
        await change(reply);
      } catch (error) {
        if (reply.chart === undefined || !refusedBlocks(error)) throw error;
        log.warn('announce.chart_refused', { error: slackError(error) });
        await change(withoutChart(reply));
      }
    },
  };
}

/** Slack's refusal of a message's blocks (`invalid_blocks`), as the Web API client reports it. */
function refusedBlocks(error: unknown): boolean {
  return slackError(error) === 'invalid_blocks';
}

function slackError(error: unknown): string {
  const e = error as { data?: { error?: unknown } } | undefined;
  return String(e?.data?.error ?? 'unknown');
}

function withoutChart(reply: Reply): Reply {
  const { chart: _chart, ...rest } = reply;
  return rest;
}
