import { defineReaction, type EventBridgeEvent, type ReactionPorts } from '../define-reaction';
import { code, type Reply, status, strong } from '../reply';
import {
  type ActionFailure,
  ALERT_TTL_SECONDS,
  type AlertCard,
  actionFailureKey,
  alertKey,
  failureCard,
  isKept,
  type KeptAlert,
  type PipelineAlert,
  redraw,
  short,
} from './failure-card';
import { PIPELINE_EVENT_TYPES, pipelineFailureReaction } from './pipeline-failure.reaction';
import { retryEnded } from './retry';

const DAY = 24 * 60 * 60;
/**
 * How long an event is held while it is handled: longer than the worker may run (60 s), so a redelivery waits for
 * the first attempt; short enough that a redelivery after an attempt cut off by the timeout can take it over.
 */
const LEASE_SECONDS = 90;

/**
 * Pushes pipeline failures to the alerts channel as a card with Retry, and follows the card to the end: a retried
 * execution that fails again, or any later execution that succeeds, redraws it in place and says so in its thread.
 * EventBridge delivers at least once, so every event is claimed first and a repeat changes nothing.
 */
export const pipelineFailure = defineReaction({
  ...pipelineFailureReaction,
  async handle(event, ports) {
    const d = (typeof event.detail === 'object' && event.detail !== null ? event.detail : {}) as Record<
      string,
      unknown
    >;
    const pipeline = text(d.pipeline);
    const executionId = text(d['execution-id']);
    const state = text(d.state);
    const claim = `eventbridge:${event.id}:${event['detail-type']}:${pipeline}:${executionId}:${state}:${text(d.stage)}:${text(d.action)}`;
    if (!(await ports.claims.claim(claim, LEASE_SECONDS))) {
      ports.log.info('pipeline.event_duplicate_dropped', { id: event.id, pipeline, state });
      return;
    }
    try {
      await handleClaimed(event, d, { pipeline, executionId, state }, ports);
      await ports.claims.settle(claim, DAY);
    } catch (error) {
      // Not done: release the claim, so a redelivery can do it.
      await ports.claims.release(claim);
      throw error;
    }
  },
});

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

async function handleClaimed(
  event: EventBridgeEvent,
  d: Record<string, unknown>,
  { pipeline, executionId, state }: { pipeline: string; executionId: string; state: string },
  ports: ReactionPorts,
): Promise<void> {
  if (event['detail-type'] === PIPELINE_EVENT_TYPES.action) {
    if (state !== 'FAILED') return;
    const result = (
      typeof d['execution-result'] === 'object' && d['execution-result'] !== null ? d['execution-result'] : {}
    ) as Record<string, unknown>;
    const failure: ActionFailure = {
      stage: text(d.stage) || '?',
      action: text(d.action) || '?',
      ...(text(result['external-execution-summary']) !== '' && { summary: text(result['external-execution-summary']) }),
      ...(text(result['error-code']) !== '' && { errorCode: text(result['error-code']) }),
      ...(text(result['external-execution-url']) !== '' && { url: text(result['external-execution-url']) }),
    };
    await ports.store.put(actionFailureKey(pipeline, executionId), failure, DAY);
    return;
  }

  if (state === 'FAILED') {
    const failure =
      (await ports.store.get<ActionFailure>(actionFailureKey(pipeline, executionId))) ??
      (await failureFromState(pipeline, ports));
    const alert = await ports.store.get<PipelineAlert>(alertKey(pipeline));
    if (alert !== undefined && alert.executionId === executionId) {
      // The execution the card is about failed once more: it was retried (from its card, another, or the console).
      await failedAgain(alert, pipeline, failure, event, ports);
    } else {
      await postFailure(pipeline, executionId, failure, event, ports);
    }
    await retryEnded({ pipeline, executionId, eventId: event.id, outcome: 'failed', failure }, ports);
    return;
  }
  if (state === 'SUCCEEDED') {
    const alert = await ports.store.get<PipelineAlert>(alertKey(pipeline));
    if (alert !== undefined) await recovered(alert, pipeline, executionId, ports);
    await retryEnded({ pipeline, executionId, eventId: event.id, outcome: 'succeeded' }, ports);
  }
}

/** A new failure: its card, with Retry, in the alerts channel. */
async function postFailure(
  pipeline: string,
  executionId: string,
  failure: ActionFailure | undefined,
  event: EventBridgeEvent,
  ports: ReactionPorts,
): Promise<void> {
  const card: AlertCard = {
    pipeline,
    executionId,
    state: 'failed',
    account: event.account,
    region: event.region,
    ...(failure !== undefined && { failure }),
  };
  const posted = await ports.announcer.post({ channel: 'alerts' }, failureCard(card), {
    key: `pipeline-failure:${pipeline}:${executionId}`,
  });
  if (posted === undefined) return;
  await ports.store.put(alertKey(pipeline), { ...card, ...posted } satisfies KeptAlert, ALERT_TTL_SECONDS);
  ports.log.info('pipeline.failure_posted', { pipeline, executionId });
}

/** The card's execution failed again: the card shows the new failure, with Retry again, and its thread says so. */
async function failedAgain(
  alert: PipelineAlert,
  pipeline: string,
  failure: ActionFailure | undefined,
  event: EventBridgeEvent,
  ports: ReactionPorts,
): Promise<void> {
  if (isKept(alert)) {
    const again: KeptAlert = { ...alert, state: 'failed-again', ...(failure !== undefined && { failure }) };
    await redraw(again, ports);
    await ports.store.put(alertKey(pipeline), again, ALERT_TTL_SECONDS);
  }
  await ports.announcer.post({ thread: { channel: alert.channel, ts: alert.ts } }, failedAgainLine(pipeline, failure), {
    key: `pipeline-failed-again:${pipeline}:${alert.executionId}:${event.id}`,
  });
  ports.log.info('pipeline.failed_again_posted', { pipeline, executionId: alert.executionId });
}

/** A later execution succeeded: the card says recovered, with nothing left to press, and its thread says so. */
async function recovered(
  alert: PipelineAlert,
  pipeline: string,
  executionId: string,
  ports: ReactionPorts,
): Promise<void> {
  if (isKept(alert)) await redraw({ ...alert, state: 'recovered', recoveredBy: executionId }, ports);
  await ports.announcer.post(
    { thread: { channel: alert.channel, ts: alert.ts } },
    {
      summary: `${pipeline} recovered: execution ${short(executionId)} succeeded.`,
      sections: [
        [[status('ok'), ' ', strong(pipeline), ' recovered: execution ', code(short(executionId)), ' succeeded.']],
      ],
      visibility: 'channel',
    },
    { key: `pipeline-recovery:${pipeline}:${executionId}` },
  );
  await ports.store.delete(alertKey(pipeline));
  ports.log.info('pipeline.recovery_posted', { pipeline, executionId });
}

function failedAgainLine(pipeline: string, failure: ActionFailure | undefined): Reply {
  const error = failure?.summary ?? 'no error message was reported';
  return {
    summary:
      failure === undefined
        ? `${pipeline} failed again.`
        : `${pipeline} failed again at ${failure.stage} › ${failure.action}: ${error}`,
    sections: [
      [
        failure === undefined
          ? [status('failed'), ' ', strong(pipeline), ' failed again.']
          : [
              status('failed'),
              ' ',
              strong(pipeline),
              ' failed again at ',
              strong(failure.stage),
              ' › ',
              strong(failure.action),
              ': ',
              error,
            ],
      ],
    ],
    visibility: 'channel',
  };
}

/** When the action's own event did not arrive (or arrived late), the pipeline's state names the failure. */
async function failureFromState(pipeline: string, ports: ReactionPorts): Promise<ActionFailure | undefined> {
  try {
    const detail = await ports.pipelines.get(pipeline);
    for (const stage of detail.stages) {
      const action = stage.actions.find((a) => a.status === 'Failed');
      if (action !== undefined) {
        return {
          stage: stage.name,
          action: action.name,
          ...(action.errorMessage !== undefined && { summary: action.errorMessage }),
          ...(action.url !== undefined && { url: action.url }),
        };
      }
    }
  } catch (error) {
    ports.log.warn('pipeline.state_unavailable', { pipeline, error: (error as Error).name });
  }
  return undefined;
}
