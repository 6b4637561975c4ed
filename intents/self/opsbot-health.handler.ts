import { type AlarmChange, readAlarmChange } from '../alarm-change';
import { defineReaction, type PostedMessage, type ReactionPorts } from '../define-reaction';
import { ago, capitalized } from '../format';
import { code, type Line, link, type Reply, type Run, status, strong } from '../reply';
import { opsbotHealthReaction } from './opsbot-health.reaction';
import { OWN_ALARMS, type OwnAlarmKind, readOwnAlarmName } from './own-alarms';

/** How long an event is held while it is handled: longer than the worker may run (60 s), so a repeat waits for it. */
const LEASE_SECONDS = 90;
/** How long a state change handled is remembered: longer than EventBridge retries a delivery (24 h). */
const DONE_SECONDS = 7 * 24 * 60 * 60;
/** How long the alert about a failing alarm is kept, to update it when the alarm recovers. */
const ALERT_TTL_SECONDS = 30 * 24 * 60 * 60;

/** An alert posted while one of opsbot's own alarms is in ALARM. */
interface SelfAlert {
  readonly alarm: string;
  readonly firedAt: number;
  readonly message?: PostedMessage;
}

/** What each alarm's number counts, for "3 errors in 5 minutes (threshold 1)". */
const MEASURED: Record<OwnAlarmKind, string> = {
  'slack-errors': 'errors in 5 minutes',
  'slack-throttles': 'throttled requests in 5 minutes',
  'slow-ack': 'ms, the p99 over 5 minutes',
  'worker-errors': 'errors in 5 minutes',
  'worker-throttles': 'throttled invocations in 5 minutes',
  'dead-letters': 'messages waiting',
  'deploy-watcher-failures': 'failed, timed-out or aborted executions in 5 minutes',
  'forward-dead-letters': 'events waiting',
};

/**
 * opsbot watching itself: when one of its own alarms (its functions' errors and throttles, its dead-letter queues,
 * its deploy watcher, its acknowledgements to Slack) goes to ALARM, the alerts channel is told which, what it means
 * and where to look; back to OK, that message says so. EventBridge delivers at least once: each state change is
 * told once. Only the alarm's name, account, region, metric dimensions and numbers are read from the event, each
 * checked; nothing else from it is posted.
 */
export const opsbotHealth = defineReaction({
  ...opsbotHealthReaction,
  async handle(event, ports) {
    const change = readAlarmChange(event);
    const own = readOwnAlarmName(change?.alarm);
    if (change === undefined || own === undefined || !ACCOUNT.test(change.account) || !REGION.test(change.region)) {
      ports.log.warn('self.unreadable_event', { id: String(event.id).slice(0, 64) });
      return;
    }
    // INSUFFICIENT_DATA says nothing about opsbot (missing data is not breaching): it is neither told nor cleared.
    if (change.state === 'INSUFFICIENT_DATA') return;
    const claim = `self-watch:${alertKey(change)}:${change.state}:${change.at ?? String(event.id).slice(0, 64)}`;
    if (!(await ports.claims.claim(claim, LEASE_SECONDS))) {
      ports.log.info('self.event_duplicate_dropped', { alarm: change.alarm, state: change.state });
      return;
    }
    try {
      if (change.state === 'ALARM') await failing(change, own.kind, own.stack, ports);
      else await recovered(change, own.kind, ports);
      await ports.claims.settle(claim, DONE_SECONDS);
    } catch (error) {
      // Not done (Slack unreachable past its budget): a redelivery may do it.
      await ports.claims.release(claim);
      throw error;
    }
  },
});

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const alertKey = (change: AlarmChange) => `self-alert:${change.account}:${change.region}:${change.alarm}`;

async function failing(change: AlarmChange, kind: OwnAlarmKind, stack: string, ports: ReactionPorts): Promise<void> {
  const key = alertKey(change);
  const firedAt = change.at ?? ports.clock.now();
  // Events can arrive out of order: an ALARM older than an OK already seen is over.
  const okAt = await ports.store.get<number>(`${key}:ok`);
  if (okAt !== undefined && okAt >= firedAt) return;
  const message = await ports.announcer.post({ channel: 'alerts' }, failingReply(change, kind, stack), {
    key: `${key}:${firedAt}`,
  });
  await ports.store.put(
    key,
    { alarm: change.alarm, firedAt, ...(message !== undefined && { message }) } satisfies SelfAlert,
    ALERT_TTL_SECONDS,
  );
  ports.log.warn('self.alarm', { alarm: change.alarm, posted: message !== undefined });
  // An OK handled while this was posting found no alert to update: the recovery is told here.
  const okNow = await ports.store.get<number>(`${key}:ok`);
  if (okNow !== undefined && okNow >= firedAt) {
    if (message !== undefined) await ports.announcer.update(message, recoveredReply(change, kind, firedAt, okNow));
    await ports.store.delete(key);
  }
}

async function recovered(change: AlarmChange, kind: OwnAlarmKind, ports: ReactionPorts): Promise<void> {
  const key = alertKey(change);
  const at = change.at ?? ports.clock.now();
  await ports.store.put(`${key}:ok`, at, 24 * 60 * 60);
  const alert = await ports.store.get<SelfAlert>(key);
  if (alert === undefined || alert.firedAt > at) return;
  if (alert.message !== undefined) {
    await ports.announcer.update(alert.message, recoveredReply(change, kind, alert.firedAt, at));
  }
  await ports.store.delete(key);
  ports.log.info('self.recovered', { alarm: change.alarm });
}

function failingReply(change: AlarmChange, kind: OwnAlarmKind, stack: string): Reply {
  const alarm = OWN_ALARMS[kind];
  const value = change.datapoints.at(-1);
  return {
    title: `opsbot is failing: ${alarm.what}`,
    summary: `opsbot is failing: ${change.alarm} (${alarm.what})`,
    sections: [
      [
        [status('failed'), ' ', strong(capitalized(alarm.what)), `: ${alarm.meaning}.`],
        ...(value !== undefined
          ? [
              [
                `Latest: ${formatted(value)} ${MEASURED[kind]}`,
                ...(change.threshold !== undefined ? [` (threshold ${formatted(change.threshold)})`] : []),
                '.',
              ],
            ]
          : []),
      ],
      [[strong('Look at'), ` ${alarm.lookAt}.`], ...where(change, kind, stack)],
    ],
    context: [
      [
        'Alarm ',
        code(change.alarm),
        ` · account ${change.account} · ${change.region}`,
        ...consoleLink(change, 'cloudwatch', `#alarmsV2:alarm/${encodeURIComponent(change.alarm)}`, 'the alarm'),
        ' · this message says when it is back to OK',
      ],
    ],
    visibility: 'channel',
  };
}

function recoveredReply(change: AlarmChange, kind: OwnAlarmKind, firedAt: number, at: number): Reply {
  const alarm = OWN_ALARMS[kind];
  const line: Line = [
    status('ok'),
    ' ',
    strong(capitalized(alarm.what)),
    ` — back to OK (it went to ALARM ${ago(firedAt, at)}).`,
  ];
  return {
    title: `opsbot recovered: ${alarm.what}`,
    summary: `opsbot recovered: ${change.alarm} is back to OK`,
    sections: [[line]],
    context: [['Alarm ', code(change.alarm), ` · account ${change.account} · ${change.region}`]],
    visibility: 'channel',
  };
}

/** The resources the alarm measures, named from its metric's dimensions (each checked), with console links. */
function where(change: AlarmChange, kind: OwnAlarmKind, stack: string): Line[] {
  const dimensions = change.measure?.kind === 'metric' ? change.measure.dimensions : {};
  const lines: Line[] = [];
  const fn = dimensions.FunctionName;
  if (fn !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(fn)) {
    lines.push([
      'Function ',
      code(fn),
      ...consoleLink(
        change,
        'lambda',
        `#/functions/${encodeURIComponent(fn)}?tab=monitoring`,
        'its metrics and logs (Monitor › View CloudWatch logs)',
      ),
    ]);
  }
  const queue = dimensions.QueueName;
  if (queue !== undefined && /^[A-Za-z0-9_-]{1,80}$/.test(queue)) {
    const url = `https://sqs.${change.region}.amazonaws.com/${change.account}/${queue}`;
    lines.push([
      'Queue ',
      code(queue),
      ...consoleLink(
        change,
        'sqs/v3',
        `#/queues/${encodeURIComponent(url)}`,
        'its messages (Send and receive messages)',
      ),
    ]);
  }
  const api = dimensions.ApiId;
  if (api !== undefined && /^[a-z0-9]{1,32}$/.test(api)) lines.push(['HTTP API ', code(api)]);
  if (kind === 'deploy-watcher-failures') {
    // Named after its stack (infra names it so), in the alarm's account and region.
    const name = `${stack}-deploy-watcher`;
    const arn = `arn:${partition(change)}:states:${change.region}:${change.account}:stateMachine:${name}`;
    lines.push([
      'State machine ',
      code(name),
      ...consoleLink(change, 'states', `#/statemachines/view/${encodeURIComponent(arn)}`, 'its executions'),
    ]);
  }
  return lines;
}

/** The alarm's partition, from its ARN: `aws` unless it says otherwise. */
function partition(change: AlarmChange): string {
  const p = change.arn?.split(':')[1];
  return p !== undefined && /^aws(-[a-z]+)*$/.test(p) ? p : 'aws';
}

/** ` · <label>`, linked to the AWS console of the alarm's region; nothing outside the commercial partition. */
function consoleLink(change: AlarmChange, service: string, fragment: string, label: string): Run[] {
  if (partition(change) !== 'aws') return [];
  const r = change.region;
  return [' · ', link(`https://${r}.console.aws.amazon.com/${service}/home?region=${r}${fragment}`, label)];
}

function formatted(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(n >= 100 ? 0 : 2);
}
