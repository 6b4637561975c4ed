import { capitalized } from '../format';

/**
 * opsbot's own alarms: what each watches, what it means when it fires, and where to look. One table for both sides:
 * infra creates the alarms (named and described from it), and the OpsbotHealth reaction tells them from it.
 */

/** What each of opsbot's own alarms watches. */
export const OWN_ALARMS = {
  'slack-errors': {
    what: 'the slack function failed',
    meaning:
      'requests from Slack (slash commands, mentions, button clicks) ended in an error: people got a failure instead of an answer',
    lookAt: 'the slack function’s log group (its errors, with their request ids)',
  },
  'slack-throttles': {
    what: 'the slack function was throttled',
    meaning:
      'Lambda refused requests from Slack before they ran (the account’s or the function’s concurrency limit): people got no answer',
    lookAt: 'the account’s Lambda concurrency, and what else uses it',
  },
  'slow-ack': {
    what: 'Slack’s requests are answered slowly',
    meaning:
      'the slowest requests took over 2 s to be acknowledged (p99, twice in 15 minutes): near Slack’s 3 s limit, past which people see an error',
    lookAt: 'the slack function’s log group (Duration and Init Duration of its slow requests) and the API’s access log',
  },
  'worker-errors': {
    what: 'the worker failed',
    meaning:
      'a job, an event or a deploy’s poll ended in an error: an answer, an alert or a deploy message may be missing',
    lookAt: 'the worker’s log group (its errors, with their request ids)',
  },
  'worker-throttles': {
    what: 'the worker was throttled',
    meaning:
      'Lambda refused to run jobs and events (the account’s or the function’s concurrency limit): they wait, are retried, or end in the dead-letter queue',
    lookAt: 'the account’s Lambda concurrency, and what else uses it',
  },
  'dead-letters': {
    what: 'messages wait in the dead-letter queue',
    meaning:
      'a job, an event or the daily digest failed for good (or could not be delivered to the worker) and was kept there',
    lookAt: 'the dead-letter queue’s messages (each is the job or event that failed), then the worker’s log group',
  },
  'deploy-watcher-failures': {
    what: 'the deploy watcher failed',
    meaning:
      'an execution of the deploy watcher failed, timed out or was aborted: a deploy’s message stopped updating before its end',
    lookAt: 'the deploy watcher state machine’s failed executions, and its log group',
  },
  'forward-dead-letters': {
    what: 'events from another account were not forwarded',
    meaning:
      'rollback alarms or AWS Health notices of that account could not be put on opsbot’s event bus: opsbot may not have acted on them',
    lookAt:
      'the forwarding dead-letter queue in that account (each message carries EventBridge’s ERROR_CODE), and the permission of opsbot’s event bus',
  },
} as const satisfies Record<string, { readonly what: string; readonly meaning: string; readonly lookAt: string }>;

export type OwnAlarmKind = keyof typeof OWN_ALARMS;

/** Between the stack's name and the kind: what tells opsbot's own alarms from anyone else's. */
const MARKER = '-self-watch-';
/** A CloudFormation stack name: a letter, then letters, digits and hyphens, at most 128 in all. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** The name of one of opsbot's own alarms: `<stack>-self-watch-<kind>`, so it is found by its stack's name. */
export function ownAlarmName(stackName: string, kind: OwnAlarmKind): string {
  if (!STACK_NAME.test(stackName)) throw new Error(`"${stackName}" is not a CloudFormation stack name`);
  return `${stackName}${MARKER}${kind}`;
}

/** The stack and kind of one of opsbot's own alarms, by its name; undefined for any other name. */
export function readOwnAlarmName(name: unknown): { readonly stack: string; readonly kind: OwnAlarmKind } | undefined {
  if (typeof name !== 'string' || name.length > 255) return undefined;
  const at = name.lastIndexOf(MARKER);
  if (at <= 0) return undefined;
  const stack = name.slice(0, at);
  const kind = name.slice(at + MARKER.length);
  if (!STACK_NAME.test(stack) || !Object.hasOwn(OWN_ALARMS, kind)) return undefined;
  return { stack, kind: kind as OwnAlarmKind };
}

/** The alarm description infra writes: what fired, what it means, where to look. */
export function ownAlarmDescription(kind: OwnAlarmKind): string {
  const alarm = OWN_ALARMS[kind];
  return `opsbot watches itself: ${alarm.what}. ${capitalized(alarm.meaning)}. Look at ${alarm.lookAt}.`;
}
