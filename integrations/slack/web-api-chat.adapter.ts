import { randomUUID } from 'node:crypto';
import type { KnownBlock, WebClient } from '@slack/web-api';
import type { Chat, ChatMessage, PostTarget } from '../chat.port';
import { OpsbotError } from '../errors';

type Blocks = KnownBlock[];

/** The metadata event type opsbot marks its posts with, so a post that may have landed can be found. */
export const POST_EVENT_TYPE = 'opsbot_post';

/** How long, and how, a call is retried through a Slack outage. */
export interface DeliveryPolicy {
  /** The most time spent waiting between attempts, in all: within the job, short of its function's timeout. */
  readonly budgetMs: number;
  /** The first wait after a failure; it doubles each time, with jitter, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
  /**
   * How long a request Slack did not answer may still take to land (a client timeout, a dropped connection: it may
   * be in flight still). A post is looked for only this long after its attempt failed; one posted again is looked
   * for again this long after, and any other copy that landed meanwhile is deleted.
   */
  readonly landingMs: number;
  /** Told of each retry (to log it): why, and how long until the next attempt. */
  readonly onRetry?: (retry: { readonly reason: string; readonly waitMs: number }) => void;
  /**
   * Told when a post that may have landed could not be looked for (Slack refused the lookup: a missing history
   * scope, a channel the bot is not in). It is posted again then: twice rather than lost.
   */
  readonly onUncheckable?: (problem: { readonly reason: string }) => void;
}

const DEFAULT_DELIVERY: DeliveryPolicy = {
  budgetMs: 30_000,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: () => Date.now(),
  landingMs: 8_000,
};

/** Pages of history read when looking for a post: a busy channel's last minutes, not its archive. */
const LOOKUP_PAGES = 5;

/** How a failed Web API call failed: refused for good, refused for now (429), or unknown whether it was carried out. */
type Failure =
  | { readonly kind: 'refused' }
  | { readonly kind: 'rate-limited'; readonly retryAfterMs: number }
  | { readonly kind: 'unavailable' };

/**
 * Chat over the Slack Web API (`chat.postMessage`, `chat.update`, `chat.postEphemeral`) and `response_url` (private
 * answers go through it). The client must not retry by itself (`retryConfig: { retries: 0 }`,
 * `rejectRateLimitedCalls: true`): this adapter does, so that a post is never shown twice. A 429 is waited out for
 * its Retry-After; a 5xx, a timeout or a dropped connection may have been carried out, so before a post is tried
 * again it is looked up by the key in its metadata (`conversations.history` / `conversations.replies`, scopes
 * `channels:history` and `groups:history`) — once it would have landed (`landingMs`), and again after a post made
 * anew, deleting any other copy that landed late (`chat.delete`): a post is shown once whatever the timing.
 */
export class SlackWebApiChat implements Chat {
  private readonly delivery: DeliveryPolicy;

  constructor(
    private readonly client: WebClient,
    private readonly fetchFn: typeof fetch = fetch,
    delivery: Partial<DeliveryPolicy> = {},
  ) {
    this.delivery = { ...DEFAULT_DELIVERY, ...delivery };
  }

  async post(target: PostTarget, message: ChatMessage, options: { readonly key?: string } = {}): Promise<string> {
    const key = options.key ?? randomUUID();
    // Slack's clocks and ours differ a little: look back a minute before the first attempt.
    const oldest = Date.now() / 1000 - 60;
    let again = false;
    let checkable = true;
    const ts = await this.deliver(async (uncertainSince) => {
      if (uncertainSince !== undefined) {
        // A request Slack did not answer may land still: it is looked for once it would have.
        const wait = this.delivery.landingMs - (this.delivery.now() - uncertainSince);
        if (wait > 0) await this.delivery.sleep(wait);
        const landed = await this.lookup(target, key, oldest).catch((error: unknown) => {
          if (classify(error).kind !== 'refused') throw error;
          // Slack will not say whether it landed: post again, and say why it could not be checked.
          this.delivery.onUncheckable?.({ reason: describe(error) });
          checkable = false;
          return undefined;
        });
        if (landed !== undefined) return landed;
        again = true;
      }
      const result = await this.client.chat.postMessage({
        channel: target.channel,
        text: message.text,
        ...(message.blocks !== undefined && { blocks: message.blocks as Blocks }),
        ...(target.threadTs !== undefined && { thread_ts: target.threadTs }),
        metadata: { event_type: POST_EVENT_TYPE, event_payload: { key } },
      });
      if (result.ts === undefined) throw new Error('chat.postMessage returned no ts');
      return result.ts;
    });
    // Looked for, not found, posted anew: a copy that lands late is taken back (not when Slack will not be asked).
    if (again && checkable) await this.keepOnly(target, key, oldest, ts);
    return ts;
  }

  /**
   * After a post made anew while an earlier attempt may still land: waits as long as that may take, then deletes every
   * other copy with the same key (the bot's own messages, which chat:write may delete). Best effort: a copy it cannot
   * see or delete stays, and is said in the log through `onUncheckable`.
   */
  private async keepOnly(target: PostTarget, key: string, oldest: number, ts: string): Promise<void> {
    try {
      if (this.delivery.landingMs > 0) await this.delivery.sleep(this.delivery.landingMs);
      const copies = await this.lookupAll(target, key, oldest);
      for (const copy of copies) {
        if (copy !== ts) await this.client.chat.delete({ channel: target.channel, ts: copy });
      }
    } catch (error) {
      this.delivery.onUncheckable?.({ reason: describe(error) });
    }
  }

  findPosted(target: PostTarget, key: string, oldest: number): Promise<string | undefined> {
    // A lookup changes nothing: it is retried like any call that is safe to repeat.
    return this.deliver(() => this.lookup(target, key, oldest));
  }

  /**
   * The post with `key` in the channel (`conversations.history`, scopes `channels:history`, `groups:history`,
   * `im:history`, `mpim:history`) or the thread (`conversations.replies`) since `oldest`, page by page.
   */
  private async lookup(target: PostTarget, key: string, oldest: number): Promise<string | undefined> {
    return (await this.lookupAll(target, key, oldest, 1))[0];
  }

  /** Every post with `key` (up to `most`), newest first as Slack lists them. */
  private async lookupAll(target: PostTarget, key: string, oldest: number, most = 10): Promise<string[]> {
    const found: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const common = {
        channel: target.channel,
        oldest: oldest.toFixed(6),
        include_all_metadata: true,
        limit: 200,
        ...(cursor !== undefined && { cursor }),
      };
      const result =
        target.threadTs !== undefined
          ? await this.client.conversations.replies({ ...common, ts: target.threadTs })
          : await this.client.conversations.history(common);
      for (const m of result.messages ?? []) {
        const mine =
          m.metadata?.event_type === POST_EVENT_TYPE &&
          (m.metadata.event_payload as Record<string, unknown> | undefined)?.key === key;
        if (mine && m.ts !== undefined) found.push(m.ts);
        if (found.length >= most) return found;
      }
      cursor = result.response_metadata?.next_cursor;
      if (result.has_more !== true || cursor === undefined || cursor === '') return found;
    }
    return found;
  }

  async postEphemeral(target: PostTarget, user: string, message: ChatMessage): Promise<void> {
    // Nothing finds an ephemeral message again: only a refusal that certainly showed nothing (a 429) is retried.
    await this.deliver(async (uncertainSince) => {
      if (uncertainSince !== undefined)
        throw new OpsbotError('SLACK_UNAVAILABLE', 'Slack did not answer, so my answer may be lost.');
      await this.client.chat.postEphemeral({
        channel: target.channel,
        user,
        text: message.text,
        ...(message.blocks !== undefined && { blocks: message.blocks as Blocks }),
        ...(target.threadTs !== undefined && { thread_ts: target.threadTs }),
      });
    });
  }

  async publishHome(
    userId: string,
    view: { readonly type: 'home'; readonly blocks: readonly unknown[] },
  ): Promise<void> {
    // The same view twice shows the same Home tab: safe to repeat.
    await this.deliver(async () => {
      await this.client.views.publish({ user_id: userId, view: view as never });
    });
  }

  async update(channel: string, ts: string, message: ChatMessage): Promise<void> {
    // The same update twice shows the same message: safe to repeat.
    try {
      await this.deliver(async () => {
        await this.client.chat.update({
          channel,
          ts,
          text: message.text,
          ...(message.blocks !== undefined && { blocks: message.blocks as Blocks }),
        });
      });
    } catch (error) {
      // Someone deleted it: said as such, so the caller posts it again rather than failing for good.
      if ((error as { data?: { error?: unknown } }).data?.error === 'message_not_found') {
        throw new OpsbotError('MESSAGE_GONE', 'That message is no longer in Slack.', undefined, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Runs a Web API call until it succeeds, is refused for good, or the budget is spent. `attempt` is told since when
   * an earlier attempt may have been carried out (the last one Slack did not answer), if one may.
   */
  private async deliver<T>(attempt: (uncertainSince: number | undefined) => Promise<T>): Promise<T> {
    const { budgetMs, baseDelayMs, maxDelayMs, sleep, random, now } = this.delivery;
    const started = now();
    let uncertainSince: number | undefined;
    for (let failures = 0; ; failures++) {
      try {
        return await attempt(uncertainSince);
      } catch (error) {
        const failure = classify(error);
        if (failure.kind === 'refused') throw error;
        if (failure.kind === 'unavailable') uncertainSince = now();
        const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** failures) * (0.5 + random() / 2);
        const wait = failure.kind === 'rate-limited' ? Math.max(failure.retryAfterMs, baseDelayMs) : backoff;
        // The budget counts the attempts' own time too, so the job ends within its function's timeout.
        if (now() - started + wait > budgetMs) throw error;
        this.delivery.onRetry?.({
          reason: failure.kind === 'rate-limited' ? 'rate-limited' : describe(error),
          waitMs: Math.round(wait),
        });
        await sleep(wait);
      }
    }
  }

  async respond(
    responseUrl: string,
    message: ChatMessage & {
      readonly visibility: 'private' | 'channel';
      readonly replaceOriginal?: boolean;
      readonly threadTs?: string;
    },
  ): Promise<void> {
    await this.postToResponseUrl(responseUrl, {
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks }),
      response_type: message.visibility === 'channel' ? 'in_channel' : 'ephemeral',
      replace_original: message.replaceOriginal === true,
      ...(message.threadTs !== undefined && { thread_ts: message.threadTs }),
    });
  }

  async deleteOriginal(responseUrl: string): Promise<void> {
    await this.postToResponseUrl(responseUrl, { delete_original: true });
  }

  private async postToResponseUrl(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    const response = await this.fetchFn(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      // Slack answers a response_url it refuses with its bare error (`invalid_blocks`, `expired_url`): kept, as the
      // Web API client keeps it, so that a message refused for its blocks can be sent again without them.
      const said = (await response.text().catch(() => '')).trim().slice(0, 64);
      // response_urls expire after 30 minutes or five uses; the person needs to ask again.
      throw Object.assign(
        new OpsbotError(
          'RESPONSE_URL_REJECTED',
          `Slack refused my answer (HTTP ${response.status}); the request may be too old.`,
          'Run the command again.',
        ),
        /^[a-z_]+$/.test(said) ? { data: { error: said } } : {},
      );
    }
  }
}

/** A failure in a few words for the log: the HTTP status or Slack's error code, never the request. */
function describe(error: unknown): string {
  const e = error as { statusCode?: unknown; data?: { error?: unknown }; code?: unknown };
  return String(e.statusCode ?? e.data?.error ?? e.code ?? 'unknown');
}

/** Errors Slack documents as transient (chat.postMessage): the call may or may not have been carried out. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'request_timeout', 'service_unavailable']);

/** Slack's answer, read: a 429 is waited out, a 5xx or lost connection may have been carried out, the rest is final. */
function classify(error: unknown): Failure {
  const e = error as { code?: unknown; retryAfter?: unknown; statusCode?: unknown; data?: { error?: unknown } };
  switch (e?.code) {
    case 'slack_webapi_platform_error':
      // Slack's transient errors, answered with HTTP 200: "it's possible some aspect of the operation succeeded".
      return TRANSIENT.has(String(e.data?.error)) ? { kind: 'unavailable' } : { kind: 'refused' };
    case 'slack_webapi_rate_limited_error':
      return { kind: 'rate-limited', retryAfterMs: (typeof e.retryAfter === 'number' ? e.retryAfter : 1) * 1000 };
    case 'slack_webapi_http_error':
      return typeof e.statusCode === 'number' && e.statusCode >= 500 ? { kind: 'unavailable' } : { kind: 'refused' };
    case 'slack_webapi_request_error':
      return { kind: 'unavailable' };
    default:
      return { kind: 'refused' };
  }
}
