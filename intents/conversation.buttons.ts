import type { ButtonDefinition, ButtonRefusal } from './define-button';
import { defineButton } from './define-button';
import { mention, notice, type Reply } from './reply';

// The buttons of the conversation every intent has (asking for a missing slot, confirming a side effect): they
// belong to the intent framework, not to one capability.

/** A question or a confirmation card is answered once; the answer is remembered for a day. */
const DECISION_TTL_SECONDS = 24 * 60 * 60;

/** A slot value offered for a missing slot: pressed by the person asked, once a question. */
export const chooseButton = defineButton({
  kind: 'choose',
  description: 'Continue a request with the chosen slot value',
  refusal: ({ payload, actor }) =>
    payload.userId === actor.userId
      ? undefined
      : { reply: notice('refused', ['This question is for ', mention(payload.userId), '.']) },
  // A double click continues the request once, silently.
  once: { key: ({ cardId }) => `choice:${cardId}`, ttlSeconds: DECISION_TTL_SECONDS },
  does: ({ payload }) => ({
    kind: 'fulfil',
    intent: payload.intent,
    slots: payload.slots,
    confirmed: false,
    inConversation: true,
    replaceOriginal: true,
  }),
});

/** A confirmation card is answered once, by the person who asked. */
function answeredOnceByTheAsker(
  verb: 'confirm' | 'cancel',
): Pick<ButtonDefinition<'confirm' | 'cancel'>, 'refusal' | 'once'> {
  return {
    refusal: ({ payload, actor }): ButtonRefusal | undefined =>
      payload.userId === actor.userId
        ? undefined
        : {
            reply: notice('refused', ['Only ', mention(payload.userId), ` can ${verb} this.`]),
            audit: {
              action: verb === 'confirm' ? 'Confirm' : 'Cancel',
              reason: 'not-the-requester',
              target: { intent: payload.intent, ...payload.slots },
            },
          },
    // Confirm and Cancel share the claim: the first answer is the answer.
    once: {
      key: ({ payload }) => `decision:${payload.nonce}`,
      ttlSeconds: DECISION_TTL_SECONDS,
      holder: () => verb,
      already: (): Reply => notice('none', 'This was already answered; nothing more was done.'),
    },
  };
}

/** A confirmation card's Confirm: the change runs as asked. */
export const confirmButton = defineButton({
  kind: 'confirm',
  description: 'Confirm a change asked for',
  ...answeredOnceByTheAsker('confirm'),
  does: ({ payload }) => ({
    kind: 'fulfil',
    intent: payload.intent,
    slots: payload.slots,
    confirmed: true,
    replaceOriginal: true,
  }),
});

/** A confirmation card's (or a question's) Cancel: nothing is changed, and the card says so. */
export const cancelButton = defineButton({
  kind: 'cancel',
  description: 'Cancel a change asked for',
  ...answeredOnceByTheAsker('cancel'),
  async does({ payload, actor }, ports) {
    // A question's Cancel ends the conversation it asked in, so a later reply there is not read as its answer.
    await ports.conversation.end();
    await ports.audit.record({ action: payload.intent, outcome: 'cancelled', actor, target: payload.slots });
    return { kind: 'say', reply: await ports.conversation.cancelled(payload), replaceOriginal: true };
  },
});
