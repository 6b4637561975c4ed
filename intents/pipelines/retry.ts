import type { Actor, IntentPorts, PostedMessage } from '../define-intent';
import type { ReactionPorts } from '../define-reaction';
import { code, mention, type Reply, status, strong } from '../reply';
import {
  type ActionFailure,
  ALERT_TTL_SECONDS,
  actionFailureKey,
  alertKey,
  failureCard,
  isKept,
  type KeptAlert,
  type PipelineAlert,
  redraw,
  short,
  whyFailing,
} from './failure-card';
import { pipelineCard } from './pipeline-card';
import { retryClaimKey, retryRefusal } from './retry.policy';

/** A retry is followed for a day: CodePipeline's longest actions end well within it. */
const FOLLOW_UP_TTL_SECONDS = 24 * 60 * 60;

/**
 * Where Retry was clicked: the worker hands over its job, whose `replyTo` says it. A click on the alerts channel's
 * failure card redraws that card; a click anywhere else is answered, when the execution ends, in that message's
 * thread.
 */
export interface RetryPlace {
  readonly channel: string;
  /** The clicked card's message. */
  readonly messageTs?: string;
  /** The thread the card is in, if it is in one. */
  readonly threadTs?: string;
  /** Whether the card was seen by the clicker alone (an ephemeral card has no thread to answer in). */
  readonly originalPrivate?: boolean;
}

/** A stage to retry, as the button's stored card asked it. */
export interface RetryRequest {
  readonly pipeline: string;
  readonly stage: string;
  readonly executionId: string;
  readonly replyTo?: RetryPlace;
}

/** A retry opsbot started, kept until its execution ends. */
interface RetryFollowUp {
  readonly stage: string;
  readonly userId: string;
  /** Where its outcome is told (none when the failure card, which has its own thread, was clicked). */
  readonly thread?: PostedMessage;
}

/** Retries the failed actions of a stage, for someone allowed to, and says so in the channel. */
export async function retryStage(
  request: RetryRequest,
  actor: Actor,
  ports: IntentPorts,
): Promise<{ readonly reply: Reply; readonly outcome: 'started' | 'refused'; readonly card?: Reply }> {
  const refusal = await retryRefusal(request.pipeline, actor, ports);
  if (refusal !== undefined) {
    await ports.audit.record({
      action: 'RetryStage',
      outcome: 'refused',
      reason: refusal.reason,
      actor,
      target: { pipeline: request.pipeline, stage: request.stage },
    });
    return { reply: refusal.reply, outcome: 'refused' };
  }
  await ports.pipelines.retryStage(request.pipeline, request.stage, request.executionId);
  await ports.audit.record({
    action: 'RetryStage',
    outcome: 'started',
    actor,
    target: { pipeline: request.pipeline, stage: request.stage, execution: request.executionId },
  });
  const { alertCard, onAlert } = await showRetrying(request, actor, ports);
  const thread = onAlert ? undefined : threadOf(request.replyTo);
  const followUp: RetryFollowUp = {
    stage: request.stage,
    userId: actor.userId,
    ...(thread !== undefined && { thread }),
  };
  await ports.store.put(followUpKey(request.pipeline, request.executionId), followUp, FOLLOW_UP_TTL_SECONDS);
  // The clicked card as it is now, showing the new attempt; the retry has started whether or not it can be read.
  const card = onAlert ? alertCard : await pipelineCard(request.pipeline, ports, actor).catch(() => undefined);
  return {
    outcome: 'started',
    ...(card !== undefined && { card }),
    reply: {
      summary: `Retrying ${request.stage} of ${request.pipeline}.`,
      sections: [
        [
          [
            status('retrying'),
            ' Retrying the failed actions of ',
            strong(request.stage),
            ' in ',
            strong(request.pipeline),
            ' (execution ',
            code(short(request.executionId)),
            '), for ',
            mention(actor.userId),
            '.',
          ],
        ],
      ],
      ...(onAlert
        ? { context: ['The card above changes when the execution ends: recovered, or failed again.'] }
        : thread !== undefined && { context: ['I’ll say in this thread how it ends.'] }),
      visibility: 'channel',
    },
  };
}

/**
 * The alerts channel's card for this execution, if there is one, shows the retry and who asked. Clicked on that card,
 * it is handed back to be drawn in the click's place; clicked elsewhere, it is redrawn here, as well as Slack allows:
 * the retry has started either way.
 */
async function showRetrying(
  request: RetryRequest,
  actor: Actor,
  ports: IntentPorts,
): Promise<{ alertCard?: Reply; onAlert: boolean }> {
  // The failure the card shows is the last one; the retry's own failure, if it fails again, is told anew.
  await ports.store.delete(actionFailureKey(request.pipeline, request.executionId));
  const alert = await ports.store.get<PipelineAlert>(alertKey(request.pipeline));
  if (alert === undefined || alert.executionId !== request.executionId || !isKept(alert)) return { onAlert: false };
  const retrying: KeptAlert = {
    ...alert,
    state: 'retrying',
    retry: { userId: actor.userId, stage: request.stage },
  };
  await ports.store.put(alertKey(request.pipeline), retrying, ALERT_TTL_SECONDS);
  const onAlert = request.replyTo?.channel === alert.channel && request.replyTo.messageTs === alert.ts;
  if (!onAlert) {
    await redraw(retrying, ports).catch((error: unknown) =>
      ports.log.warn('pipeline.alert_not_redrawn', { pipeline: request.pipeline, error: (error as Error).name }),
    );
  }
  return { alertCard: failureCard(retrying), onAlert };
}

/** The thread a click's answer went to, when there is one to go back to. */
function threadOf(place: RetryPlace | undefined): PostedMessage | undefined {
  if (place === undefined) return undefined;
  const ts = place.threadTs ?? (place.originalPrivate === false ? place.messageTs : undefined);
  return ts === undefined ? undefined : { channel: place.channel, ts };
}

/**
 * The end of an execution opsbot retried: said in the thread the retry was told in (the failure card tells its own),
 * and, when it failed again, its Retry is open again — the claim that kept a double click from retrying twice is
 * given up, since a new failure is a new decision.
 */
export async function retryEnded(
  end: {
    readonly pipeline: string;
    readonly executionId: string;
    /** The EventBridge event that told it: the line is said once however often it is delivered. */
    readonly eventId: string;
    readonly outcome: 'succeeded' | 'failed';
    readonly failure?: ActionFailure | undefined;
  },
  ports: ReactionPorts,
): Promise<void> {
  const key = followUpKey(end.pipeline, end.executionId);
  const followUp = await ports.store.get<RetryFollowUp>(key);
  if (followUp === undefined) return;
  if (end.outcome === 'failed') await ports.claims.release(retryClaimKey({ ...end, stage: followUp.stage }));
  if (followUp.thread !== undefined) {
    await ports.announcer.post({ thread: followUp.thread }, endLine(end, followUp), {
      key: `pipeline-retry-end:${end.pipeline}:${end.executionId}:${end.eventId}`,
    });
  }
  await ports.store.delete(key);
}

function endLine(
  end: {
    readonly pipeline: string;
    readonly executionId: string;
    readonly outcome: 'succeeded' | 'failed';
    readonly failure?: ActionFailure | undefined;
  },
  followUp: RetryFollowUp,
): Reply {
  const { pipeline, failure } = end;
  if (end.outcome === 'succeeded') {
    return {
      summary: `The retry of ${followUp.stage} in ${pipeline} succeeded.`,
      sections: [
        [
          [
            status('ok'),
            ' The retry of ',
            strong(followUp.stage),
            ' in ',
            strong(pipeline),
            ' succeeded: execution ',
            code(short(end.executionId)),
            ' finished.',
          ],
        ],
      ],
      visibility: 'channel',
    };
  }
  const error = failure?.summary ?? 'no error message was reported';
  return {
    summary: `The retry of ${followUp.stage} in ${pipeline} failed again: ${error}`,
    sections: [
      [
        [
          status('failed'),
          ' The retry of ',
          strong(followUp.stage),
          ' in ',
          strong(pipeline),
          ' failed again',
          ...(failure !== undefined ? [' at ', strong(failure.stage), ' › ', strong(failure.action)] : []),
          ': ',
          error,
        ],
      ],
    ],
    context: [`Ask “${whyFailing(pipeline)}” to retry it again.`],
    visibility: 'channel',
  };
}

function followUpKey(pipeline: string, executionId: string): string {
  return `pipeline-retry:${pipeline}:${executionId}`;
}
