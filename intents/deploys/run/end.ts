import { Claims } from '../../../integrations/claims';
import type { Deployment } from '../../../integrations/deployments.port';
import type { IntentPorts } from '../../define-intent';
import { code, status } from '../../reply';
import { tellAlerts } from './alerts';
import { releaseLock } from './lock';
import {
  type AlarmAction,
  APPROVAL_WINDOW_MS,
  alarmKey,
  type DeployRun,
  loadRun,
  RUN_TTL_SECONDS,
  saveRun,
  withPollLease,
} from './record';
import { show } from './show';
import { endStory, tellStory } from './story';
import { duration } from './words';

/** The end, once: the audit outcome, the lock released, the final message and the story's last line. */
export async function end(run: DeployRun, d: Deployment, ports: IntentPorts): Promise<void> {
  const claims = new Claims(ports.store);
  if (!(await claims.claim(`deploy-end:${run.id}`, RUN_TTL_SECONDS))) return;
  try {
    // Stopped by a person (Cancel, Roll back at a gate) reads the same on both engines, whatever each reports.
    const stoppedBy = await ports.store.get<string>(`deploy-stopped-by:${run.id}`);
    run.outcome =
      stoppedBy !== undefined || run.alarm?.action === 'stopped'
        ? 'stopped'
        : d.status === 'Succeeded'
          ? 'succeeded'
          : d.status === 'Failed'
            ? 'failed'
            : 'stopped';
    run.endedAt = d.endedAt ?? ports.clock.now();
    run.final = {
      step: d.step,
      ...(d.taskDefinition !== undefined && { taskDefinition: d.taskDefinition }),
      ...(d.error !== undefined && { error: d.error }),
    };
    const by = stoppedBy ?? d.stoppedBy;
    if (by !== undefined) run.endedBy = by;
    // A deploy that succeeded is watched a while longer: its rollback alarms may still undo it.
    const { alarms, bakeMinutes } = ports.rules.rollbackAlarms(run.service, run.environment);
    if (run.outcome === 'succeeded' && run.kind === 'deploy' && alarms.length > 0 && bakeMinutes > 0) {
      run.bakeUntil = run.endedAt + bakeMinutes * 60_000;
    }
    // What must happen even if Slack is down comes first: the record, then the lock.
    await ports.audit.update(run.auditId, {
      outcome: run.outcome,
      endedAt: run.endedAt,
      ...(run.endedBy !== undefined && { endedBy: run.endedBy }),
      ...((d.error !== undefined || run.alarm !== undefined) && {
        note: [
          ...(run.alarm !== undefined ? [`alarm ${run.alarm.name}`] : []),
          ...(d.error !== undefined ? [`${d.error.code}: ${d.error.message}`] : []),
        ]
          .join(' · ')
          .slice(0, 500),
      }),
    });
    await releaseLock(run, ports);
    run.state = 'ended';
    await show(run, d, ports, true);
    await tellStory(run, 'end', endStory(run, d), ports);
    await saveRun(run, ports);
    if (run.trigger !== undefined) await tellUndone(run, d, ports);
    await tellAlerts(run, d, ports);
  } catch (error) {
    // Not saved as ended: the next poll ends it again (each step above is safe to repeat).
    await claims.release(`deploy-end:${run.id}`);
    throw error;
  }
}

/** An approval nobody gave in time: the lock is released, the card says so. Decided once with Approve and Reject. */
export async function expire(run: DeployRun, ports: IntentPorts): Promise<void> {
  const claims = new Claims(ports.store);
  if (!(await claims.claim(`approval:${run.id}`, RUN_TTL_SECONDS, 'expired'))) return;
  try {
    run.state = 'ended';
    run.outcome = 'expired';
    run.endedAt = run.requestedAt + APPROVAL_WINDOW_MS;
    await ports.audit.update(run.auditId, { outcome: 'expired', endedAt: run.endedAt });
    await releaseLock(run, ports);
    await show(run, undefined, ports, true);
    await saveRun(run, ports);
  } catch (error) {
    await claims.release(`approval:${run.id}`);
    throw error;
  }
}

/** A rollback opsbot started on an alarm ended: the deploy it undoes hears how. */
async function tellUndone(run: DeployRun, d: Deployment, ports: IntentPorts): Promise<void> {
  const undone = run.trigger === undefined ? undefined : await loadRun(run.trigger.runId, ports);
  if (undone === undefined) return;
  // The undone deploy's message says how its rollback ended.
  const record = await ports.store.get<AlarmAction>(alarmKey(undone.id));
  if (record !== undefined && run.outcome !== undefined) {
    const ended: AlarmAction = { ...record, rollbackOutcome: run.outcome };
    await ports.store.put(alarmKey(undone.id), ended, RUN_TTL_SECONDS);
    await withPollLease(undone.id, ports, async () => {
      const latest = (await loadRun(undone.id, ports)) ?? undone;
      latest.alarm = ended;
      await show(latest, undefined, ports, true);
      await saveRun(latest, ports);
    });
  }
  const took = duration((run.endedAt ?? 0) - (run.startedAt ?? run.requestedAt));
  await tellStory(
    undone,
    `alarm-rollback-end:${run.id}`,
    run.outcome === 'succeeded'
      ? [status('ok'), ' The rollback succeeded in ', took, ': ', code(run.version), ' is serving again.']
      : [
          status('failed'),
          ' The rollback to ',
          code(run.version),
          ' did not succeed',
          ...(d.error !== undefined ? [': ', code(d.error.code), ` ${d.error.message}`] : []),
          '. Check the service, then deploy a known good version with ',
          code(`/deploy ${run.service} ${run.environment} <version>`),
          '.',
        ],
    ports,
  );
}
