import { defineButton } from '../define-button';

// Who may press a deploy's buttons, whether the deploy still waits for the answer, and once only: decided by the
// worker against the deploy's record, which the edge does not read. The buttons only say which action they ask for.

/** A running deploy's Cancel: stops it with rollback. */
export const deployCancelButton = defineButton({
  kind: 'deploy-cancel',
  description: 'Stop a running deploy with rollback',
  does: ({ payload }) => ({ kind: 'deploy-action', action: 'cancel', runId: payload.runId, replaceOriginal: false }),
});

/** Approve, on a deploy that needs a second person. */
export const approveButton = defineButton({
  kind: 'approve',
  description: 'Approve a deploy that needs a second person',
  does: ({ payload }) => ({ kind: 'deploy-action', action: 'approve', runId: payload.runId, replaceOriginal: false }),
});

/** Reject, on a deploy that needs a second person. */
export const rejectButton = defineButton({
  kind: 'reject',
  description: 'Reject a deploy that needs a second person',
  does: ({ payload }) => ({ kind: 'deploy-action', action: 'reject', runId: payload.runId, replaceOriginal: false }),
});

/** A gate's Continue or Roll back, on a deploy waiting with green on the test listener. */
export const gateButton = defineButton({
  kind: 'gate',
  description: 'Shift production traffic to green, or roll back, at a deploy’s gate',
  does: ({ payload }) => ({
    kind: 'deploy-action',
    action: payload.action === 'continue' ? 'gate-continue' : 'gate-rollback',
    runId: payload.runId,
    gateId: payload.gateId,
    replaceOriginal: false,
  }),
});

/** A finished deploy's Roll back: asked as the clicker, planned, checked and confirmed as if they had typed it. */
export const requestButton = defineButton({
  kind: 'request',
  description: 'Ask for a request as the clicker',
  // The message stays as it is: the request gets its own confirmation card.
  does: ({ payload }) => ({
    kind: 'fulfil',
    intent: payload.intent,
    slots: payload.slots,
    confirmed: false,
    replaceOriginal: false,
  }),
});
