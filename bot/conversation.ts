import { randomUUID } from 'node:crypto';
import type { Actor, IntentDefinition, Reply, ReplyAction } from '../intents/define-intent';
import type { UnresolvedSlot } from '../intents/matcher/local-matcher';
import type { IntentRegistry } from '../intents/registry';
import { namesOf, type Vocabulary } from '../intents/vocabulary';
import type { OpsbotConfig } from './config';

/** Action ids of opsbot's buttons. */
export const ACTIONS = {
  choose: 'opsbot.choose',
  confirm: 'opsbot.confirm',
  cancel: 'opsbot.cancel',
} as const;

/** A request still being put together: kept while opsbot waits for a missing slot. */
export interface PendingRequest {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  /** The slot opsbot asked for. */
  readonly awaiting: string;
  readonly userId: string;
}

/** What a button carries back: the whole request, so a click needs no lookup. */
export interface ButtonState {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  /** Who asked (confirmations are theirs to give). */
  readonly userId: string;
  /** Unique per confirmation card: a second click on the same card changes nothing. */
  readonly nonce?: string;
}

export type Step =
  | { readonly kind: 'answer'; readonly reply: Reply }
  | { readonly kind: 'ask'; readonly reply: Reply; readonly pending: PendingRequest }
  | { readonly kind: 'confirm'; readonly reply: Reply }
  | { readonly kind: 'run'; readonly intent: IntentDefinition; readonly slots: Readonly<Record<string, string>> };

/** Tags that move under your feet: refused where an environment is protected. */
const MUTABLE_TAGS = new Set(['latest', 'stable', 'main', 'master', 'head', 'prod', 'production']);

/** How long a half-finished request waits for its missing slot. */
export const PENDING_TTL_SECONDS = 60 * 60;

/**
 * Decides the next step for a request: report an unknown value, ask for a missing slot, refuse what policy
 * forbids, ask for confirmation of a change, or run the handler. Pure: both the slash-command listener (at ack
 * time) and the worker use it, so a request behaves the same whichever way it came in.
 */
export class ConversationPlanner {
  constructor(
    private readonly registry: IntentRegistry,
    private readonly vocabulary: Vocabulary,
    private readonly config: OpsbotConfig,
  ) {}

  plan(input: {
    intent: string;
    slots: Readonly<Record<string, string>>;
    actor: Actor;
    confirmed: boolean;
    unresolved?: UnresolvedSlot;
  }): Step {
    const intent = this.registry.require(input.intent);
    if (input.unresolved !== undefined)
      return { kind: 'answer', reply: this.unknownValue(intent, input.unresolved, input) };

    const [missing] = this.registry.missingSlots(intent.name, input.slots);
    if (missing !== undefined) {
      return {
        kind: 'ask',
        reply: this.askFor(intent, missing, input.slots, input.actor.userId),
        pending: { intent: intent.name, slots: input.slots, awaiting: missing, userId: input.actor.userId },
      };
    }

    const refusal = this.refusal(intent, input.slots, input.actor);
    if (refusal !== undefined) return { kind: 'answer', reply: refusal };

    if (intent.sideEffects && !input.confirmed) {
      return { kind: 'confirm', reply: this.confirmation(intent, input.slots, input.actor.userId) };
    }
    return { kind: 'run', intent, slots: input.slots };
  }

  /** Policy: who may change an environment, and which tags a protected one accepts. */
  private refusal(intent: IntentDefinition, slots: Readonly<Record<string, string>>, actor: Actor): Reply | undefined {
    if (!intent.sideEffects || slots.environment === undefined) return undefined;
    const environment = this.config.environments[slots.environment];
    if (environment === undefined) return undefined;
    if (environment.deployers.length > 0 && !environment.deployers.includes(actor.userId)) {
      const who = environment.deployers.map((u) => `<@${u}>`).join(', ');
      return refusalReply(
        `You are not allowed to change *${slots.environment}*.`,
        `Only ${who} can. Ask one of them to run it, or ask whoever runs opsbot to add you under \`environments.${slots.environment}.deployers\`.`,
      );
    }
    if (environment.protected && slots.version !== undefined && MUTABLE_TAGS.has(slots.version.toLowerCase())) {
      return refusalReply(
        `\`${slots.version}\` is a mutable tag, and *${slots.environment}* is protected: it only takes immutable tags.`,
        `Deploy an exact version instead, like \`/deploy ${slots.service ?? '<service>'} ${slots.environment} v1.8.2\`.`,
      );
    }
    return undefined;
  }

  /** "I don't know a service called X — did you mean Y?", with a button per suggestion that continues the request. */
  private unknownValue(
    intent: IntentDefinition,
    u: UnresolvedSlot,
    input: { slots: Readonly<Record<string, string>>; actor: Actor },
  ): Reply {
    const kind = u.type.toLowerCase();
    const suggestion =
      u.suggestions.length > 0 ? ` — did you mean ${u.suggestions.map((s) => `*${s}*`).join(' or ')}?` : '.';
    const known = namesOf(this.vocabulary, u.type);
    const actions = u.suggestions.map((value, n) =>
      chooseButton(n, value, {
        intent: intent.name,
        slots: { ...input.slots, [u.slot]: value },
        userId: input.actor.userId,
      }),
    );
    return {
      text: `I don't know a ${kind} called "${u.value}"${suggestion}`,
      sections: [`I don't know a ${kind} called “${u.value}”${suggestion}`],
      ...(actions.length > 0 && { actions }),
      context: [`Known ${kind}s: ${known.join(', ')}.`],
      visibility: 'private',
    };
  }

  /** The question for a missing slot, with a button per configured value where there are a few. */
  askFor(intent: IntentDefinition, slot: string, slots: Readonly<Record<string, string>>, userId: string): Reply {
    const declaration = intent.slots[slot];
    const prompt = declaration?.prompt ?? `Which ${slot}?`;
    const choices = declaration === undefined ? [] : namesOf(this.vocabulary, declaration.type);
    const actions =
      choices.length > 0 && choices.length <= 10
        ? choices.map((value, n) =>
            chooseButton(n, value, { intent: intent.name, slots: { ...slots, [slot]: value }, userId }),
          )
        : undefined;
    const sofar = Object.entries(slots).map(([k, v]) => `${k} *${v}*`);
    return {
      text: prompt,
      sections: [prompt],
      ...(actions !== undefined && { actions }),
      context: [
        `${intent.description}${sofar.length > 0 ? ` · so far: ${sofar.join(', ')}` : ''}. Reply in this thread, or use \`${intent.usage ?? '/deploy help'}\`.`,
      ],
      visibility: 'private',
    };
  }

  private confirmation(intent: IntentDefinition, slots: Readonly<Record<string, string>>, userId: string): Reply {
    const summary = `${intent.name === 'Rollback' ? 'Roll back' : intent.name} ${describe(slots)}`;
    const state: ButtonState = { intent: intent.name, slots, userId, nonce: randomUUID() };
    const value = JSON.stringify(state);
    const protectedEnv =
      slots.environment !== undefined && this.config.environments[slots.environment]?.protected === true;
    return {
      text: `Confirm: ${summary.replace(/\*/g, '')}?`,
      title: `Confirm: ${intent.name === 'Rollback' ? 'roll back' : intent.name.toLowerCase()}`,
      sections: [`${summary}?${protectedEnv ? `\n:warning: *${slots.environment}* is a protected environment.` : ''}`],
      actions: [
        { id: ACTIONS.confirm, label: 'Confirm', style: protectedEnv ? 'danger' : 'primary', value },
        { id: ACTIONS.cancel, label: 'Cancel', value },
      ],
      context: [`Requested by <@${userId}>. Only they can confirm.`],
      visibility: 'private',
    };
  }
}

function chooseButton(n: number, value: string, state: ButtonState): ReplyAction {
  return { id: `${ACTIONS.choose}.${n}`, label: value, value: JSON.stringify(state) };
}

function refusalReply(message: string, hint: string): Reply {
  return {
    text: message.replace(/\*/g, ''),
    sections: [`:no_entry: ${message}`],
    context: [hint],
    visibility: 'private',
  };
}

/** `*web* `v1.8.2` to *prod*` — slot values as a person reads them. */
export function describe(slots: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  if (slots.service !== undefined) parts.push(`*${slots.service}*`);
  if (slots.version !== undefined) parts.push(`\`${slots.version}\``);
  if (slots.pipeline !== undefined) parts.push(`*${slots.pipeline}*`);
  if (slots.environment !== undefined)
    parts.push(`${slots.version !== undefined ? 'to' : 'in'} *${slots.environment}*`);
  return parts.join(' ');
}

/** Parses a button's value; undefined when it was not made by opsbot. */
export function readButtonState(value: string | undefined): ButtonState | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<ButtonState>;
    if (typeof parsed.intent !== 'string' || typeof parsed.userId !== 'string' || typeof parsed.slots !== 'object') {
      return undefined;
    }
    const slots = Object.fromEntries(
      Object.entries(parsed.slots ?? {}).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
    return {
      intent: parsed.intent,
      slots,
      userId: parsed.userId,
      ...(typeof parsed.nonce === 'string' && { nonce: parsed.nonce }),
    };
  } catch {
    return undefined;
  }
}
