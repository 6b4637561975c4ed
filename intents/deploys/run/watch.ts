import type { Deployment } from '../../../integrations/deployments.port';
import type { WatchResult } from '../../../integrations/watcher.port';
import type { IntentPorts } from '../../define-intent';
import { status } from '../../reply';
import { firedAlarm, redeployOnAlarm, stopOnAlarm } from './alarm-response';
import { tellChangesSafely } from './change-list';
import { end, expire } from './end';
import { askAtGate, closeGateAsk } from './gate-ask';
import { holdLockWithMessage, LOCK_RENEW_EVERY_MS } from './lock';
import { liveReply } from './message';
import {
  type AlarmAction,
  APPROVAL_WINDOW_MS,
  alarmKey,
  type DeployRun,
  loadRun,
  recentRuns,
  saveRun,
  withPollLease,
} from './record';
import { postMessages, show } from './show';
import { stepStory, tellStart, tellStory } from './story';

/**
 * One poll of a watched deploy (the watcher's poll step): reads the deployment, tells each new phase in the thread,
 * updates the message when what it shows changed (at most every 10 s), and at the end shows how it ended, writes the
 * outcome to the audit record and releases the lock — once, however many polls and events arrive. A poll after the
 * end changes nothing.
 */
export async function pollRun(id: string, ports: IntentPorts): Promise<WatchResult> {
  const result = await withPollLease(id, ports, async (): Promise<WatchResult> => {
    const run = await loadRun(id, ports);
    if (run === undefined) return { done: true };
    if (run.state === 'ended') return bake(run, ports);
    if (run.state === 'awaiting-approval') {
      if (ports.clock.now() - run.requestedAt <= APPROVAL_WINDOW_MS) return { done: false };
      await expire(run, ports);
      return { done: true };
    }
    let d: Deployment;
    try {
      d = await ports.deployments.get(run.service, run.environment, run.deploymentId as string);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'UNKNOWN_DEPLOYMENT') throw error;
      return lost(run, ports);
    }
    if (run.unknownSince !== undefined) delete run.unknownSince;
    if (run.messagesPending === true) {
      // The message Slack did not take when the deploy started (posts are keyed: never twice).
      const posted = await postMessages(run, liveReply(run, d, ports.clock.now()), ports).catch(() => undefined);
      if (posted !== undefined) {
        run.messages = posted;
        delete run.messagesPending;
        await saveRun(run, ports);
        await holdLockWithMessage(run, ports);
        await tellStart(run, d, ports);
        await tellChangesSafely(run, ports);
      }
    }
    if (d.id !== run.deploymentId) {
      // The engine listed the deployment it had not yet when it started (ECS may take a while): its own id from here.
      run.deploymentId = d.id;
      await saveRun(run, ports);
      await ports.audit.update(run.auditId, { deploymentId: d.id });
    }
    // A step that ends the deployment is told by the end line ("Succeeded in 14 min"), not twice.
    if (d.status === 'InProgress') await tellStory(run, `step:${d.step}`, stepStory(d), ports);
    if (run.openGate !== undefined && d.gate?.id !== run.openGate) {
      // The engine moved on (a timeout, a rollback, an answer from elsewhere): the question keeps no live buttons.
      await closeGateAsk(run.id, run.openGate, [status('none'), ' No longer waiting here.'], ports);
      delete run.openGate;
    }
    if (d.gate !== undefined) {
      await askAtGate(run, d, d.gate, ports);
      run.openGate = d.gate.id;
    }
    // The safety net under the alarm events: a rollback alarm that went to ALARM since the deploy started.
    if (run.kind === 'deploy' && d.status === 'InProgress' && d.step !== 'RollingBack') {
      const fired = await firedAlarm(run, ports);
      if (fired !== undefined && (await stopOnAlarm(run, fired, ports, pollRun, d)) !== 'none') {
        d = await ports.deployments.get(run.service, run.environment, run.deploymentId as string);
        await tellStory(run, `step:${d.step}`, stepStory(d), ports);
      }
    }
    run.alarm ??= await ports.store.get<AlarmAction>(alarmKey(run.id));
    if (d.status !== 'InProgress') {
      await end(run, d, ports);
      return { done: run.bakeUntil === undefined };
    }
    await show(run, d, ports, false);
    if (ports.clock.now() - (run.lockRenewedAt ?? run.requestedAt) >= LOCK_RENEW_EVERY_MS) {
      await holdLockWithMessage(run, ports);
      run.lockRenewedAt = ports.clock.now();
    }
    await saveRun(run, ports);
    return { done: false };
  });
  // Another poll holds the run: it is not done as far as this one knows.
  return result ?? { done: false };
}

/** How long AWS must deny knowing a run's deployment before opsbot ends the run (a moment's inconsistency is not it). */
export const LOST_AFTER_MS = 60_000;

/**
 * A run whose deployment AWS no longer knows (deleted with its service or account, or a sandbox that was reset): once
 * AWS has said so for a minute, the run ends as failed with a line in its thread that says why, the audit record says
 * so and the lock is released — rather than polled until the deploy timeout, holding the service.
 */
async function lost(run: DeployRun, ports: IntentPorts): Promise<WatchResult> {
  const now = ports.clock.now();
  run.unknownSince ??= now;
  if (now - run.unknownSince < LOST_AFTER_MS) {
    await saveRun(run, ports);
    return { done: false };
  }
  ports.log.warn('deploy.deployment_unknown', { runId: run.id, deploymentId: run.deploymentId });
  const d: Deployment = {
    id: run.deploymentId as string,
    service: run.service,
    environment: run.environment,
    version: run.version,
    previousVersion: run.previousVersion,
    status: 'Failed',
    step: 'Failed',
    trafficOnGreen: 0,
    startedAt: run.startedAt ?? run.requestedAt,
    endedAt: now,
    requestedBy: run.requestedBy,
    engine: run.engine ?? 'codedeploy',
    error: {
      code: 'UNKNOWN_DEPLOYMENT',
      message: `AWS no longer knows deployment ${run.deploymentId}, so opsbot stopped watching it and released the lock. Check what runs with \`/deploy status ${run.service} ${run.environment}\`.`,
    },
  };
  await end(run, d, ports);
  return { done: true };
}

/**
 * The watch of a deploy that ended: while its bake window lasts (a deploy that succeeded, with rollback alarms), its
 * alarms are read at each poll, and one that went to ALARM since it started deploys the previous version again; at
 * the window's end the message says the alarms stayed quiet.
 */
async function bake(run: DeployRun, ports: IntentPorts): Promise<WatchResult> {
  if (run.bakeUntil === undefined) return { done: true };
  run.alarm ??= await ports.store.get<AlarmAction>(alarmKey(run.id));
  const now = ports.clock.now();
  // A newer deploy of the service took over: what its alarms say now is about that one.
  const [newest] = await recentRuns(run.service, run.environment, ports);
  if (run.alarm === undefined && newest !== undefined && newest.id !== run.id) {
    run.bakeUntil = undefined;
    await show(run, undefined, ports, true);
    await saveRun(run, ports);
    return { done: true };
  }
  if (run.alarm === undefined && now < run.bakeUntil) {
    const fired = await firedAlarm(run, ports);
    if (fired !== undefined) {
      await redeployOnAlarm(run, fired, ports, pollRun);
      run.alarm ??= await ports.store.get<AlarmAction>(alarmKey(run.id));
    }
  }
  const done = run.alarm !== undefined || now >= run.bakeUntil;
  await show(run, undefined, ports, done);
  await saveRun(run, ports);
  return { done };
}
