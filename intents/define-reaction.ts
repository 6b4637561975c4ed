import type { Claims } from '../integrations/claims';
import type { IntentPorts } from './define-intent';

export type { Announcer, ChannelRole, PostedMessage } from './define-intent';

/** An EventBridge event as delivered to a Lambda target (EventBridge rules and EventBridge Scheduler alike). */
export interface EventBridgeEvent<D = unknown> {
  readonly version?: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources?: readonly string[];
  /** An object for AWS service events; Scheduler delivers a string. */
  readonly detail: D;
}

export function isEventBridgeEvent(value: unknown): value is EventBridgeEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['detail-type'] === 'string' && typeof v.source === 'string' && 'detail' in v;
}

/**
 * One kind of event: its `source` and `detail-type`, as an EventBridge rule matches them. infra builds the
 * EventBridge rules from these, so what reaches the worker is exactly what the reactions declare.
 */
export interface EventType {
  readonly source: string;
  readonly detailType: string;
  /** Only events whose detail has these values (an EventBridge pattern's `detail`), e.g. `{ state: ['FAILED'] }`. */
  readonly detail?: Readonly<Record<string, readonly string[]>>;
  /**
   * Only events about configured things: the detail field that names a configured pipeline, or a configured
   * rollback alarm, or one of opsbot's own alarms (which infra creates, so it knows their names and accounts).
   */
  readonly configured?:
    | { readonly pipelineField: string }
    | { readonly alarmField: string }
    | { readonly ownAlarmField: string };
  /**
   * Narrows a type another reaction also declares: the events of the type for which this holds are this reaction's,
   * the others the other's. The worker has no rule to ask which rule matched, so this decides in its place; the
   * infra rules select the same events (`configured`), and must not overlap. Called on events from outside: it must
   * not throw.
   */
  readonly only?: (event: EventBridgeEvent) => boolean;
  /** What the rule is for, in the rule's description. */
  readonly purpose?: string;
  /** Delivered by an EventBridge Scheduler schedule (which infra builds), not matched by a rule. */
  readonly scheduled?: true;
}

/** What a reaction may use: everything an intent may, plus state, claims, posting and the log. */
export interface ReactionPorts extends IntentPorts {
  readonly claims: Claims;
}

/**
 * What a reaction is, without what it does: its name and the events it claims, which is all infra's EventBridge
 * rules need (`<name>.reaction.ts`; its handler is in `<name>.handler.ts`).
 */
export interface ReactionDeclaration {
  readonly name: string;
  readonly description: string;
  /**
   * The events it handles; no two reactions claim the same one (the registry checks): two may declare one type only
   * when one of them narrows it (`only`).
   */
  readonly events: readonly EventType[];
}

export interface ReactionDefinition extends ReactionDeclaration {
  handle(event: EventBridgeEvent, ports: ReactionPorts): Promise<void>;
}

/** Declares a reaction: its name and the events it claims, in a module that imports no handler. */
export function declareReaction(declaration: ReactionDeclaration): ReactionDeclaration {
  return declaration;
}

export interface Reaction extends ReactionDefinition {
  /** True for the events this reaction handles. */
  matches(event: EventBridgeEvent): boolean;
}

/**
 * Declares a reaction to events, the way intents are declared: which events (also what infra's EventBridge rules
 * match), and the handler. Handlers are plain functions of (event, ports); EventBridge delivers at least once, so
 * they claim what they do.
 * @example
 * export const onAlarm = defineReaction({
 *   name: 'AlarmRollback', description: 'Roll back when an alarm fires during a deploy',
 *   events: [{ source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change' }],
 *   async handle(event, ports) { … },
 * });
 */
export function defineReaction(definition: ReactionDefinition): Reaction {
  return {
    ...definition,
    matches: (event) =>
      definition.events.some(
        (e) =>
          e.source === event.source && e.detailType === event['detail-type'] && (e.only === undefined || e.only(event)),
      ),
  };
}

/** The reactions opsbot has, found by the event they handle. Built from an explicit array. */
export class ReactionRegistry {
  /** By type: the reaction that takes its events, and the one (if any) that takes those its `only` picks. */
  private readonly byType = new Map<
    string,
    { general?: Reaction; narrowed?: { reaction: Reaction; only: (event: EventBridgeEvent) => boolean } }
  >();

  /**
   * @throws when two reactions share a name, or claim the same event type (unless one of them narrows it), or both
   * narrow the same one.
   */
  constructor(readonly all: readonly Reaction[]) {
    const names = new Set<string>();
    for (const reaction of all) {
      if (names.has(reaction.name)) throw new Error(`Two reactions are named "${reaction.name}"`);
      names.add(reaction.name);
      for (const type of reaction.events) {
        const key = typeKey(type.source, type.detailType);
        const entry = this.byType.get(key) ?? {};
        const owner = type.only === undefined ? entry.general : entry.narrowed?.reaction;
        if (owner !== undefined) {
          throw new Error(
            `The event "${type.detailType}" from ${type.source} is claimed by both ${owner.name} and ${reaction.name}`,
          );
        }
        this.byType.set(
          key,
          type.only === undefined
            ? { ...entry, general: reaction }
            : { ...entry, narrowed: { reaction, only: type.only } },
        );
      }
    }
  }

  /** The reaction that handles this event, if any: the one that narrows its type to it, else the type's own. */
  find(event: EventBridgeEvent): Reaction | undefined {
    const entry = this.byType.get(typeKey(event.source, event['detail-type']));
    if (entry?.narrowed?.only(event) === true) return entry.narrowed.reaction;
    return entry?.general;
  }
}

function typeKey(source: string, detailType: string): string {
  return `${source}\u0000${detailType}`;
}
