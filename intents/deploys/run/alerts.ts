import type { Deployment } from '../../../integrations/deployments.port';
import type { IntentPorts } from '../../define-intent';
import { code, type Run, type StatusKind, status, strong } from '../../reply';
import { ALERT_TTL_SECONDS, type AlarmAlert, actedOnLine, alertKey } from '../alarm-alerts';
import { endedTitle } from './message';
import type { DeployRun } from './record';
import { messageLink } from './words';

/**
 * A person's rollback answers the alarm alerts of its service in its environment: each loses its Roll back now button
 * and says who is rolling back to what, linking the rollback's message (its recovery to OK is still told there).
 */
export async function answerAlarmAlerts(run: DeployRun, ports: IntentPorts): Promise<void> {
  const [message] = run.messages;
  for (const place of ports.rules.rollbackAlarms(run.service, run.environment).alarms) {
    const key = alertKey(run.service, run.environment, place.name);
    const alert = await ports.store.get<AlarmAlert>(key);
    if (alert?.message === undefined || alert.actedOn !== undefined) continue;
    const acted: AlarmAlert = { ...alert, actedOn: { by: run.requestedBy, version: run.version } };
    await ports.store.put(key, acted, ALERT_TTL_SECONDS);
    const line = actedOnLine(acted, message !== undefined ? [' — ', messageLink(message, 'follow it here')] : []);
    await ports.announcer
      .update(alert.message, {
        title: `Alarm ${place.name}: ${run.service} in ${run.environment}`,
        summary: line,
        sections: [[['Alarm ', code(place.name), ' is in ALARM.'], line]],
        visibility: 'channel',
      })
      .catch((error: unknown) => ports.log.warn('alarm.alert_update_failed', { error: String(error) }));
  }
}

/**
 * What the alerts channel hears of a run's end (once, keyed): a deploy that failed, one an alarm stopped or rolled
 * back, and every rollback (opsbot's on an alarm, or a person's) — with a link to the deploy's message and thread.
 * A deploy that succeeded, or was cancelled by a person, is the deploys channel's news, not an alert.
 */
export async function tellAlerts(run: DeployRun, d: Deployment, ports: IntentPorts): Promise<void> {
  const alarmed = run.alarm !== undefined && run.alarm.action !== 'redeployed';
  const worth = run.outcome === 'failed' || alarmed || run.kind === 'rollback';
  if (!worth || run.outcome === 'expired' || run.outcome === 'rejected') return;
  const [message] = run.messages;
  const kind: StatusKind =
    run.outcome === 'failed' ? 'failed' : run.kind === 'rollback' || alarmed ? 'rolledBack' : 'stopped';
  const line: Run[] = [
    status(kind),
    ' ',
    strong(endedTitle(run)),
    ...(d.error !== undefined && run.outcome === 'failed' ? [': ', code(d.error.code)] : []),
    ...(run.trigger !== undefined ? [' · on alarm ', code(run.trigger.alarm)] : []),
    ...(message !== undefined ? [' · ', messageLink(message, 'the deploy and its thread')] : []),
  ];
  await ports.announcer
    .post(
      { channel: 'alerts' },
      { summary: [endedTitle(run)], sections: [[line]], visibility: 'channel' },
      {
        key: `deploy-alert:${run.id}`,
      },
    )
    .catch((error: unknown) => ports.log.warn('deploy.alert_failed', { runId: run.id, error: String(error) }));
}
