import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Claims } from '../../integrations/claims';
import type { Log } from '../logger';

/** How long a delivery id is remembered: well past Slack's last retry (about 5 minutes after the first). */
const DELIVERY_TTL_SECONDS = 60 * 60;

/** The id Slack gives one delivery of one thing: `event_id` for events, `trigger_id` for commands and buttons. */
export function deliveryId(body: Record<string, unknown>): string | undefined {
  const id = body.event_id ?? body.trigger_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Drops repeated deliveries (Slack retries up to three times, and may send the same event_id twice): the first
 * delivery claims the id in the Store; later ones are acknowledged and change nothing. If the first delivery's
 * listener fails, the claim is released so Slack's retry can do the work.
 */
export function dedupeDeliveries(claims: Claims, log: Log): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as unknown as Record<string, unknown>;
    const id = deliveryId(body);
    if (id === undefined) {
      await args.next();
      return;
    }
    const key = `delivery:${id}`;
    if (!(await claims.claim(key, DELIVERY_TTL_SECONDS, { at: Date.now() }))) {
      log.info('slack.duplicate_dropped', {
        id,
        retryNum: args.context.retryNum,
        retryReason: args.context.retryReason,
      });
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    try {
      await args.next();
    } catch (error) {
      await claims.release(key);
      throw error;
    }
  };
}
