import type { Alarms } from '../integrations/alarms.port';
import type { Clock } from '../integrations/clock.port';
import type { Deployments } from '../integrations/deployments.port';
import type { Maintenance } from '../integrations/maintenance.port';
import type { Pipelines } from '../integrations/pipelines.port';
import type { SlotType, Vocabulary } from './vocabulary';

/** One slot of an intent: what kind of value fills it and how to ask for it. */
export interface SlotDeclaration {
  readonly type: SlotType;
  /** Required slots are asked for before the handler runs. */
  readonly required?: boolean;
  /** The question the bot asks when the slot is missing. */
  readonly prompt: string;
}

/** The person asking, as the edge knows them. */
export interface Actor {
  readonly userId: string;
  readonly teamId?: string;
  readonly channelId?: string;
}

/** What a handler receives: resolved slot values (canonical names) and who asked. */
export interface IntentRequest<S extends string = string> {
  readonly intent: string;
  readonly slots: Readonly<Partial<Record<S, string>>>;
  readonly actor: Actor;
  /** The cleaned text the person wrote, when there was one. */
  readonly text?: string;
}

/** A button in a reply; the edge turns it into a Slack button. */
export interface ReplyAction {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
}

/**
 * What a handler answers: a document the edge renders as Block Kit (with `text` as the plain fallback).
 * Intents never build Slack blocks themselves.
 */
export interface Reply {
  /** Plain-text summary; also the notification and fallback text. */
  readonly text: string;
  /** Optional heading. */
  readonly title?: string;
  /** Body paragraphs, in Slack mrkdwn (`*bold*`, `` `code` ``). */
  readonly sections?: readonly string[];
  /** Small print under the body. */
  readonly context?: readonly string[];
  readonly actions?: readonly ReplyAction[];
  /** `private`: only the asker sees it; `channel`: everyone in the conversation. */
  readonly visibility?: 'private' | 'channel';
}

/** What every handler may use: the configured names, the intents, and the account behind the ports. */
export interface IntentPorts {
  readonly vocabulary: Vocabulary;
  /** Every registered intent, for help. */
  readonly intents: readonly IntentDefinition[];
  readonly pipelines: Pipelines;
  readonly deployments: Deployments;
  readonly alarms: Alarms;
  readonly maintenance: Maintenance;
  readonly clock: Clock;
  /** Who may do what, from configuration. */
  readonly access: Access;
}

/** Permissions that handlers check before offering an action (the edge checks again when it is taken). */
export interface Access {
  mayRetryPipeline(pipeline: string, userId: string): boolean;
}

export interface IntentDefinition<S extends string = string> {
  readonly name: string;
  readonly description: string;
  /** Sample utterances; `{slot}` placeholders name declared slots. */
  readonly utterances: readonly string[];
  readonly slots: Readonly<Record<S, SlotDeclaration>>;
  /** True when the intent changes something: confirmation, idempotency and audit are enforced by the dispatcher. */
  readonly sideEffects: boolean;
  /** Example phrasings with the slots they must resolve to; checked by the tests. */
  readonly examples: Readonly<Record<string, Readonly<Partial<Record<S, string>>>>>;
  /** How the slash command spells it, for help (`/deploy rollback <service> <environment>`). */
  readonly usage?: string;
  handle(request: IntentRequest<S>, ports: IntentPorts): Promise<Reply>;
}

/**
 * Declares an intent: its grammar, slots, help and handler in one object.
 * @example
 * export const help = defineIntent({
 *   name: 'Help', description: 'List what opsbot can do', utterances: ['help'], slots: {},
 *   sideEffects: false, examples: { help: {} }, async handle(_, ports) { return helpReply(ports.intents); },
 * });
 */
export function defineIntent<S extends string>(definition: IntentDefinition<S>): IntentDefinition<S> {
  return definition;
}

/** Slot placeholders in an utterance, in order. */
export function placeholdersOf(utterance: string): string[] {
  return [...utterance.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1] as string);
}
