import { asCaller } from '../../integrations/aws/call-ledger';
import type { WatchResult } from '../../integrations/watcher.port';
import { pollRun } from '../../intents';
import {
  type EventBridgeEvent,
  isEventBridgeEvent,
  type ReactionPorts,
  type ReactionRegistry,
} from '../../intents/define-reaction';
import { isWatchJob, type Job, type WatchJob, watchedLongEnough } from '../jobs';
import { runJob, type WorkerDeps } from './dispatcher';
import { refreshHomes } from './home';

export interface RouterDeps extends WorkerDeps {
  readonly reactions: ReactionRegistry;
  readonly reactionPorts: ReactionPorts;
}

/**
 * Everything the worker function receives, routed: Slack jobs to the intents, EventBridge and Scheduler events to
 * the reaction that claims them. An event nothing claims is logged at debug and dropped: never an error, so
 * EventBridge never retries it.
 */
export async function handleWorkerInput(
  input: Job | WatchJob | EventBridgeEvent,
  deps: RouterDeps,
  options: { readonly deadline?: number } = {},
): Promise<WatchResult | undefined> {
  if (isWatchJob(input)) {
    // The Step Functions watcher's poll step: its answer decides whether the execution waits and polls again, or
    // hands the deploy over to a fresh execution (the state machine reads both fields).
    const { done } = await asCaller('watcher', () => pollRun(input.runId, deps.ports));
    return { done, handOver: !done && watchedLongEnough(input, deps.ports.clock.now()) };
  }
  return asCaller('worker', () => routeToWorker(input, deps, options));
}

async function routeToWorker(
  input: Job | EventBridgeEvent,
  deps: RouterDeps,
  options: { readonly deadline?: number },
): Promise<undefined> {
  if (isEventBridgeEvent(input)) {
    const reaction = deps.reactions.find(input);
    if (reaction === undefined) {
      deps.log.debug('event.unclaimed_dropped', {
        source: input.source,
        detailType: input['detail-type'],
        id: input.id,
      });
      return undefined;
    }
    await reaction.handle(input, deps.reactionPorts);
    await refreshHomes(deps);
    return undefined;
  }
  await runJob(input, deps, options);
  return undefined;
}

/**
 * The correlation id of worker input, the same one the Slack function logged: the Slack delivery a job came from,
 * the EventBridge event's id, or the deploy run a watcher poll is about.
 */
export function correlationOf(input: Job | WatchJob | EventBridgeEvent): string | undefined {
  if (isWatchJob(input)) return `run:${input.runId}`;
  if (isEventBridgeEvent(input)) return typeof input.id === 'string' ? input.id : undefined;
  return typeof input.delivery === 'string' ? input.delivery.replace(/#\d+$/, '') : undefined;
}
