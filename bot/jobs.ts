import type { Claims } from '../integrations/claims';
import type { Actor } from '../intents/define-intent';
import type { Reply } from '../intents/reply';

/** Where the answer to a job goes. */
export interface ReplyTo {
  readonly channel: string;
  /** The workspace of the request: cards posted in answer answer clicks from there only. */
  readonly team?: string;
  /** Thread to answer in (mentions, DMs in threads). */
  readonly threadTs?: string;
  /** The thread already had replies before this request: a private answer can be shown inside it. */
  readonly threadExists?: boolean;
  /** Slash commands and buttons: answer through Slack's response_url. */
  readonly responseUrl?: string;
  /**
   * The message the request came from (a "Working on…" notice, the card that held the button) is replaced by the
   * answer: edited when the answer is private, removed in favour of a channel post when it is public.
   */
  readonly replaceOriginal?: boolean;
  /** A button's message: a reply about it starts a thread under it. */
  readonly messageTs?: string;
  /** Whether that message was seen by the person alone (an ephemeral acknowledgement or card); default true. */
  readonly originalPrivate?: boolean;
}

/** Text to understand first: mentions, DMs, replies in a conversation's thread. */
export interface InterpretJob {
  readonly kind: 'interpret';
  readonly text: string;
  readonly actor: Actor;
  readonly replyTo: ReplyTo;
  /** Store key of the conversation this message may continue. */
  readonly conversationKey: string;
  /** The message's claim ({@link messageKey}): one message delivered as two events is understood once. */
  readonly message?: string;
}

/** Remembered long enough to see the same message arrive as both a mention and a message event. */
const MESSAGE_TTL_SECONDS = 10 * 60;

/** A message's claim key, by its channel and timestamp. */
export function messageKey(channel: string, ts: string): string {
  return `message:${channel}:${ts}`;
}

/** An intent with its slots already known: parsed slash commands, slot choices and confirmations. */
export interface FulfilJob {
  readonly kind: 'fulfil';
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly actor: Actor;
  readonly replyTo: ReplyTo;
  /** The person confirmed by button (side-effect intents). */
  readonly confirmed: boolean;
  readonly conversationKey?: string;
}

/** A reply that is already decided (a cancelled confirmation, a refusal): the worker only delivers it. */
export interface SayJob {
  readonly kind: 'say';
  readonly reply: Reply;
  readonly actor: Actor;
  readonly replyTo: ReplyTo;
  readonly conversationKey?: string;
}

/** The Retry button of a failed pipeline stage. */
export interface RetryStageJob {
  readonly kind: 'retry-stage';
  readonly pipeline: string;
  readonly stage: string;
  readonly executionId: string;
  readonly actor: Actor;
  readonly replyTo: ReplyTo;
  readonly conversationKey?: string;
}

/** A button on a deploy's message: Cancel, Approve or Reject, decided by the worker against the deploy's record. */
export interface DeployActionJob {
  readonly kind: 'deploy-action';
  readonly action: 'cancel' | 'approve' | 'reject' | 'gate-continue' | 'gate-rollback';
  readonly runId: string;
  /** The gate answered, for `gate-…`. */
  readonly gateId?: string;
  readonly actor: Actor;
  readonly replyTo: ReplyTo;
  readonly conversationKey?: string;
}

/**
 * A person opened opsbot's Home tab (`app_home_opened`): what runs where is read and published for them. `channel` is
 * their DM with opsbot, where what the Home tab's buttons start is answered.
 */
export interface HomeJob {
  readonly kind: 'home';
  readonly userId: string;
  readonly teamId?: string;
  readonly channel: string;
}

/** One poll of a watched deploy: what the Step Functions watcher invokes the worker with. */
export interface WatchJob {
  readonly kind: 'watch';
  readonly runId: string;
  /** When the execution polling it started (`$$.Execution.StartTime`, ISO 8601). */
  readonly watchedSince?: string;
}

/**
 * How long one watcher execution polls before the poll asks it to hand the deploy over to a fresh one: well within
 * the execution's 50-hour timeout however slow its polls are (its 700 rounds take about two hours when they are not).
 */
export const WATCH_EXECUTION_MS = 6 * 60 * 60_000;

/** Whether the execution that sent `job` has polled long enough to hand over, at `now`. */
export function watchedLongEnough(job: WatchJob, now: number): boolean {
  const since = job.watchedSince === undefined ? Number.NaN : Date.parse(job.watchedSince);
  return Number.isFinite(since) && now - since >= WATCH_EXECUTION_MS;
}

export function isWatchJob(input: unknown): input is WatchJob {
  return (
    typeof input === 'object' &&
    input !== null &&
    (input as { kind?: unknown }).kind === 'watch' &&
    typeof (input as { runId?: unknown }).runId === 'string'
  );
}

/** Work the Slack function hands to the worker function. */
/**
 * Every job the Slack function hands over names its delivery (`<event_id or trigger_id>#<n>`): the worker claims
 * it first, so a repeat delivery changes nothing twice.
 */
export interface Delivered {
  readonly delivery?: string;
}

/** A job asked by a person in a conversation: answered to them, where they asked. */
export type PersonJob = (InterpretJob | FulfilJob | SayJob | RetryStageJob | DeployActionJob) & Delivered;

export type Job = PersonJob | (HomeJob & Delivered);

/** Key of the conversation in a thread (or a DM without threads). */
export function conversationKey(teamId: string | undefined, channel: string, threadTs: string | undefined): string {
  return `conversation:${teamId ?? '-'}:${channel}:${threadTs ?? 'main'}`;
}

/** How long a delivery id is remembered: well past Slack's last retry (about 5 minutes after the first). */
const DELIVERY_TTL_SECONDS = 60 * 60;

/**
 * The worker's side of a Slack delivery: claims the job's delivery id before anything is done, so a repeat delivery
 * (Slack retries up to three times, and may send the same event_id twice) changes nothing twice, and a message's
 * claim, so one message delivered as two events is understood once. False for a repeat.
 */
export async function claimDelivery(job: Job, claims: Claims): Promise<boolean> {
  if (
    job.delivery !== undefined &&
    !(await claims.claim(`delivery:${job.delivery}`, DELIVERY_TTL_SECONDS, { at: Date.now() }))
  )
    return false;
  // A mention in a DM arrives as both app_mention and message.im, two deliveries of one message: the first wins.
  return job.kind !== 'interpret' || job.message === undefined || claims.claim(job.message, MESSAGE_TTL_SECONDS);
}
