import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Actor } from '../../intents/define-intent';
import { mayRetry, retryRefusal } from '../../intents/pipelines/retry';
import { type Decision, mention, notice, type Reply, runsOf, strong } from '../../intents/reply';
import type { EdgeDeps } from '../edge-deps';
import { conversationKey, type ReplyTo } from '../jobs';
import { actionPattern, readPayload } from '../views/buttons';

/** A confirmation card can be answered once; remembered for a day. */
const DECISION_TTL_SECONDS = 24 * 60 * 60;
/** A retry started from a card is not started again for ten minutes, however often it is clicked. */
const RETRY_TTL_SECONDS = 10 * 60;

/** Buttons: choosing a slot value, confirming or cancelling a change, retrying a failed stage. */
export function registerActions(app: App, deps: EdgeDeps): void {
  app.action<BlockAction<ButtonAction>>(actionPattern('choose'), async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body);
    const choice = readPayload('choose', action.value);
    if (choice === undefined) return deps.jobs.send(unreadable(click));
    if (choice.userId !== click.actor.userId) {
      return deps.jobs.send(
        say(click, notice('refused', ['This question is for ', mention(choice.userId), '.']), false),
      );
    }
    await deps.jobs.send({
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
    const click = clickOf(body);
    const request = await decide(deps, click, readPayload('confirm', action.value), 'confirm');
    if (request === undefined) return;
    await deps.jobs.send({
      kind: 'fulfil',
      intent: request.intent,
      slots: request.slots,
      actor: click.actor,
      confirmed: true,
      replyTo: { ...click.replyTo, replaceOriginal: true },
    });
  });

  app.action<BlockAction<ButtonAction>>(actionPattern('cancel'), async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body);
    const request = await decide(deps, click, readPayload('cancel', action.value), 'cancel');
    if (request === undefined) return;
    const intent = deps.registry.get(request.intent);
    const what = intent?.confirmation?.(request.slots, deps.planner.ports).action ?? request.intent;
    await deps.jobs.send(say(click, notice('none', ['Cancelled: ', ...runsOf(what), '. Nothing was changed.']), true));
  });

  app.action<BlockAction<ButtonAction>>(actionPattern('retry-stage'), async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body);
    const request = readPayload('retry-stage', action.value);
    if (request === undefined) return deps.jobs.send(unreadable(click));
    if (!mayRetry(deps.rules, request.pipeline, click.actor.userId)) {
      return deps.jobs.send(say(click, retryRefusal(request.pipeline), false));
    }
    // A double click, or two people at once, retry the stage once.
    const key = `retry:${request.pipeline}:${request.executionId}:${request.stage}`;
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
          false,
        ),
      );
    }
    await deps.jobs.send({ ...request, kind: 'retry-stage', actor: click.actor, replyTo: click.replyTo });
  });
}

/**
 * A confirmation card is answered once, by the person who asked: returns the request when this click is that
 * answer; otherwise tells the clicker why nothing happens and returns undefined.
 */
async function decide(
  deps: EdgeDeps,
  click: Click,
  request: Decision | undefined,
  verb: 'confirm' | 'cancel',
): Promise<Decision | undefined> {
  if (request === undefined) {
    await deps.jobs.send(unreadable(click));
    return undefined;
  }
  if (request.userId !== click.actor.userId) {
    await deps.jobs.send(
      say(click, notice('refused', ['Only ', mention(request.userId), ` can ${verb} this.`]), false),
    );
    return undefined;
  }
  if (!(await deps.claims.claim(`decision:${request.nonce}`, DECISION_TTL_SECONDS, verb))) {
    await deps.jobs.send(say(click, notice('none', 'This was already answered; nothing more was done.'), false));
    return undefined;
  }
  return request;
}

interface Click {
  readonly actor: Actor;
  readonly replyTo: ReplyTo;
  readonly threadKey?: string;
}

function clickOf(body: BlockAction): Click {
  const channel = body.channel?.id ?? body.container?.channel_id ?? '';
  const threadTs = body.message?.thread_ts as string | undefined;
  return {
    actor: { userId: body.user.id, channelId: channel, ...(body.team?.id !== undefined && { teamId: body.team.id }) },
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
    notice('none', 'That button is from an older opsbot and no longer works.', [
      'Ask again, or try ',
      { kind: 'code', text: '/deploy help' },
      '.',
    ]),
    false,
  );
}
