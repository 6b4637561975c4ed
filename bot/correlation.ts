import { AsyncLocalStorage } from 'node:async_hooks';

// Apart from the logger, so that a Lambda entry tags its requests before it has loaded anything else.

/** The request being handled: the Slack delivery (event_id, trigger_id), the EventBridge event id, the run polled. */
const correlation = new AsyncLocalStorage<string>();

/** Runs `work` with `id` as the correlation id of every entry it logs (and of the work it starts). */
export function withCorrelation<T>(id: string | undefined, work: () => T): T {
  return id === undefined || id === '' ? work() : correlation.run(id.slice(0, 200), work);
}

/** The correlation id of the request being handled, if any. */
export function correlationId(): string | undefined {
  return correlation.getStore();
}
