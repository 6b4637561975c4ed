import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { JobQueue } from '../../integrations/jobs.port';
import { withCorrelation } from '../correlation';
import type { Job } from '../jobs';

/** The id Slack gives one delivery of one thing: `event_id` for events, `trigger_id` for commands and buttons. */
export function deliveryId(body: Record<string, unknown>): string | undefined {
  const id = body.event_id ?? body.trigger_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The delivery being handled, and how many jobs it has handed over so far. */
const current = new AsyncLocalStorage<{ readonly id: string; sent: number }>();

/**
 * Runs each delivery's listeners in its own scope, so the jobs they hand over carry the delivery's id (see
 * {@link stampDeliveries}). A repeat delivery (Slack retries an event up to three times, and may send the same event_id
 * twice) is dropped by the worker, which claims the id before it changes anything (`claimDelivery` in jobs.ts), so a
 * command's acknowledgement writes nothing to the Store. Mentions and clicks still claim what they are about at the
 * edge (the message seen, the card answered), before any hand-over.
 */
export function deliveryScope(): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const id = deliveryId(args.body as unknown as Record<string, unknown>);
    if (id === undefined) return args.next();
    return withCorrelation(id, () => current.run({ id, sent: 0 }, () => args.next()));
  };
}

/**
 * The edge's job queue: each job carries `<delivery id>#<n>`, the n-th job that delivery handed over. A retry
 * hands over the same jobs in the same order, with the same ids.
 */
export function stampDeliveries(jobs: JobQueue<Job>): JobQueue<Job> {
  return {
    send: (job) => {
      const delivery = current.getStore();
      if (delivery === undefined || job.delivery !== undefined) return jobs.send(job);
      const stamped: Job = { ...job, delivery: `${delivery.id}#${delivery.sent++}` };
      return jobs.send(stamped);
    },
  };
}
