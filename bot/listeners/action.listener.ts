import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Actor } from '../../intents/define-intent';
import { retryRefusal } from '../../intents/pipelines/retry.policy';
import { type ButtonPayload, code, type Decision, mention, notice, type Reply, strong } from '../../intents/reply';
import type { Unopened } from '../cards';
import type { PendingRequest } from '../conversation';
import type { EdgeDeps } from '../edge-deps';
import { conversationKey, type Job, type ReplyTo, retryClaim } from '../jobs';
import { actionPattern } from '../views/buttons';

/** A confirmation card can be answered once; remembered for a day. */
const DECISION_TTL_SECONDS = 24 * 60 * 60;
/** A retry started from a card is not started again for ten minutes, however often it is clicked. */
const RETRY_TTL_SECONDS = 10 * 60;

/**
 * Buttons: choosing a slot value, confirming or cancelling a change, retrying a failed stage. A button's value is
 * only an id: what it asks is read from what opsbot stored when it posted the card, and the click is checked
 * against it (the right person, not expired, not answered before).
 */
export function registerActions(app: App, deps: EdgeDeps): void {
  app.action<BlockAction<ButtonAction>>(actionPattern('choose'), async ({ ack, body, action }) => {
    await ack();
    const click = await open(deps, body, action, 'choose');
    if (click === undefined) return;
    const choice = click.payload;
    if (choice.userId !== click.actor.userId) {
      return deps.jobs.send(say(click, notice('refused', ['This question is for ', mention(choice.userId), '.'])));
    }
    // One answer a question: a double click continues the request once.
    const claim = `choice:${click.cardId}`;
    if (!(await deps.claims.claim(claim, DECISION_TTL_SECONDS))) return;
    await sendOrRelease(deps, claim, {
      kind: 'fulfil',
      intent: choice.intent,
      slots: choice.slots,
      actor: click.actor,
      confirmed: false,
      replyTo: { ...click.replyTo, replaceOriginal: true },
      ...(click.threadKey !== undefined && { conversationKey: click.threadKey }),
    });
  });

  app.action<BlockAction<ButtonAction>>(actionPattern('confirm'), async ({ ack, body, action }) => {
    await ack();
    const click = await open(deps, body, action, 'confirm');
    if (click === undefined || !(await decide(deps, click, click.payload, 'confirm'))) return;
    await sendOrRelease(deps, `decision:${click.payload.nonce}`, {
      kind: 'fulfil',
      intent: click.payload.intent,
      slots: click.payload.slots,
      actor: click.actor,
      confirmed: true,
      replyTo: { ...click.replyTo, replaceOriginal: true },
    });
  });

  app.action<BlockAction<ButtonAction>>(actionPattern('cancel'), async ({ ack, body, action }) => {
    await ack();
    const click = await open(deps, body, action, 'cancel');
    if (click === undefined || !(await decide(deps, click, click.payload, 'cancel'))) return;
    if (click.threadKey !== undefined) {
      // A question's Cancel ends the conversation it asked in, so a later reply there is not read as its answer.
      const pending = await deps.store.get<PendingRequest>(click.threadKey);
      if (pending?.userId === click.actor.userId) await deps.store.delete(click.threadKey);
    }
    await deps.audit.record({
      action: click.payload.intent,
      outcome: 'cancelled',
      actor: click.actor,
      target: click.payload.slots,
    });
    await sendOrRelease(deps, `decision:${click.payload.nonce}`, {
      ...say(click, await deps.planner.cancelled(click.payload)),
      replyTo: { ...click.replyTo, replaceOriginal: true },
    });
  });

  app.action<BlockAction<ButtonAction>>(actionPattern('retry-stage'), async ({ ack, body, action }) => {
    await ack();
    const click = await open(deps, body, action, 'retry-stage');
    if (click === undefined) return;
    const request = click.payload;
    const refusal = await retryRefusal(request.pipeline, click.actor, deps);
    if (refusal !== undefined) {
      await deps.audit.record({
        action: 'RetryStage',
        outcome: 'refused',
        reason: refusal.reason,
        actor: click.actor,
        target: { pipeline: request.pipeline, stage: request.stage },
      });
      return deps.jobs.send(say(click, refusal.reply));
    }
    // A double click, or two people at once, retry the stage once.
    const key = retryClaim(request);
    if (!(await deps.claims.claim(key, RETRY_TTL_SECONDS, click.actor.userId))) {
      return deps.jobs.send(
        say(
          click,
          notice('none', [
            'A retry of ',
            strong(request.stage),
            ' in ',
            strong(request.pipeline),
            ' was already started.',
          ]),
        ),
      );
    }
    await sendOrRelease(deps, key, {
      kind: 'retry-stage',
      pipeline: request.pipeline,
      stage: request.stage,
      executionId: request.executionId,
      actor: click.actor,
      replyTo: click.replyTo,
    });
  });

  app.action<BlockAction<ButtonAction>>(actionPattern('request'), async ({ ack, body, action }) => {
    await ack();
    const click = await open(deps, body, action, 'request');
    if (click === undefined) return;
    // Asked as the clicker: planned, checked and confirmed as if they had typed it; the message stays as it is.
    await deps.jobs.send({
      kind: 'fulfil',
      intent: click.payload.intent,
      slots: click.payload.slots,
      actor: click.actor,
      confirmed: false,
      replyTo: { ...click.replyTo, replaceOriginal: false },
    });
  });

  for (const kind of ['deploy-cancel', 'approve', 'reject'] as const) {
    app.action<BlockAction<ButtonAction>>(actionPattern(kind), async ({ ack, body, action }) => {
      await ack();
      const click = await open(deps, body, action, kind);
      if (click === undefined) return;
      // Who may, whether it is still open, and once only: decided by the worker against the deploy's record.
      await deps.jobs.send({
        kind: 'deploy-action',
        action: kind === 'deploy-cancel' ? 'cancel' : kind,
        runId: click.payload.runId,
        actor: click.actor,
        replyTo: { ...click.replyTo, replaceOriginal: false },
      });
    });
  }

  app.action<BlockAction<ButtonAction>>(actionPattern('gate'), async ({ ack, body, action }) => {
    await ack();
    const click = await open(deps, body, action, 'gate');
    if (click === undefined) return;
    await deps.jobs.send({
      kind: 'deploy-action',
      action: click.payload.action === 'continue' ? 'gate-continue' : 'gate-rollback',
      runId: click.payload.runId,
      gateId: click.payload.gateId,
      actor: click.actor,
      replyTo: { ...click.replyTo, replaceOriginal: false },
    });
  });
}

interface Click<P> {
  readonly cardId: string;
  readonly actor: Actor;
  readonly replyTo: ReplyTo;
  readonly threadKey?: string;
  readonly payload: P;
}

const WHY: Record<Unopened, string> = {
  unknown: 'That button is not one opsbot issued (or it is from an older opsbot), so nothing was done.',
  expired: 'That button has expired, so nothing was done.',
  'wrong-kind': 'That button is not one opsbot issued, so nothing was done.',
  elsewhere: 'That button belongs to a message in another channel or workspace, so nothing was done.',
};

/**
 * The click, with what its button asks read from the Store. A value matching no stored card — altered, forged, or
 * from before — is refused, audited, and the clicker told why.
 */
async function open<K extends ButtonPayload['kind']>(
  deps: EdgeDeps,
  body: BlockAction,
  action: ButtonAction,
  kind: K,
): Promise<Click<Extract<ButtonPayload, { kind: K }>> | undefined> {
  const channel = body.channel?.id ?? body.container?.channel_id ?? '';
  const actor: Actor = {
    userId: body.user.id,
    channelId: channel,
    ...(body.team?.id !== undefined && { teamId: body.team.id }),
  };
  const opened = await deps.buttons.open(kind, action.value, {
    channel,
    ...(body.team?.id !== undefined && { team: body.team.id }),
  });
  const container = body.container as { is_ephemeral?: boolean; thread_ts?: string } | undefined;
  const threadTs = (opened.ok ? opened.threadTs : undefined) ?? (body.message?.thread_ts as string | undefined);
  const messageTs = body.container?.message_ts ?? (body.message?.ts as string | undefined);
  const replyTo: ReplyTo = {
    channel,
    ...(body.team?.id !== undefined && { team: body.team.id }),
    responseUrl: body.response_url,
    originalPrivate: container?.is_ephemeral !== false,
    ...(threadTs !== undefined && { threadTs }),
    ...(messageTs !== undefined && { messageTs }),
  };
  if (!opened.ok) {
    await deps.audit.record({ action: `button:${kind}`, outcome: 'refused', reason: opened.why, actor, target: {} });
    await deps.jobs.send({
      kind: 'say',
      reply: notice('refused', WHY[opened.why], ['Ask again, or try ', code('/deploy help'), '.']),
      actor,
      replyTo,
    });
    return undefined;
  }
  return {
    cardId: opened.cardId,
    actor,
    replyTo,
    payload: opened.payload,
    ...(threadTs !== undefined && { threadKey: conversationKey(body.team?.id, channel, threadTs) }),
  };
}

/**
 * A confirmation card is answered once, by the person who asked: true when this click is that answer; otherwise
 * tells the clicker why nothing happens.
 */
async function decide(
  deps: EdgeDeps,
  click: Click<unknown>,
  request: Decision,
  verb: 'confirm' | 'cancel',
): Promise<boolean> {
  if (request.userId !== click.actor.userId) {
    await deps.audit.record({
      action: verb === 'confirm' ? 'Confirm' : 'Cancel',
      outcome: 'refused',
      reason: 'not-the-requester',
      actor: click.actor,
      target: { intent: request.intent, ...request.slots },
    });
    await deps.jobs.send(say(click, notice('refused', ['Only ', mention(request.userId), ` can ${verb} this.`])));
    return false;
  }
  if (!(await deps.claims.claim(`decision:${request.nonce}`, DECISION_TTL_SECONDS, verb))) {
    await deps.jobs.send(say(click, notice('none', 'This was already answered; nothing more was done.')));
    return false;
  }
  return true;
}

/** Hands the job over; if that fails, the claim is released so the click can be tried again. */
async function sendOrRelease(deps: EdgeDeps, claim: string, job: Job): Promise<void> {
  try {
    await deps.jobs.send(job);
  } catch (error) {
    await deps.claims.release(claim);
    throw error;
  }
}

/** A notice for the clicker alone, leaving the card as it is. */
function say(click: Click<unknown>, reply: Reply) {
  return { kind: 'say' as const, reply, actor: click.actor, replyTo: { ...click.replyTo, replaceOriginal: false } };
}
