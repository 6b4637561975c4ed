import { defineButton } from '../define-button';
import { notice, strong } from '../reply';
import { retryClaimKey, retryRefusal } from './retry.policy';

/** A retry started from a card is not started again for ten minutes, however often it is clicked. */
const RETRY_TTL_SECONDS = 10 * 60;

/** A failed stage's Retry, on the failure card: pressed by the pipeline's retriers, started once. */
export const retryStageButton = defineButton({
  kind: 'retry-stage',
  description: 'Retry the failed actions of a pipeline stage',
  // Checked again at the click: the rules may have changed since the card was posted, and anyone can see it.
  async refusal({ payload, actor }, ports) {
    const refusal = await retryRefusal(payload.pipeline, actor, ports);
    return (
      refusal && {
        reply: refusal.reply,
        audit: {
          action: 'RetryStage',
          reason: refusal.reason,
          target: { pipeline: payload.pipeline, stage: payload.stage },
        },
      }
    );
  },
  // A double click, or two people at once, retry the stage once; the end of the retry gives the claim up.
  once: {
    key: ({ payload }) => retryClaimKey(payload),
    ttlSeconds: RETRY_TTL_SECONDS,
    holder: ({ actor }) => actor.userId,
    already: ({ pipeline, stage }) =>
      notice('none', ['A retry of ', strong(stage), ' in ', strong(pipeline), ' was already started.']),
  },
  does: ({ payload }) => ({
    kind: 'retry-stage',
    pipeline: payload.pipeline,
    stage: payload.stage,
    executionId: payload.executionId,
  }),
});
