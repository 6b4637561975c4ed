import type { AlarmPlace, Alarms } from '../integrations/alarms.port';
import type { Audit } from '../integrations/audit.port';
import type { ChangeCalendars } from '../integrations/calendars.port';
import type { Clock } from '../integrations/clock.port';
import type { Deployments } from '../integrations/deployments.port';
import type { Images } from '../integrations/images.port';
import type { Log } from '../integrations/log.port';
import type { Maintenance } from '../integrations/maintenance.port';
import type { People } from '../integrations/people.port';
import type { Pipelines } from '../integrations/pipelines.port';
import type { Store } from '../integrations/store.port';
import type { DeployWatcher } from '../integrations/watcher.port';
import type { OtherLanguage } from './languages';
import type { Line, Reply } from './reply';
import type { SlotType, Vocabulary } from './vocabulary';

/** An intent's sample utterances in the other languages opsbot reads, with the same `{slot}` placeholders. */
export type IntentLanguages = Readonly<Partial<Record<OtherLanguage, readonly string[]>>>;

/** One slot of an intent: what kind of value fills it and how to ask for it. */
export interface SlotDeclaration {
  readonly type: SlotType;
  /** Required slots are asked for before the handler runs. */
  readonly required?: boolean;
  /** The question the bot asks when the slot is missing. */
  readonly prompt: string;
  /**
   * Filled by the value said as the source ("from staging", "스테이징에서"), or the first of two values of its type
   * said with neither marked ("promote web staging prod"); never by the target.
   */
  readonly source?: boolean;
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

/** What every handler may use: the configured names, the intents, the account behind the ports, and the rules. */
export interface IntentPorts {
  readonly vocabulary: Vocabulary;
  /** Every registered intent, for help. */
  readonly intents: readonly IntentDeclaration[];
  readonly pipelines: Pipelines;
  readonly deployments: Deployments;
  /** The images a service can be deployed from (ECR). */
  readonly images: Images;
  readonly alarms: Alarms;
  readonly maintenance: Maintenance;
  /** The change calendars environments follow (a CLOSED one freezes deploys). */
  readonly calendars: ChangeCalendars;
  readonly clock: Clock;
  /** Who may do what, from configuration; the capabilities' policies decide with it. */
  readonly rules: Rules;
  /** Who people are (guests, workspaces) and who is in the user groups the rules name. */
  readonly people: People;
  /** Where every change asked for is written down, refusals included. */
  readonly audit: Audit;
  /** Durable state: deploys in progress, locks, claims. */
  readonly store: Store;
  /** Posting to channels and threads, and updating what was posted. */
  readonly announcer: Announcer;
  /** Watches a started deploy to its end. */
  readonly watcher: DeployWatcher;
  readonly log: Log;
}

/** A message opsbot posted, to update it or answer in its thread later. */
export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

/** The configured channels a reaction may post to (`slack.channels`). */
export type ChannelRole = 'alerts' | 'deploys' | 'notices';

/** Posting what a reaction has to say; the edge renders it and knows the channels. */
export interface Announcer {
  /**
   * Posts to a configured channel, or in the thread of an earlier post; undefined when that channel is not
   * configured (the edge logs it, with what to set). Slack being down is retried within the job; with a `key`
   * naming what is announced, the post is shown once however often it is asked for (a redelivered event, a retried
   * job), even when an earlier attempt's answer was lost.
   */
  post(
    to:
      | { readonly channel: ChannelRole }
      | { readonly thread: PostedMessage }
      /** A channel by id: the one a request was asked from. */
      | { readonly channelId: string },
    reply: Reply,
    options?: { readonly key?: string },
  ): Promise<PostedMessage | undefined>;
  update(message: PostedMessage, reply: Reply): Promise<void>;
  /** The configured channels, by role. */
  readonly channels: Readonly<Partial<Record<ChannelRole, string>>>;
}

/** Whom a rule allows: everyone, or Slack user ids and user-group ids (`U…`, `W…`, `S…`). */
export type Who = 'everyone' | readonly string[];

/** An environment's rules, as configured. */
export interface EnvironmentRules {
  /** Confirmation by button, mutable tags refused, guests refused. */
  readonly protected: boolean;
  /** A second person must approve. */
  readonly approval: boolean;
  /** Who may change it. */
  readonly deployers: Who;
  /** Who may approve a change to it: its `approvers`, or its deployers when none are configured. */
  readonly approvers: Who;
  /** Where the approvers are configured: `approvers`, or `deployers` when they default to those. */
  readonly approversKey?: 'approvers' | 'deployers';
  /** Channel ids where changes to it may be requested; none: anywhere. */
  readonly channels?: readonly string[];
  /** When deploys to it are frozen. */
  readonly freezes: readonly Freeze[];
}

/**
 * A freeze window, in the team's time zone: every week on some days between two times (overnight when `to` is not
 * after `from`), or between two dates (`2026-12-24`, or `2026-12-24T18:00`; a date alone is the whole day).
 */
export type Freeze =
  | {
      readonly reason: string;
      readonly days: readonly ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
      readonly from: string;
      readonly to: string;
    }
  | { readonly reason: string; readonly start: string; readonly end: string };

/** What a guard rail does when it finds something: a warning on the Confirm card, a refusal, or nothing. */
export type GuardAction = 'warn' | 'refuse' | 'off';

/** The guard rails of changes to an environment (`environments.<name>.guardRails`). */
export interface GuardRails {
  /** The version never ran in the environment before this one (in the promotion order). */
  readonly untested: GuardAction;
  /** The service's pipeline is failing. */
  readonly pipelineFailing: GuardAction;
  /** Older than what runs, and not a rollback. */
  readonly downgrade: GuardAction;
  /** More than `max` releases between what runs and the version. */
  readonly skippedReleases: { readonly max: number; readonly action: GuardAction };
  /** Built from a branch other than these. */
  readonly branch?: { readonly names: readonly string[]; readonly action: GuardAction };
}

/** Configuration's answers to "who may do what", read by the capabilities' policies. */
export interface Rules {
  /** The environment images reach `environment` from (the one before it in the promotion order), if any. */
  promotedFrom(environment: string): string | undefined;
  /** The order images travel through the environments (`promotion.order`, or the usual names'). */
  readonly promotionOrder: readonly string[];
  /** The guard rails said before Confirm on changes to an environment. */
  guardRails(environment: string): GuardRails;
  /** The pipeline that builds a service's images, when configured. */
  pipelineOf(service: string): string | undefined;
  environment(name: string): EnvironmentRules | undefined;
  /** Who may retry a pipeline's failed stage. */
  retriers(pipeline: string): Who;
  /** Tags that move, for a service in an environment (lower-case): refused where the environment is protected. */
  mutableTags(service: string, environment: string): ReadonlySet<string>;
  /** Where a service runs in an environment: its account id and region. */
  target(service: string, environment: string): { readonly account: string; readonly region: string } | undefined;
  /** The rollback alarms of a service in an environment, where each lives, and its bake window after a deploy. */
  rollbackAlarms(service: string, environment: string): { readonly alarms: AlarmPlace[]; readonly bakeMinutes: number };
  /** The services and environments an alarm rolls back: by its ARN, or by its name in their account and region. */
  alarmTargets(alarm: AlarmPlace & { readonly arn?: string }): Array<{ service: string; environment: string }>;
  /** The maintenance digest's settings, and which resources belong to which opsbot service. */
  readonly maintenance: MaintenanceRules;
  /** opsbot's admins (user and group ids): allowed whatever a list says, guests excepted. */
  readonly admins: readonly string[];
  /** The team's time zone (IANA): freeze windows and lock times are read in it. */
  readonly timeZone: string;
  /** The workspaces (team ids) opsbot works for; undefined: whichever it is installed in. */
  readonly teams?: readonly string[];
}

/** `notices` in the configuration. */
export interface MaintenanceRules {
  /** When the digest is posted, local time in the team's time zone ("09:00"). */
  readonly at: string;
  readonly lookAheadDays: number;
  readonly quietDays: 'line' | 'nothing';
  /** The tag naming the opsbot service a resource belongs to. */
  readonly serviceTag: string;
  /** Untagged resources of opsbot services: ids, names or ARNs, by service. */
  readonly resources: Readonly<Record<string, readonly string[]>>;
  /** The configured accounts, by id: their names, for the answers and the `account` slot. */
  readonly accounts: ReadonlyArray<{ readonly id: string; readonly name: string }>;
}

/** A request refused by policy: the answer for the person, and the reason the audit records. */
export interface Refusal {
  readonly reply: Reply;
  /** `not-listed`, `guest`, `other-workspace`, `unknown-person`, `unavailable`, `wrong-channel`, `mutable-tag`. */
  readonly reason: string;
}

/** A value offered for a missing slot: the value, and how its button reads. */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

/** How a confirmation card states a change. */
export interface ConfirmationText {
  /** The card's heading: `Confirm: deploy`. */
  readonly title?: string;
  /** The change as a person reads it: `Deploy web v1.8.2 to prod`. */
  readonly action: Line;
  /** What it changes, as it is now: `web runs v1.6.0 in prod; v1.8.2 was pushed 2 d ago`. */
  readonly details?: Line;
  /** What the change brings: its commits, newest first, or why opsbot cannot tell. */
  readonly changes?: readonly Line[];
  /** What follows Confirm when it is not the change itself (an approval). */
  readonly afterConfirm?: Line;
  /** Said under it, e.g. that the environment is protected. */
  readonly warning?: Line;
  /** More warnings, one line each: the environment's guard rails set to warn that found something. */
  readonly warnings?: readonly Line[];
  /** A risky change: its Confirm button is red. */
  readonly danger?: boolean;
  /**
   * What the card shows that the change must use as shown (the image's digest): kept with the card's buttons and
   * handed back to `handle` among the slots, each under `pinned:<name>` (a key no person's words can fill).
   */
  readonly pins?: Readonly<Record<string, string>>;
}

/** A value the Confirm card pinned (`ConfirmationText.pins`), from the slots `handle` receives. */
export function pinned(slots: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  return slots[`pinned:${name}`];
}

/**
 * What an intent is, without what it does: its name, grammar and slots, and which surface answers it. The Slack
 * edge, the matcher, help and the Lex bot infra generates read declarations only, so none of them loads a handler.
 */
export interface IntentDeclaration<S extends string = string> {
  readonly name: string;
  readonly description: string;
  /** Sample utterances in English; `{slot}` placeholders name declared slots. */
  readonly utterances: readonly string[];
  /**
   * Sample utterances in the other languages opsbot understands (Korean, Spanish, German), with the same `{slot}`
   * placeholders: the Lex bot gets a locale per language, and the local matcher learns them all.
   */
  readonly languages?: IntentLanguages;
  readonly slots: Readonly<Record<S, SlotDeclaration>>;
  /**
   * True when the intent changes something: confirmation, idempotency and audit are enforced by the dispatcher, and
   * the worker plans it (its policy reads the account), never the acknowledgement.
   */
  readonly sideEffects: boolean;
  /** A change that needs no confirmation card (a lock, which changes nothing in AWS); default: it does. */
  readonly confirm?: boolean;
  /** Example phrasings with the slots they must resolve to; checked by the tests. */
  readonly examples: Readonly<Record<string, Readonly<Partial<Record<S, string>>>>>;
  /** How the slash command spells it, for help (`/deploy rollback <service> <environment>`). */
  readonly usage?: string;
}

/** What an intent does: its policy, its confirmation card, the values it offers, and its handler. The worker's. */
export interface IntentBehaviour<S extends string = string> {
  /** Policy for a complete request, before confirmation and again at it: a refusal that says who can, or nothing. */
  readonly check?: (request: IntentRequest<S>, ports: IntentPorts) => Promise<Refusal | undefined>;
  /**
   * A refusal that can be told before every slot is known (a service busy deploying there, or locked): said before
   * opsbot asks anything else, so nobody picks a version only to hear the service is busy.
   */
  readonly checkEarly?: (request: IntentRequest<S>, ports: IntentPorts) => Promise<Refusal | undefined>;
  /** How the confirmation card of a side effect states it. */
  readonly confirmation?: (
    slots: Readonly<Partial<Record<S, string>>>,
    ports: IntentPorts,
  ) => ConfirmationText | Promise<ConfirmationText>;
  /** Values to offer as buttons when a slot is missing and its type has none configured (a service's newest tags). */
  readonly choices?: (
    slot: string,
    slots: Readonly<Partial<Record<S, string>>>,
    ports: IntentPorts,
  ) => Promise<readonly Choice[] | undefined>;
  handle(request: IntentRequest<S>, ports: IntentPorts): Promise<Reply>;
}

/** An intent with its behaviour: what the worker runs. */
export interface IntentDefinition<S extends string = string> extends IntentDeclaration<S>, IntentBehaviour<S> {}

/**
 * Declares an intent: its grammar, slots and help, in a module of its own that imports no handler (`*.intent.ts`).
 * By convention the declaration is named `<name>Intent` (`deployIntent`) and its definition, which the worker runs,
 * takes the plain name (`deploy`, in `deploy.handler.ts`).
 * @example
 * export const helpIntent = declareIntent({
 *   name: 'Help', description: 'List what opsbot can do', utterances: ['help'], slots: {},
 *   sideEffects: false, examples: { help: {} },
 * });
 */
export function declareIntent<S extends string>(declaration: IntentDeclaration<S>): IntentDeclaration<S> {
  return declaration;
}

/**
 * Gives a declared intent its behaviour (`*.handler.ts`), for the worker.
 * @example
 * export const help = defineIntent(helpIntent, { async handle(_, ports) { return helpReply(ports.intents); } });
 */
export function defineIntent<S extends string>(
  declaration: IntentDeclaration<S>,
  behaviour: IntentBehaviour<S>,
): IntentDefinition<S> {
  return { ...declaration, ...behaviour };
}

/** The required slots of an intent that `slots` does not fill yet, in declaration order. */
export function missingSlots(intent: IntentDeclaration, slots: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(intent.slots)
    .filter(([slot, declaration]) => declaration.required === true && slots[slot] === undefined)
    .map(([slot]) => slot);
}

/** Slot placeholders in an utterance, in order. */
export function placeholdersOf(utterance: string): string[] {
  return [...utterance.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1] as string);
}
