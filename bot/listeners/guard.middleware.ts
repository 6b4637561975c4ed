import { randomBytes } from 'node:crypto';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { code, notice } from '../../intents/reply';
import type { EdgeDeps } from '../edge-deps';
import type { ReplyTo } from '../jobs';
import { describeError } from '../logger';
import { renderReply } from '../views/render';

type Body = Record<string, unknown>;
const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Body)[key] : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Where the person behind a request is answered when its listener fails: the command's or button's response_url,
 * or the message's thread. Undefined when nobody is owed an answer.
 */
function whoToTell(body: Body): { userId: string; replyTo: ReplyTo } | undefined {
  const responseUrl = str(body.response_url);
  const event = body.event;
  // Only those who asked opsbot something: a command, a click, a mention, a DM — never a bystander's message.
  const eventType = str(field(event, 'type'));
  const direct = str(field(event, 'channel_type')) === 'im' || str(field(event, 'channel'))?.startsWith('D') === true;
  if (event !== undefined && eventType !== 'app_mention' && !direct) return undefined;
  const userId = str(body.user_id) ?? str(field(body.user, 'id')) ?? str(field(event, 'user'));
  const channel =
    str(body.channel_id) ??
    str(field(body.channel, 'id')) ??
    str(field(body.container, 'channel_id')) ??
    str(field(event, 'channel'));
  if (userId === undefined || channel === undefined) return undefined;
  if (responseUrl !== undefined) return { userId, replyTo: { channel, responseUrl } };
  const threadTs = str(field(event, 'thread_ts')) ?? str(field(event, 'ts'));
  return {
    userId,
    replyTo: {
      channel,
      ...(threadTs !== undefined && { threadTs, threadExists: field(event, 'thread_ts') !== undefined }),
    },
  };
}

/**
 * The outermost middleware: an exception in a listener never becomes Slack's 404 or 500. The request is
 * acknowledged within Slack's budget — a command's acknowledgement carrying the apology — and whoever is owed an
 * answer gets one, with a reference id that finds the log line.
 */
export function answerFailures(deps: Pick<EdgeDeps, 'jobs' | 'log'>): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    try {
      await args.next();
    } catch (error) {
      const ref = randomBytes(4).toString('hex');
      deps.log.error('slack.listener_failed', { ref, error: describeError(error) });
      const reply = notice(
        'error',
        ['Something went wrong on my side (reference ', code(ref), '). Nothing was done.'],
        'Try again in a minute; if it keeps happening, give the reference to whoever runs opsbot.',
      );
      const body = args.body as unknown as Body;
      if ('ack' in args && typeof args.ack === 'function') {
        try {
          // A command's acknowledgement can carry the answer itself; Bolt refuses a second ack, which is fine.
          await (args.ack as (response?: unknown) => Promise<void>)(
            typeof body.command === 'string' ? { response_type: 'ephemeral', ...renderReply(reply) } : undefined,
          );
          if (typeof body.command === 'string') return;
        } catch {
          // Already acknowledged: answer below.
        }
      }
      const to = whoToTell(body);
      if (to === undefined) return;
      try {
        await deps.jobs.send({ kind: 'say', reply, actor: { userId: to.userId }, replyTo: to.replyTo });
      } catch {
        // The worker cannot be reached (the usual cause of the failure): tell the person from here.
        try {
          const message = renderReply(reply);
          await args.client.chat.postEphemeral({
            channel: to.replyTo.channel,
            user: to.userId,
            text: message.text,
            blocks: message.blocks as never,
            ...(to.replyTo.threadExists === true &&
              to.replyTo.threadTs !== undefined && { thread_ts: to.replyTo.threadTs }),
          });
        } catch (postError) {
          deps.log.error('slack.failure_answer_lost', { ref, error: describeError(postError) });
        }
      }
    }
  };
}
