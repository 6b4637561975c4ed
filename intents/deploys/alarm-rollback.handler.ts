import type { AlarmState } from '../../integrations/alarms.port';
import { type AlarmChange, readAlarmChange } from '../alarm-change';
import type { IntentPorts } from '../define-intent';
import { defineReaction, type EventBridgeEvent } from '../define-reaction';
import { code, type Line, notice, type Reply, status, strong } from '../reply';
import { ALERT_TTL_SECONDS, type AlarmAlert, alertKey } from './alarm-alerts';
import { alarmPicture, CHART_HOURS } from './alarm-chart';
import { alarmRollbackReaction } from './alarm-rollback.reaction';
import { alarmFacts } from './alarm-story';
import { type AlarmOutcome, redeployOnAlarm, stopOnAlarm, tellAlarmIgnored } from './run/alarm-response';
import { recentRuns } from './run/record';
import { pollRun } from './run/watch';
import { duration } from './run/words';

/** How long an alert about an alarm is remembered, to update it when the alarm recovers. */

/**
 * CloudWatch's word that a rollback alarm changed state (a rule limited to the configured alarms, in every account
 * and region, forwarded to opsbot's bus): to ALARM while its service deploys, the deployment is stopped with
 * rollback; within the bake window after a deploy that succeeded, the previous version is deployed again; otherwise
 * the alarm goes to the alerts channel with a "Roll back now" button. Back to OK, that alert says it recovered.
 * EventBridge delivers at least once: each of these happens once per deploy or per alarm episode.
 */
export const alarmRollback = defineReaction({
  ...alarmRollbackReaction,
  async handle(event: EventBridgeEvent, ports) {
    const change = readAlarmChange(event);
    if (change === undefined) {
      ports.log.warn('alarm.unreadable_event', { id: String(event.id).slice(0, 64) });
      return;
    }
    const targets = ports.rules.alarmTargets({
      name: change.alarm,
      account: change.account,
      region: change.region,
      ...(change.arn !== undefined && { arn: change.arn }),
    });
    if (targets.length === 0) {
      ports.log.info('alarm.not_configured', { alarm: change.alarm, account: change.account, region: change.region });
      return;
    }
    for (const target of targets) {
      if (change.state === 'ALARM') await alarmFired(target, alarmOf(change), ports);
      else if (change.state === 'OK') await alarmRecovered(target, change, ports);
    }
  },
});

/** The event's facts, as the alarms port reads an alarm. */
function alarmOf(change: AlarmChange): AlarmState {
  return {
    name: change.alarm,
    ...(change.arn !== undefined && { arn: change.arn }),
    state: change.state,
    reason: change.reason,
    ...(change.at !== undefined && { updatedAt: change.at }),
    ...(change.measure !== undefined && { measure: change.measure }),
    ...(change.threshold !== undefined && { threshold: change.threshold }),
    ...(change.breaches !== undefined && { breaches: change.breaches }),
    datapoints: change.datapoints,
    ...(change.band !== undefined && { band: change.band }),
    ...(change.suppressed !== undefined && { suppressed: change.suppressed }),
  };
}

/**
 * A rollback alarm of a service in an environment went to ALARM: what opsbot does depends on where its deploys
 * stand — one running (stopped with rollback; a rollback itself is left to finish), one that succeeded within its
 * bake window (the previous version again), one an alarm already rolled back (nothing more), or none (an alert).
 */
export async function alarmFired(
  target: { service: string; environment: string },
  alarm: AlarmState,
  ports: IntentPorts,
): Promise<AlarmOutcome | 'alerted'> {
  const runs = await recentRuns(target.service, target.environment, ports);
  const running = runs.find((r) => r.state === 'running');
  // When the alarm changed (a redelivered or late event may arrive long after).
  const at = alarm.updatedAt ?? ports.clock.now();
  if (running !== undefined) {
    if (at < (running.startedAt ?? running.requestedAt)) {
      // It went to ALARM before this deploy started: the deploy may be the fix for it.
      await tellAlarmIgnored(running, alarm, 'that was before this deploy started, so it is left to run.', ports);
      return 'none';
    }
    if (running.kind === 'rollback') {
      await tellAlarmIgnored(running, alarm, 'this rollback goes on, nothing more was done.', ports);
      return 'none';
    }
    return stopOnAlarm(running, alarm, ports, pollRun);
  }
  const now = ports.clock.now();
  const last = runs.find((r) => r.state === 'ended' && r.outcome !== 'rejected' && r.outcome !== 'expired');
  const { bakeMinutes } = ports.rules.rollbackAlarms(target.service, target.environment);
  const inBake =
    last?.endedAt !== undefined &&
    now - last.endedAt <= bakeMinutes * 60_000 &&
    at >= (last.startedAt ?? last.requestedAt);
  if (last !== undefined && inBake) {
    if (last.alarm !== undefined || last.trigger !== undefined) {
      // Flapping after opsbot rolled back: the previous version serves already.
      await tellAlarmIgnored(last, alarm, 'opsbot already rolled this back, nothing more was done.', ports);
      return 'none';
    }
    if (last.kind === 'deploy' && last.outcome === 'succeeded') return redeployOnAlarm(last, alarm, ports, pollRun);
  }
  // The version to go back to: the one before opsbot's last deploy, else the one before the engine's last deployment.
  const back =
    last?.kind === 'deploy' && last.outcome === 'succeeded'
      ? last.previousVersion
      : await engineBefore(target.service, target.environment, ports);
  // The deploy that led up to it, when it started within the chart's hours.
  const started = last?.kind === 'deploy' ? (last.startedAt ?? last.requestedAt) : undefined;
  const recent = started !== undefined && now - started <= CHART_HOURS * 3_600_000 ? started : undefined;
  return alertAlarm(target, alarm, back, ports, recent);
}

/** The version the engine's last successful deployment replaced (CodeDeploy or ECS history), when it says. */
async function engineBefore(service: string, environment: string, ports: IntentPorts): Promise<string | undefined> {
  try {
    const [latest] = await ports.deployments.history(service, environment, 1);
    const previous = latest?.status === 'Succeeded' ? latest.previousVersion : undefined;
    return previous !== undefined && previous !== '?' && previous !== latest?.version ? previous : undefined;
  } catch {
    // Unread history offers no button rather than one that cannot work.
    return undefined;
  }
}

/**
 * Outside any deploy: the alarm goes to the alerts channel with its reason and a "Roll back now" button (which asks
 * for the same confirmation, and follows the same rules, as `/deploy rollback`); nothing is done automatically.
 * Once per alarm episode, however often the event arrives.
 */
async function alertAlarm(
  target: { service: string; environment: string },
  alarm: AlarmState,
  back: string | undefined,
  ports: IntentPorts,
  deployStartedAt?: number,
): Promise<'alerted' | 'none'> {
  const key = alertKey(target.service, target.environment, alarm.name);
  const record: AlarmAlert = { alarm: alarm.name, ...target, firedAt: alarm.updatedAt ?? ports.clock.now() };
  // Events can arrive out of order: an ALARM older than the OK already seen is over.
  const okAt = await ports.store.get<number>(`${key}:ok`);
  if (okAt !== undefined && okAt >= record.firedAt) return 'none';
  if (!(await ports.store.putIfAbsent(key, record, ALERT_TTL_SECONDS))) return 'none';
  try {
    const facts = alarmFacts(alarm);
    const picture = await alarmPicture(target, alarm, ports, {
      ...(deployStartedAt !== undefined && { deployStartedAt }),
    });
    const reply: Reply = {
      title: `Alarm ${alarm.name}: ${target.service} in ${target.environment}`,
      summary: [
        'Alarm ',
        code(alarm.name),
        ' is in ALARM for ',
        strong(target.service),
        ' in ',
        strong(target.environment),
      ],
      sections: [
        [
          ...facts,
          ...(picture.figures !== undefined ? [picture.figures] : []),
          [
            'No deploy of ',
            strong(target.service),
            ' in ',
            strong(target.environment),
            ' is running or baking, so opsbot changed nothing.',
          ],
          // What the button does, or why there is none.
          back !== undefined
            ? [
                'Roll back now deploys ',
                code(back),
                ' again once you confirm it; for those who may deploy to ',
                strong(target.environment),
                '.',
              ]
            : [
                'opsbot knows no earlier version of ',
                strong(target.service),
                ' here to offer; to roll back, name one: ',
                code(`/deploy rollback ${target.service} ${target.environment} <version>`),
                '.',
              ],
        ],
      ],
      // Only what can be done: a button names the version it deploys again; without one known, no button.
      ...(back !== undefined && {
        buttons: [
          {
            label: `Roll back now to ${back}`,
            style: 'danger' as const,
            payload: {
              kind: 'request' as const,
              intent: 'Rollback',
              slots: { service: target.service, environment: target.environment, version: back },
            },
          },
        ],
      }),
      ...(picture.chart !== undefined && { chart: picture.chart }),
      visibility: 'channel',
    };
    const message = await ports.announcer.post({ channel: 'alerts' }, reply, { key: `${key}:${record.firedAt}` });
    if (message !== undefined)
      await ports.store.put(key, { ...record, message } satisfies AlarmAlert, ALERT_TTL_SECONDS);
  } catch (error) {
    await ports.store.delete(key);
    throw error;
  }
  return 'alerted';
}

/** Back to OK: the alert about it (if one was posted) says it recovered and after how long, and loses its button. */
async function alarmRecovered(
  target: { service: string; environment: string },
  change: AlarmChange,
  ports: IntentPorts,
): Promise<void> {
  const key = alertKey(target.service, target.environment, change.alarm);
  const at = change.at ?? ports.clock.now();
  await ports.store.put(`${key}:ok`, at, 24 * 60 * 60);
  const alert = await ports.store.get<AlarmAlert>(key);
  if (alert === undefined || alert.firedAt > at) return;
  if (alert.message !== undefined) {
    const line: Line = [
      status('ok'),
      ' Alarm ',
      code(change.alarm),
      ` recovered after ${duration(at - alert.firedAt)}: back to OK.`,
    ];
    await ports.announcer.update(alert.message, {
      ...notice('ok', line),
      title: `Alarm ${change.alarm}: ${target.service} in ${target.environment}`,
      sections: [[line, ...(change.reason !== '' ? [[`CloudWatch: “${change.reason.slice(0, 400)}”`]] : [])]],
      visibility: 'channel',
    });
  }
  await ports.store.delete(key);
}
