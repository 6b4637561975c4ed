import type { Audit } from '../integrations/audit.port';
import type { Claims } from '../integrations/claims';
import type { AccessPorts } from './access';
import type { Actor } from './define-intent';
import type { ButtonPayload, Decision, Reply } from './reply';

export type ButtonKind = ButtonPayload['kind'];
export type PayloadOf<K extends ButtonKind> = Extract<ButtonPayload, { kind: K }>;

/** A click on a button opsbot issued: what the stored card says it asks, and who clicked. */
export interface ButtonClick<P extends ButtonPayload = ButtonPayload> {
  /** The card the button is on: one answer a card, where a button is answered once per card. */
  readonly cardId: string;
  readonly actor: Actor;
  readonly payload: P;
}

/** The conversation a card was asked in (the edge keeps it). */
export interface ButtonConversation {
  /** Ends the conversation the card asked in, when it waits on the clicker, so a later reply is not its answer. */
  end(): Promise<void>;
  /** What a request cancelled on its card says. */
  cancelled(decision: Decision): Promise<Reply>;
}

/** What a button may use at the click: the rules and people, claims, the audit, and the card's conversation. */
export interface ButtonPorts extends AccessPorts {
  readonly claims: Claims;
  readonly audit: Audit;
  readonly conversation: ButtonConversation;
}

/** Why the clicker may not press it: told to them alone, and written to the audit when `audit` says how. */
export interface ButtonRefusal {
  readonly reply: Reply;
  readonly audit?: {
    readonly action: string;
    readonly reason: string;
    readonly target: Readonly<Record<string, string>>;
  };
}

/**
 * What a click has the worker do. `replaceOriginal`: the card is replaced by the answer (true), left as it is
 * (false), or answered as the click's reply target says (unset).
 */
export type ButtonWork = (
  | {
      readonly kind: 'fulfil';
      readonly intent: string;
      readonly slots: Readonly<Record<string, string>>;
      /** Confirmed by this button: a side effect runs without asking again. */
      readonly confirmed: boolean;
      /** Continues the conversation the card was asked in. */
      readonly inConversation?: boolean;
    }
  | { readonly kind: 'retry-stage'; readonly pipeline: string; readonly stage: string; readonly executionId: string }
  | {
      readonly kind: 'deploy-action';
      readonly action: 'cancel' | 'approve' | 'reject' | 'gate-continue' | 'gate-rollback';
      readonly runId: string;
      readonly gateId?: string;
    }
  | { readonly kind: 'say'; readonly reply: Reply }
) & { readonly replaceOriginal?: boolean };

export interface ButtonDefinition<K extends ButtonKind> {
  readonly kind: K;
  readonly description: string;
  /** Who may press it: a refusal, or nothing when the clicker may. Without it, anyone who can see the card may. */
  readonly refusal?: (
    click: ButtonClick<PayloadOf<K>>,
    ports: ButtonPorts,
  ) => Promise<ButtonRefusal | undefined> | ButtonRefusal | undefined;
  /**
   * Counted once: the claim a click must win, so a double click (or two people at once) does it once. A click that
   * loses is told `already`, or nothing. The claim is given up if the work cannot be handed to the worker.
   */
  readonly once?: {
    readonly key: (click: ButtonClick<PayloadOf<K>>) => string;
    readonly ttlSeconds: number;
    /** What the claim holds (who, or which answer); 1 when unsaid. */
    readonly holder?: (click: ButtonClick<PayloadOf<K>>) => unknown;
    readonly already?: (payload: PayloadOf<K>) => Reply;
  };
  /** What it does: the work the worker is handed. */
  readonly does: (click: ButtonClick<PayloadOf<K>>, ports: ButtonPorts) => Promise<ButtonWork> | ButtonWork;
}

/** A button of any kind, as the registry holds them. */
export type AnyButton = { [K in ButtonKind]: Button<K> }[ButtonKind];

/** What became of a click: refused or a repeat (with what to tell the clicker, if anything), or work to hand over. */
export type Pressed =
  | { readonly kind: 'told'; readonly reply?: Reply }
  | { readonly kind: 'work'; readonly work: ButtonWork; readonly claim?: string };

export interface Button<K extends ButtonKind = ButtonKind> extends ButtonDefinition<K> {
  /** Decides a click: who may, once only, then what it does. The click must be of this button's kind. */
  press(click: ButtonClick, ports: ButtonPorts): Promise<Pressed>;
}

/**
 * Declares what a kind of button means, in the capability that issues it, the way intents and reactions are
 * declared: who may press it, whether it counts once, and what it does. The edge only opens the stored card, checks
 * person, workspace, channel and expiry, and hands the click to the declaration of its kind.
 * @example
 * export const retryStageButton = defineButton({
 *   kind: 'retry-stage', description: 'Retry the failed actions of a pipeline stage',
 *   refusal: async ({ payload, actor }, ports) => …,
 *   once: { key: ({ payload }) => `retry:${payload.pipeline}`, ttlSeconds: 600 },
 *   does: ({ payload }) => ({ kind: 'retry-stage', pipeline: payload.pipeline, … }),
 * });
 */
export function defineButton<K extends ButtonKind>(definition: ButtonDefinition<K>): Button<K> {
  return {
    ...definition,
    async press(click, ports) {
      if (click.payload.kind !== definition.kind) {
        throw new Error(`A ${click.payload.kind} click was handed to the ${definition.kind} button`);
      }
      const own = click as ButtonClick<PayloadOf<K>>;
      const refused = await definition.refusal?.(own, ports);
      if (refused !== undefined) {
        if (refused.audit !== undefined) {
          await ports.audit.record({ ...refused.audit, outcome: 'refused', actor: own.actor });
        }
        return { kind: 'told', reply: refused.reply };
      }
      const once = definition.once;
      const claim = once?.key(own);
      if (once !== undefined && claim !== undefined) {
        if (!(await ports.claims.claim(claim, once.ttlSeconds, once.holder?.(own) ?? 1))) {
          return { kind: 'told', ...(once.already !== undefined && { reply: once.already(own.payload) }) };
        }
      }
      return { kind: 'work', work: await definition.does(own, ports), ...(claim !== undefined && { claim }) };
    },
  };
}

/** The buttons opsbot issues, found by kind. Built from an explicit array. */
export class ButtonRegistry {
  private readonly byKind = new Map<ButtonKind, AnyButton>();

  /** @throws when two declarations claim one kind. */
  constructor(readonly all: readonly AnyButton[]) {
    for (const button of all) {
      if (this.byKind.has(button.kind)) throw new Error(`Two buttons are declared for "${button.kind}"`);
      this.byKind.set(button.kind, button);
    }
  }

  get(kind: ButtonKind): AnyButton | undefined {
    return this.byKind.get(kind);
  }
}
