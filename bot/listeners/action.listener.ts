import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { buttons } from '../../intents/buttons';
import { type ButtonPorts, ButtonRegistry, type ButtonWork } from '../../intents/define-button';
import type { Actor } from '../../intents/define-intent';
import { type ButtonPayload, code, notice, type Reply } from '../../intents/reply';
import { type HomeViewer, homeViewerKey, type Unopened } from '../cards';
import type { PendingRequest } from '../conversation';
import type { EdgeDeps } from '../edge-deps';
import { conversationKey, type Job, type ReplyTo } from '../jobs';
import { actionPattern } from '../views/buttons';

/**
 * Buttons. What each kind means — who may press it, once only, what it does — is declared in the capability that
 * issues it (`intents/buttons.ts`); this edge only opens the stored card (a button's value is only an id), checks the
 * click came from where the card was posted and in time, and hands the click to the declaration of its kind.
 */
export function registerActions(app: App, deps: EdgeDeps): void {
  // The registry refuses two declarations of one kind: one click, one meaning.
  for (const button of new ButtonRegistry(buttons).all) {
    app.action<BlockAction<ButtonAction>>(actionPattern(button.kind), async ({ ack, body, action }) => {
      await ack();
      const click = await open(deps, body, action, button.kind);
      if (click === undefined) return;
      const pressed = await button.press(click, portsFor(deps, click));
      if (pressed.kind === 'told') {
        if (pressed.reply !== undefined) await deps.jobs.send(say(click, pressed.reply));
        return;
      }
      const job = jobFor(pressed.work, click);
      if (pressed.claim === undefined) return deps.jobs.send(job);
      await sendOrRelease(deps, pressed.claim, job);
    });
  }
}

interface Click {
  readonly cardId: string;
  readonly actor: Actor;
  readonly replyTo: ReplyTo;
  readonly threadKey?: string;
  readonly payload: ButtonPayload;
  /** Clicked in a Home tab: what it asks is asked in the person's DM, and answered there by typing. */
  readonly fromHome?: boolean;
}

/** A Home tab's button pressed by someone else than the person whose Home it is. */
const NOT_YOUR_HOME = 'That button is on someone else’s Home tab, so nothing was done.';

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
async function open(
  deps: EdgeDeps,
  body: BlockAction,
  action: ButtonAction,
  kind: ButtonPayload['kind'],
): Promise<Click | undefined> {
  // A click in a Home tab comes from a view: no channel, no message, no response_url. What it starts is answered in
  // the person's DM with opsbot, where the card says its Home was published from.
  const home = (body.container as { type?: string } | undefined)?.type === 'view' ? body.user.id : undefined;
  const opened = await deps.buttons.open(kind, action.value, {
    ...(home === undefined && { channel: body.channel?.id ?? body.container?.channel_id ?? '' }),
    ...(body.team?.id !== undefined && { team: body.team.id }),
    ...(home !== undefined && { home }),
  });
  // A Home click opsbot cannot take is answered where its Home's buttons are: the person's DM, as they last opened it.
  const dm = async () => (await deps.store.get<HomeViewer>(homeViewerKey(body.user.id)))?.channel ?? '';
  const channel =
    home !== undefined
      ? ((opened.ok ? opened.channel : undefined) ?? (await dm()))
      : (body.channel?.id ?? body.container?.channel_id ?? '');
  const actor: Actor = {
    userId: body.user.id,
    channelId: channel,
    ...(body.team?.id !== undefined && { teamId: body.team.id }),
  };
  const container = body.container as { is_ephemeral?: boolean; thread_ts?: string } | undefined;
  const threadTs = (opened.ok ? opened.threadTs : undefined) ?? (body.message?.thread_ts as string | undefined);
  const messageTs = body.container?.message_ts ?? (body.message?.ts as string | undefined);
  const replyTo: ReplyTo = {
    channel,
    ...(body.team?.id !== undefined && { team: body.team.id }),
    ...(home === undefined && { responseUrl: body.response_url }),
    originalPrivate: container?.is_ephemeral !== false,
    ...(threadTs !== undefined && { threadTs }),
    ...(messageTs !== undefined && { messageTs }),
  };
  if (!opened.ok) {
    await deps.audit.record({ action: `button:${kind}`, outcome: 'refused', reason: opened.why, actor, target: {} });
    await deps.jobs.send({
      kind: 'say',
      reply: notice('refused', home !== undefined && opened.why === 'elsewhere' ? NOT_YOUR_HOME : WHY[opened.why], [
        'Ask again, or try ',
        code('/deploy help'),
        '.',
      ]),
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
    ...(home !== undefined && { fromHome: true }),
    // A question a Home button asks (which version?) is answered by typing in the DM: its conversation is the DM's.
    ...(threadTs !== undefined
      ? { threadKey: conversationKey(body.team?.id, channel, threadTs) }
      : home !== undefined && channel !== '' && { threadKey: conversationKey(body.team?.id, channel, undefined) }),
  };
}

/** What a declaration may use at the click: the edge's ports, and the conversation the card was asked in. */
function portsFor(deps: EdgeDeps, click: Click): ButtonPorts {
  return {
    rules: deps.rules,
    people: deps.people,
    claims: deps.claims,
    audit: deps.audit,
    conversation: {
      async end() {
        if (click.threadKey === undefined) return;
        const pending = await deps.store.get<PendingRequest>(click.threadKey);
        if (pending?.userId === click.actor.userId) await deps.store.delete(click.threadKey);
      },
      cancelled: (decision) => deps.planner.cancelled(decision),
    },
  };
}

/** The job that does what the button declared, answering where the click came from. */
function jobFor(work: ButtonWork, click: Click): Job {
  const { actor } = click;
  const replyTo =
    work.replaceOriginal === undefined ? click.replyTo : { ...click.replyTo, replaceOriginal: work.replaceOriginal };
  switch (work.kind) {
    case 'fulfil':
      return {
        kind: 'fulfil',
        intent: work.intent,
        slots: work.slots,
        actor,
        confirmed: work.confirmed,
        replyTo,
        ...((work.inConversation === true || click.fromHome === true) &&
          click.threadKey !== undefined && { conversationKey: click.threadKey }),
      };
    case 'retry-stage':
      return {
        kind: 'retry-stage',
        pipeline: work.pipeline,
        stage: work.stage,
        executionId: work.executionId,
        actor,
        replyTo,
      };
    case 'deploy-action':
      return {
        kind: 'deploy-action',
        action: work.action,
        runId: work.runId,
        ...(work.gateId !== undefined && { gateId: work.gateId }),
        actor,
        replyTo,
      };
    case 'say':
      return { kind: 'say', reply: work.reply, actor, replyTo };
  }
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
function say(click: Click, reply: Reply) {
  return { kind: 'say' as const, reply, actor: click.actor, replyTo: { ...click.replyTo, replaceOriginal: false } };
}
