import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Actor, Reply } from '../../intents/define-intent';
import { RETRY_ACTION, type RetryRequest } from '../../intents/pipeline-status.handler';
import { ACTIONS, type ButtonState, describe, readButtonState } from '../conversation';
import type { EdgeDeps } from '../edge-deps';
import { conversationKey, type ReplyTo } from '../jobs';

/** A confirmation card can be answered once; remembered for a day. */
const DECISION_TTL_SECONDS = 24 * 60 * 60;

const notice = (text: string, hint?: string): Reply => ({
  text,
  sections: [text],
  ...(hint !== undefined && { context: [hint] }),
  visibility: 'private',
});

/** Buttons: choosing a slot value, confirming or cancelling a change. */
export function registerActions(app: App, deps: EdgeDeps): void {
  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${escapeRegExp(ACTIONS.choose)}(\\.|$)`),
    async ({ ack, body, action }) => {
      await ack();
      const click = clickOf(body, action);
      if (click.state === undefined) return deps.jobs.send(unreadable(click));
      if (click.state.userId !== click.actor.userId) {
        return deps.jobs.send(say(click, notice(`This question is for <@${click.state.userId}>.`), false));
      }
      await deps.jobs.send({
        kind: 'fulfil',
        intent: click.state.intent,
        slots: click.state.slots,
        actor: click.actor,
        confirmed: false,
        replyTo: { ...click.replyTo, replaceOriginal: true },
        ...(click.threadKey !== undefined && { conversationKey: click.threadKey }),
      });
    },
  );

  app.action<BlockAction<ButtonAction>>(ACTIONS.confirm, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    const state = await decide(deps, click, 'confirm');
    if (state === undefined) return;
    await deps.jobs.send({
      kind: 'fulfil',
      intent: state.intent,
      slots: state.slots,
      actor: click.actor,
      confirmed: true,
      replyTo: { ...click.replyTo, replaceOriginal: true },
    });
  });

  app.action<BlockAction<ButtonAction>>(RETRY_ACTION, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    const request = readRetryRequest(action.value);
    if (request === undefined) return deps.jobs.send(unreadable(click));
    if (!deps.access.mayRetryPipeline(request.pipeline, click.actor.userId)) {
      return deps.jobs.send(say(click, notice(`You are not allowed to retry *${request.pipeline}*.`), false));
    }
    // A double click, or two people at once, retry the stage once.
    if (
      !(await deps.store.putIfAbsent(
        `retry:${request.pipeline}:${request.executionId}:${request.stage}`,
        click.actor.userId,
        10 * 60,
      ))
    ) {
      return deps.jobs.send(
        say(click, notice(`A retry of *${request.stage}* in *${request.pipeline}* was already started.`), false),
      );
    }
    await deps.jobs.send({ kind: 'retry-stage', ...request, actor: click.actor, replyTo: click.replyTo });
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.cancel, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    const state = await decide(deps, click, 'cancel');
    if (state === undefined) return;
    const cancelled = `Cancelled: ${state.intent.toLowerCase()} ${describe(state.slots)}. Nothing was changed.`;
    await deps.jobs.send(say(click, notice(cancelled), true));
  });
}

/**
 * A confirmation card is answered once, by the person who asked: returns the request when this click is that
 * answer; otherwise tells the clicker why nothing happens and returns undefined.
 */
async function decide(deps: EdgeDeps, click: Click, verb: 'confirm' | 'cancel'): Promise<ButtonState | undefined> {
  const state = click.state;
  if (state?.nonce === undefined) {
    await deps.jobs.send(unreadable(click));
    return undefined;
  }
  if (state.userId !== click.actor.userId) {
    await deps.jobs.send(say(click, notice(`Only <@${state.userId}> can ${verb} this.`), false));
    return undefined;
  }
  if (!(await deps.store.putIfAbsent(`decision:${state.nonce}`, verb, DECISION_TTL_SECONDS))) {
    await deps.jobs.send(say(click, notice('This was already answered; nothing more was done.'), false));
    return undefined;
  }
  return state;
}

interface Click {
  readonly actor: Actor;
  readonly state: ButtonState | undefined;
  readonly replyTo: ReplyTo;
  readonly threadKey?: string;
}

function clickOf(body: BlockAction, action: ButtonAction): Click {
  const channel = body.channel?.id ?? body.container?.channel_id ?? '';
  const threadTs = body.message?.thread_ts as string | undefined;
  return {
    actor: { userId: body.user.id, channelId: channel, ...(body.team?.id !== undefined && { teamId: body.team.id }) },
    state: readButtonState(action.value),
    replyTo: { channel, responseUrl: body.response_url, ...(threadTs !== undefined && { threadTs }) },
    ...(threadTs !== undefined && { threadKey: conversationKey(body.team?.id, channel, threadTs) }),
  };
}

function say(click: Click, reply: Reply, replaceOriginal: boolean) {
  return { kind: 'say' as const, reply, actor: click.actor, replyTo: { ...click.replyTo, replaceOriginal } };
}

function unreadable(click: Click) {
  return say(
    click,
    notice('That button is from an older opsbot and no longer works.', 'Ask again, or try `/deploy help`.'),
    false,
  );
}

function readRetryRequest(value: string | undefined): RetryRequest | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as Partial<RetryRequest>;
    return typeof parsed.pipeline === 'string' &&
      typeof parsed.stage === 'string' &&
      typeof parsed.executionId === 'string'
      ? { pipeline: parsed.pipeline, stage: parsed.stage, executionId: parsed.executionId }
      : undefined;
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
