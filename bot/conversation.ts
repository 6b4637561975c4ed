import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type IntentBehaviour,
  type IntentDeclaration,
  type IntentDefinition,
  type IntentPorts,
  missingSlots,
  type Refusal,
} from '../intents/define-intent';
import type { UnresolvedSlot } from '../intents/matcher/local-matcher';
import type { IntentRegistry } from '../intents/registry';
import {
  type Button,
  code,
  type Decision,
  type Line,
  mention,
  notice,
  type Reply,
  type Run,
  runsOf,
  status,
  strong,
} from '../intents/reply';
import { namesOf } from '../intents/vocabulary';

/** The Cancel of a question: drops the request as it stood (the same answer as "cancel" typed in the thread). */
function cancelButton(intent: string, slots: Readonly<Record<string, string>>, userId: string): Button {
  return { label: 'Cancel', payload: { kind: 'cancel', intent, slots, userId, nonce: randomUUID() } };
}

/** "cancel", "never mind", "stop", "forget it" (and the same in Korean, Spanish, German): a question dropped. */
const DROP =
  /^(?:(?:ok(?:ay)?|no|oh|please)[\s,.!]+)*(?:cancel(?:\s+(?:it|that))?|never\s*mind|nvm|stop|forget\s+(?:it|that|about\s+it)|abort|drop\s+it|quit|취소|그만|됐어|cancelar|olvídalo|abbrechen|vergiss\s+es)(?:[\s,.!]+(?:please|thanks|thank\s+you))*[\s.!]*$/iu;

/** Whether a reply to opsbot's question drops the request instead of answering it. */
export function dropsQuestion(text: string): boolean {
  return DROP.test(text.trim());
}

/**
 * The most text opsbot reads in one message: Lex V2's RecognizeText input limit (1,024 characters). The local
 * matcher gets no more, so a message is understood the same way whichever of them reads it.
 */
export const MAX_UNDERSTOOD_CHARACTERS = 1024;

/** The answer to a message longer than opsbot reads. */
export function tooLong(): Reply {
  return notice('refused', "That's longer than I can read; please shorten it.", [
    `I read up to ${MAX_UNDERSTOOD_CHARACTERS.toLocaleString('en')} characters. Try `,
    code('/deploy help'),
    ' for the short forms.',
  ]);
}

/** A language's name in English, from its ISO 639-1 code (`fr` → French). */
function languageName(code: string): string | undefined {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(code);
    return name === undefined || name === code ? undefined : name;
  } catch {
    return undefined;
  }
}

/** A request as it stood when it was dropped: "deploy api prod". */
function asItStood(intent: string, slots: Readonly<Record<string, string>>): string {
  return [intent.toLowerCase(), ...Object.values(slots)].join(' ');
}

/** "Cancelled: <what>. Nothing was changed.", for the channel, with who cancelled it. */
function cancelledReply(what: readonly Run[], userId: string): Reply {
  return {
    summary: ['Cancelled: ', ...what, '. Nothing was changed.'],
    sections: [[[status('none'), ' Cancelled: ', ...what, '. Nothing was changed.']]],
    context: [['Cancelled by ', mention(userId), '.']],
    visibility: 'channel',
  };
}

/** An intent as the planner reads it: declared, with its behaviour when the worker plans. */
type PlannedIntent = IntentDeclaration & Partial<IntentBehaviour>;

/** What the planner reads besides the intents: the names people use, and the audit that records refusals. */
export type PlannerPorts = Pick<IntentPorts, 'vocabulary' | 'audit'>;

/** A request still being put together: kept while opsbot waits for a missing slot. */
export interface PendingRequest {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  /** The slot opsbot asked for. */
  readonly awaiting: string;
  readonly userId: string;
}

export type Step =
  /** `question`: the answer asks something back (did you mean…?) and the conversation goes on. */
  | { readonly kind: 'answer'; readonly reply: Reply; readonly question?: boolean }
  | { readonly kind: 'ask'; readonly reply: Reply; readonly pending: PendingRequest }
  | { readonly kind: 'confirm'; readonly reply: Reply }
  | { readonly kind: 'run'; readonly intent: IntentDeclaration; readonly slots: Readonly<Record<string, string>> }
  /** A change the acknowledgement's planner cannot plan (its policy reads the account): the worker's to plan. */
  | { readonly kind: 'handover' }
  /** A request for several targets: said first, then each target's own step (a card, a question, a refusal). */
  | { readonly kind: 'several'; readonly preface: Reply; readonly steps: readonly Step[] };

/** How long a half-finished request waits for its missing slot. */
export const PENDING_TTL_SECONDS = 60 * 60;

export interface PlanInput {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly actor: Actor;
  readonly confirmed: boolean;
  readonly unresolved?: UnresolvedSlot;
}

/**
 * The dialog: report a value it does not know, ask for a missing slot, apply the intent's own policy, ask for
 * confirmation of a change, or run it. Pure, so the slash-command listener (at ack time) and the worker plan a
 * request the same way, whichever way it came in. What a change may do is the intent's decision (`check`); only
 * the mechanics live here.
 */
export class ConversationPlanner {
  private constructor(
    private readonly registry: IntentRegistry<PlannedIntent>,
    private readonly ports: PlannerPorts,
    /** What the intents' behaviour reads; none on the acknowledgement path, which plans no change. */
    private readonly behaviourPorts: IntentPorts | undefined,
  ) {}

  /** The worker's planner: every intent with its behaviour (its policy, its confirmation card, the values offered). */
  static withBehaviour(registry: IntentRegistry<IntentDefinition>, ports: IntentPorts): ConversationPlanner {
    return new ConversationPlanner(registry, ports, ports);
  }

  /**
   * The acknowledgement's planner, from the declarations alone: it answers what needs no behaviour (a name it does
   * not know, a question's missing detail) and hands a change over to the worker, whose policy reads the account.
   */
  static fromDeclarations(registry: IntentRegistry<IntentDeclaration>, ports: PlannerPorts): ConversationPlanner {
    return new ConversationPlanner(registry, ports, undefined);
  }

  async plan(input: PlanInput): Promise<Step> {
    const intent = this.registry.require(input.intent);
    if (input.unresolved !== undefined) {
      return { kind: 'answer', reply: this.unknownValue(intent, input), question: true };
    }
    const full = this.behaviourPorts;
    if (full === undefined && intent.sideEffects) return { kind: 'handover' };

    const [missing] = missingSlots(intent, input.slots);
    if (missing !== undefined) {
      const early =
        full && (await intent.checkEarly?.({ intent: intent.name, slots: input.slots, actor: input.actor }, full));
      if (early !== undefined) return this.refused(intent, input, early);
      return {
        kind: 'ask',
        reply: await this.askFor(intent, missing, input.slots, input.actor.userId),
        pending: { intent: intent.name, slots: input.slots, awaiting: missing, userId: input.actor.userId },
      };
    }

    const refusal =
      full && (await intent.check?.({ intent: intent.name, slots: input.slots, actor: input.actor }, full));
    if (refusal !== undefined) return this.refused(intent, input, refusal);

    // A change always has its behaviour here (without it, it was handed over above).
    if (intent.sideEffects && intent.confirm !== false && !input.confirmed && full !== undefined) {
      return { kind: 'confirm', reply: await this.confirmation(intent, input.slots, input.actor.userId, full) };
    }
    return { kind: 'run', intent, slots: input.slots };
  }

  private async refused(intent: PlannedIntent, input: PlanInput, refusal: Refusal): Promise<Step> {
    await this.ports.audit.record({
      action: intent.name,
      outcome: 'refused',
      reason: refusal.reason,
      actor: input.actor,
      target: input.slots,
    });
    return { kind: 'answer', reply: refusal.reply };
  }

  /**
   * A request said in the negative or as a hypothetical ("don't deploy api yet", "what if I roll back web?"):
   * nothing is done, and the person hears how to ask for it when they mean it.
   */
  declined({
    mood,
    intent,
    slots,
  }: {
    readonly mood: 'negated' | 'hypothetical';
    readonly intent: string;
    readonly slots: Readonly<Record<string, string>>;
  }): Reply {
    const request = asItStood(intent, slots);
    const said: Run[] =
      mood === 'negated'
        ? ['OK, nothing to do: I won’t ', code(request), '.']
        : ['I only act when asked directly, so nothing was changed.'];
    return {
      summary: said,
      sections: [[[status('none'), ' ', ...said]]],
      context: [
        [
          'When you want it, ask for it: ',
          code(request),
          ' (a change shows a Confirm card first). Replies are in English; I read English, Korean, Spanish and German.',
        ],
      ],
      visibility: 'private',
    };
  }

  /** A message in a language opsbot does not read: which ones it does. */
  unspoken(language: string): Reply {
    const name = languageName(language);
    const said = `I can’t read ${name === undefined ? 'that language' : name} yet.`;
    return {
      summary: said,
      sections: [
        [[status('none'), ` ${said} I understand English, Korean (한국어), Spanish (español) and German (Deutsch).`]],
      ],
      context: [['I answer in English. Try ', code('/deploy help'), ' for what I can do.']],
      visibility: 'private',
    };
  }

  /** "Did you mean …?" for an action read through a typo or a loose match: a button does it, Cancel drops it. */
  didYouMean(intent: string, slots: Readonly<Record<string, string>>, userId: string): Reply {
    const request = asItStood(intent, slots);
    return {
      summary: ['Did you mean ', code(request), '?'],
      sections: [[['Did you mean ', code(request), '?']]],
      buttons: [
        { label: `Yes: ${request}`.slice(0, 75), payload: { kind: 'choose', intent, slots, userId } },
        cancelButton(intent, slots, userId),
      ],
      context: [['Nothing happens until you press a button; a change still shows a Confirm card.']],
      visibility: 'private',
    };
  }

  /** A request someone dropped while opsbot was asking (the Cancel button, or "cancel" in the thread). */
  dropped(intent: string, slots: Readonly<Record<string, string>>, userId: string): Reply {
    return cancelledReply([code(asItStood(intent, slots))], userId);
  }

  /** "I don't know a service called X — did you mean Y?", with a button per suggestion that continues the request. */
  private unknownValue(intent: PlannedIntent, input: PlanInput): Reply {
    const u = input.unresolved as UnresolvedSlot;
    const kind = u.type.toLowerCase();
    const suggestion: Run[] =
      u.suggestions.length > 0
        ? [' — did you mean ', ...u.suggestions.flatMap((s, i) => (i === 0 ? [strong(s)] : [' or ', strong(s)])), '?']
        : ['.'];
    const buttons = [
      ...u.suggestions.map(
        (value): Button => ({
          label: value,
          payload: {
            kind: 'choose',
            intent: intent.name,
            slots: { ...input.slots, [u.slot]: value },
            userId: input.actor.userId,
          },
        }),
      ),
      cancelButton(intent.name, input.slots, input.actor.userId),
    ];
    const a = /^[aeiou]/.test(kind) ? 'an' : 'a';
    return {
      summary: [`I don't know ${a} ${kind} called “`, u.value, '”', ...suggestion],
      sections: [[[`I don't know ${a} ${kind} called “`, u.value, '”', ...suggestion]]],
      buttons,
      context: [`Known ${kind}s: ${namesOf(this.ports.vocabulary, u.type).join(', ')}.`],
      visibility: 'private',
    };
  }

  /** The question for a missing slot, with a button per configured value where there are a few. */
  async askFor(
    intent: PlannedIntent,
    slot: string,
    slots: Readonly<Record<string, string>>,
    userId: string,
    preface?: Line,
  ): Promise<Reply> {
    const declaration = intent.slots[slot];
    const prompt = declaration?.prompt ?? `Which ${slot}?`;
    const named = declaration === undefined ? [] : namesOf(this.ports.vocabulary, declaration.type);
    const choices =
      named.length > 0
        ? named.map((value) => ({ value, label: value }))
        : ((this.behaviourPorts && (await intent.choices?.(slot, slots, this.behaviourPorts).catch(() => undefined))) ??
          []);
    // Every question can be dropped: a Cancel button beside the choices.
    const buttons = [
      ...(choices.length > 0 && choices.length <= 10
        ? choices.map(
            (choice): Button => ({
              label: choice.label,
              payload: { kind: 'choose', intent: intent.name, slots: { ...slots, [slot]: choice.value }, userId },
            }),
          )
        : []),
      cancelButton(intent.name, slots, userId),
    ];
    const sofar = Object.entries(slots).flatMap(([k, v], i): Run[] => [...(i === 0 ? [] : [', ']), `${k} `, strong(v)]);
    return {
      summary: prompt,
      sections: [[[...(preface !== undefined ? [...runsOf(preface), ' '] : []), prompt]]],
      buttons,
      context: [
        [
          intent.description,
          ...(sofar.length > 0 ? [' · so far: ', ...sofar] : []),
          '. Reply in this thread, or use ',
          code(intent.usage ?? '/deploy help'),
          '.',
        ],
      ],
      visibility: 'private',
    };
  }

  /** The answer to Cancel on a confirmation card (or a question), where the card was: the change as the card said it. */
  async cancelled(decision: Decision): Promise<Reply> {
    const intent = this.registry.get(decision.intent);
    // A question's Cancel: the request was never complete, so it is said as it stood.
    if (intent === undefined || missingSlots(intent, decision.slots).length > 0)
      return this.dropped(decision.intent, decision.slots, decision.userId);
    // A card issued before cards kept their action says the request as it stood.
    return cancelledReply(runsOf(decision.action ?? asItStood(intent.name, decision.slots)), decision.userId);
  }

  private async confirmation(
    intent: PlannedIntent,
    slots: Readonly<Record<string, string>>,
    userId: string,
    ports: IntentPorts,
  ): Promise<Reply> {
    const text = (await intent.confirmation?.(slots, ports)) ?? { action: intent.description };
    // What the card pinned travels with its buttons (stored by opsbot, never read back from Slack), and so does the
    // change as the card states it, which Cancel repeats.
    const pins = Object.fromEntries(Object.entries(text.pins ?? {}).map(([name, value]) => [`pinned:${name}`, value]));
    const request = { intent: intent.name, slots: { ...slots, ...pins }, userId, nonce: randomUUID() };
    return {
      title: text.title ?? `Confirm: ${intent.name.toLowerCase()}`,
      summary: ['Confirm: ', ...runsOf(text.action), '?'],
      sections: [
        [
          [...runsOf(text.action), '?'],
          ...(text.details !== undefined ? [text.details] : []),
          ...(text.afterConfirm !== undefined ? [text.afterConfirm] : []),
          ...(text.warning !== undefined ? [[status('warning'), ' ', ...runsOf(text.warning)]] : []),
          ...(text.warnings ?? []).map((w) => [status('warning'), ' ', ...runsOf(w)]),
        ],
        ...(text.changes !== undefined && text.changes.length > 0 ? [text.changes] : []),
      ],
      buttons: [
        {
          label: 'Confirm',
          style: text.danger === true ? 'danger' : 'primary',
          payload: { kind: 'confirm', ...request },
        },
        { label: 'Cancel', payload: { kind: 'cancel', ...request, action: text.action } },
      ],
      context: [['Requested by ', mention(userId), '. Only they can confirm.']],
      // The team sees what is about to change, and who asked.
      visibility: 'channel',
    };
  }
}
