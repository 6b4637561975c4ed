import { randomBytes } from 'node:crypto';
import type { Chat } from '../../integrations/chat.port';
import { Claims } from '../../integrations/claims';
import { isOpsbotError } from '../../integrations/errors';
import type { Store } from '../../integrations/store.port';
import type { Actor, IntentPorts } from '../../intents/define-intent';
import { lockDetails, takeOverride } from '../../intents/deploys/request-words';
import { decideApproval } from '../../intents/deploys/run/approval';
import { cancelRun } from '../../intents/deploys/run/cancel';
import { answerGate } from '../../intents/deploys/run/gate-answer';
import { FALLBACK_INTENT, type LocalMatcher } from '../../intents/matcher/local-matcher';
import { cleanSlackText, tokenize } from '../../intents/matcher/normalize';
import { MAX_TARGETS, severalTargets } from '../../intents/matcher/several';
import { retryStage } from '../../intents/pipelines/retry';
import { retryClaimKey } from '../../intents/pipelines/retry.policy';
import type { IntentRegistry } from '../../intents/registry';
import { code, notice, type Reply } from '../../intents/reply';
import type { IssuedButtons } from '../cards';
import {
  type ConversationPlanner,
  dropsQuestion,
  MAX_UNDERSTOOD_CHARACTERS,
  PENDING_TTL_SECONDS,
  type PendingRequest,
  type Step,
  tooLong,
} from '../conversation';
import { claimDelivery, type FulfilJob, type InterpretJob, type Job, type PersonJob } from '../jobs';
import { describeError, type Log } from '../logger';
import { answer } from './answer';
import { publishHome, refreshHomes } from './home';
import { type Interpreter, lexSessionId, type Understanding } from './interpreter';

export interface WorkerDeps {
  readonly registry: IntentRegistry;
  readonly matcher: LocalMatcher;
  readonly interpreter: Interpreter;
  readonly planner: ConversationPlanner;
  readonly store: Store;
  readonly chat: Chat;
  /** The buttons opsbot issues: stored, so a click is read from what was stored. */
  readonly buttons: IssuedButtons;
  readonly ports: IntentPorts;
  readonly log: Log;
  readonly botUserId?: string;
}

/**
 * Runs one job: understands the text (continuing a conversation where one is pending), plans the next step,
 * runs the handler when the request is complete, and answers. Every failure ends in an answer to the person.
 */
export async function runJob(job: Job, deps: WorkerDeps, options: { readonly deadline?: number } = {}): Promise<void> {
  try {
    if (!(await claimDelivery(job, new Claims(deps.store)))) {
      deps.log.info('slack.duplicate_dropped', { delivery: job.delivery, kind: job.kind });
      return;
    }
    if (job.kind === 'home') {
      await publishHome(job, deps);
      return;
    }
    if (job.kind === 'say') {
      await answer(job.replyTo, job.actor.userId, job.reply, deps);
      return;
    }
    if (job.kind === 'retry-stage') {
      const { reply, outcome, card } = await retryStage(job, job.actor, deps.ports);
      // Refused here (the rules or Slack's answer changed since the click): nothing started, so Retry stays open.
      if (outcome === 'refused') await new Claims(deps.store).release(retryClaimKey(job));
      if (card !== undefined) {
        // The card shows the new attempt in place (no stale Retry button); the retry is told in its thread.
        await answer({ ...job.replyTo, replaceOriginal: true }, job.actor.userId, card, deps);
        const thread = job.replyTo.threadTs ?? job.replyTo.messageTs;
        await answer(
          { ...job.replyTo, replaceOriginal: false, ...(thread !== undefined && { threadTs: thread }) },
          job.actor.userId,
          reply,
          deps,
        );
        return;
      }
      await answer(job.replyTo, job.actor.userId, reply, deps);
      return;
    }
    if (job.kind === 'deploy-action') {
      const reply =
        job.action === 'cancel'
          ? await cancelRun(job.runId, job.actor, deps.ports)
          : job.action === 'gate-continue' || job.action === 'gate-rollback'
            ? await answerGate(
                job.runId,
                job.gateId ?? '',
                job.action === 'gate-continue' ? 'continue' : 'rollback',
                job.actor,
                deps.ports,
              )
            : await decideApproval(job.runId, job.action === 'approve', job.actor, deps.ports);
      // The deploy's message shows what happened; the clicker alone hears why nothing did.
      if (reply !== undefined) await answer(job.replyTo, job.actor.userId, { ...reply, visibility: 'private' }, deps);
      return;
    }
    const step = job.kind === 'interpret' ? await interpret(job, deps, options.deadline) : await fulfil(job, deps);
    await perform(step, job, deps);
  } catch (error) {
    await answerFailure(error, job, deps);
  }
  // A button on a deploy or a retried stage changed what the Home tabs show (a request run says so itself: `perform`).
  if (job.kind === 'deploy-action' || job.kind === 'retry-stage') await refreshHomes(deps);
}

async function interpret(job: InterpretJob, deps: WorkerDeps, deadline?: number): Promise<Step> {
  const said = cleanSlackText(job.text, deps.botUserId);
  if (said.length > MAX_UNDERSTOOD_CHARACTERS) return { kind: 'answer', reply: tooLong() };
  const stored = await deps.store.get<PendingRequest>(job.conversationKey);
  const pending = stored !== undefined && stored.userId === job.actor.userId ? stored : undefined;
  if (pending !== undefined && dropsQuestion(said)) {
    // "never mind" while opsbot asks: the request is dropped (the answer deletes the conversation), not read as a value.
    await deps.ports.audit.record({
      action: pending.intent,
      outcome: 'cancelled',
      actor: job.actor,
      target: pending.slots,
    });
    return {
      kind: 'answer',
      reply: inConversation(deps.planner.dropped(pending.intent, pending.slots, job.actor.userId), job),
    };
  }
  const sessionId = lexSessionId(job.actor.teamId, job.replyTo.channel, job.replyTo.threadTs, job.actor.userId);
  // `override: <why>` (an admin deploying into a freeze) is said after the request, not understood as part of it.
  const { text, override } = takeOverride(job.text);
  const asked = cleanSlackText(text, deps.botUserId);
  const read = await deps.interpreter.understand(text, {
    sessionId,
    ...(deadline !== undefined && { deadline }),
  });
  const understood = {
    ...read,
    slots: {
      ...read.slots,
      ...(override !== undefined && { override }),
      ...(read.intent === 'Lock' && lockDetails(asked, (word) => deps.matcher.namesAnything(word))),
    },
  };
  if (pending === undefined) {
    // Meaning before keywords: a message in a language opsbot does not read, a request said in the negative or as a
    // hypothetical, and an action read through a typo are answered before anything is planned.
    if (read.unsupportedLanguage !== undefined) {
      return { kind: 'answer', reply: inConversation(deps.planner.unspoken(read.unsupportedLanguage), job) };
    }
    if (read.declined !== undefined) {
      return { kind: 'answer', reply: inConversation(deps.planner.declined(read.declined), job) };
    }
    if (read.uncertain === true) {
      const reply = deps.planner.didYouMean(understood.intent, understood.slots, job.actor.userId);
      return { kind: 'answer', reply: inConversation(reply, job) };
    }
  }
  const several =
    pending === undefined && MANY_TARGETS.has(understood.intent)
      ? severalTargets(deps.matcher, asked, (understood.slots as Readonly<Record<string, string | undefined>>).source)
      : undefined;
  if (several !== undefined) return planSeveral(understood.intent, several, understood.slots, job, deps);
  if (pending !== undefined) {
    // A reply to opsbot's question is read as the value asked for: with Lex only when Lex placed nothing (its
    // session holds the dialog); without Lex unless the reply is plainly a new request.
    const asValue = deps.interpreter.usesLex
      ? understood.intent === FALLBACK_INTENT
      : !isNewRequest(pending, understood);
    const continued = asValue ? continueRequest(pending, job.text, deps) : undefined;
    if (continued !== undefined) {
      return await deps.planner.plan({ intent: pending.intent, slots: continued, actor: job.actor, confirmed: false });
    }
    if (understood.intent === FALLBACK_INTENT) {
      const intent = deps.registry.require(pending.intent);
      const preface = `I didn't catch a ${pending.awaiting} in that.`;
      return {
        kind: 'ask',
        reply: await deps.planner.askFor(intent, pending.awaiting, pending.slots, job.actor.userId, preface),
        pending,
      };
    }
  }
  const slots =
    pending !== undefined && pending.intent === understood.intent
      ? { ...pending.slots, ...understood.slots }
      : understood.slots;
  const step = await deps.planner.plan({
    intent: understood.intent,
    slots,
    actor: job.actor,
    confirmed: false,
    ...(understood.unresolved !== undefined && { unresolved: understood.unresolved }),
  });
  if (step.kind === 'ask' && understood.prompt !== undefined && understood.slotToElicit === step.pending.awaiting) {
    // Lex asked for this slot: show Lex's own prompt, keeping opsbot's buttons.
    return { ...step, reply: { ...step.reply, summary: understood.prompt, sections: [[understood.prompt]] } };
  }
  return step;
}

/** The changes a message may ask of several services or environments at once: one card each. */
const MANY_TARGETS = new Set(['Deploy', 'Promote', 'Rollback']);

/**
 * "deploy web and api to staging": each target planned on its own (its card, its question, its refusal), never
 * silently fewer than asked; the person is told first how many there are.
 */
async function planSeveral(
  intent: string,
  targets: ReadonlyArray<Record<string, string>>,
  said: Readonly<Record<string, string>>,
  job: InterpretJob,
  deps: WorkerDeps,
): Promise<Step> {
  const names = targets.map((t) => [t.service, t.environment].filter(Boolean).join(' in '));
  if (targets.length > MAX_TARGETS) {
    return {
      kind: 'answer',
      reply: notice(
        'refused',
        `That names ${targets.length} targets (${names.join(', ')}); I take at most ${MAX_TARGETS} in one message, so nothing was asked.`,
        'Ask for fewer at a time.',
      ),
    };
  }
  // What was said besides the targets (an admin's freeze override) goes with each of them.
  const rest = Object.fromEntries(
    Object.entries(said).filter(([slot]) => !['service', 'environment', 'version'].includes(slot)),
  );
  const steps: Step[] = [];
  for (const target of targets) {
    steps.push(await deps.planner.plan({ intent, slots: { ...rest, ...target }, actor: job.actor, confirmed: false }));
  }
  const verb = intent === 'Rollback' ? 'roll back' : 'deploy';
  return {
    kind: 'several',
    preface: notice('none', [
      `You asked to ${verb} ${names.length} targets: ${names.join(', ')}. One card each, below.`,
    ]),
    steps,
  };
}

/** How sure the matcher must be that a reply in a conversation is a different request. */
const NEW_REQUEST_CONFIDENCE = 0.6;

/** "what is deployed in prod?" in reply to "which environment?" is a new question, not the answer. */
function isNewRequest(pending: PendingRequest, understood: Understanding): boolean {
  return (
    understood.intent !== FALLBACK_INTENT &&
    understood.intent !== pending.intent &&
    understood.confidence >= NEW_REQUEST_CONFIDENCE
  );
}

/** Fills the awaited slot (and any other missing ones) from a reply in the conversation; undefined if it has none. */
function continueRequest(pending: PendingRequest, text: string, deps: WorkerDeps): Record<string, string> | undefined {
  const intent = deps.registry.require(pending.intent);
  const declaration = intent.slots[pending.awaiting];
  if (declaration === undefined) return undefined;
  const cleaned = cleanSlackText(text, deps.botUserId);
  const whole = deps.matcher.resolver.resolve(declaration.type, cleaned);
  const { slots: found } = deps.matcher.fillSlots(intent, tokenize(cleaned));
  const merged: Record<string, string> = { ...found, ...pending.slots };
  if (whole !== undefined) merged[pending.awaiting] = whole;
  return merged[pending.awaiting] === undefined ? undefined : merged;
}

async function fulfil(job: FulfilJob, deps: WorkerDeps): Promise<Step> {
  return deps.planner.plan({ intent: job.intent, slots: job.slots, actor: job.actor, confirmed: job.confirmed });
}

/**
 * Says or does a step. The thread's conversation (the question a typed reply answers) is kept or ended by the step,
 * except for the targets of a request for several, whose conversation their `several` step keeps as a whole.
 */
async function perform(step: Step, job: PersonJob, deps: WorkerDeps, target = false): Promise<void> {
  const key = target ? undefined : job.conversationKey;
  const reply = (r: Reply) => answer(job.replyTo, job.actor.userId, r, deps);
  switch (step.kind) {
    case 'several': {
      // One conversation a thread: a typed reply answers the first question; the others are answered by their
      // buttons, and no target's card or refusal ends another's question.
      const question = step.steps.find((each) => each.kind === 'ask');
      if (key !== undefined) {
        if (question?.kind === 'ask') await deps.store.put(key, question.pending, PENDING_TTL_SECONDS);
        else await deps.store.delete(key);
      }
      await reply(inConversation(step.preface, job));
      for (const each of step.steps) await perform(each, job, deps, true);
      return;
    }
    case 'ask':
      if (key !== undefined) await deps.store.put(key, step.pending, PENDING_TTL_SECONDS);
      await reply(inConversation(step.reply, job));
      return;
    case 'answer':
    case 'confirm':
      if (key !== undefined) await deps.store.delete(key);
      await reply(step.kind === 'answer' && step.question === true ? inConversation(step.reply, job) : step.reply);
      return;
    case 'handover':
      // Only the acknowledgement's planner, which has no behaviour, hands a change over; this one plans it.
      throw new Error(`the worker's planner handed ${job.kind} over`);
    case 'run': {
      if (key !== undefined) await deps.store.delete(key);
      const actor: Actor = job.actor;
      const intent = deps.registry.require(step.intent.name);
      deps.log.info('intent.run', { intent: intent.name, slots: step.slots, user: actor.userId });
      const answered = await intent.handle(
        { intent: intent.name, slots: step.slots, actor, ...(job.kind === 'interpret' && { text: job.text }) },
        deps.ports,
      );
      try {
        await reply(answered);
      } catch (error) {
        // What was asked has been done: a failure to say so must not say that nothing was.
        throw intent.sideEffects ? new DoneButUntold(error) : error;
      }
      // A change made (a deploy or rollback started, a lock) is on the Home tabs of those looking: once answered.
      if (intent.sideEffects) await refreshHomes(deps);
      return;
    }
  }
}

/** A question in a thread is asked in the thread, where the person answers it (a command's stays with them). */
function inConversation(reply: Reply, job: PersonJob): Reply {
  return job.replyTo.threadTs !== undefined ? { ...reply, visibility: 'channel' } : reply;
}

/** A change that was made, whose answer Slack did not take. */
class DoneButUntold extends Error {
  constructor(readonly original: unknown) {
    super('the change was made; its answer could not be sent');
    this.name = 'DoneButUntold';
  }
}

async function answerFailure(error: unknown, job: Job, deps: WorkerDeps): Promise<void> {
  if (job.kind === 'home') {
    // Nobody asked a question: the Home tab keeps what it showed, and the log says why it was not refreshed.
    deps.log.error('home.publish_failed', { user: job.userId, error: describeError(error) });
    return;
  }
  let reply: Reply;
  if (error instanceof DoneButUntold) {
    const ref = randomBytes(4).toString('hex');
    deps.log.error('job.answer_failed', { ref, kind: job.kind, error: describeError(error.original) });
    reply = notice(
      'warning',
      ['What you asked was done, but Slack did not take my answer (reference ', code(ref), ').'],
      'A deploy’s message follows in the channel once Slack answers; do not ask again.',
    );
  } else if (isOpsbotError(error)) {
    deps.log.info('intent.refused', { code: error.code, user: job.actor.userId });
    reply = notice('warning', error.userMessage, error.hint);
  } else {
    const ref = randomBytes(4).toString('hex');
    deps.log.error('job.failed', { ref, kind: job.kind, error: describeError(error) });
    reply = notice(
      'error',
      ['Something went wrong on my side (reference ', code(ref), '). Nothing further was done.'],
      'Try again in a minute; if it keeps happening, give the reference to whoever runs opsbot.',
    );
  }
  try {
    await answer(job.replyTo, job.actor.userId, reply, deps);
  } catch (postError) {
    deps.log.error('job.answer_failed', { error: describeError(postError) });
  }
}
