import type { AlarmState } from '../../../integrations/alarms.port';
import { Claims, claimKey } from '../../../integrations/claims';
import type { Deployment } from '../../../integrations/deployments.port';
import type { IntentPorts } from '../../define-intent';
import { code, type Line, type Reply, runsOf, status } from '../../reply';
import { alarmPicture } from '../alarm-chart';
import { alarmFacts } from '../alarm-story';
import { type AlarmAction, alarmKey, type DeployRun, errorNote, loadRun, OPSBOT, RUN_TTL_SECONDS } from './record';
import { beginRun } from './start';
import { tellStory } from './story';
import { clockTime, duration, messageLink } from './words';

/**
 * A rollback alarm of the run's service that went to ALARM since the run started, read from CloudWatch (the poll's
 * safety net under the alarm events). One already in ALARM when it started is told once, and left alone: the deploy
 * may be the fix for it.
 */
export async function firedAlarm(run: DeployRun, ports: IntentPorts): Promise<AlarmState | undefined> {
  if (ports.rules.rollbackAlarms(run.service, run.environment).alarms.length === 0) return undefined;
  let states: AlarmState[];
  try {
    states = await ports.alarms.states(run.service, run.environment);
  } catch (error) {
    ports.log.warn('deploy.alarms_unreadable', { runId: run.id, error: errorNote(error) });
    const why = (error as { userMessage?: unknown }).userMessage;
    await tellStory(
      run,
      'alarms-unreadable',
      [
        status('failed'),
        ' ',
        typeof why === 'string' ? why : 'I could not read the rollback alarms.',
        ' Until I can, only their CloudWatch events can roll this deploy back.',
      ],
      ports,
    );
    // The alarms that could be read (in the other accounts and regions) still count.
    const readable = (error as { readable?: unknown }).readable;
    if (!Array.isArray(readable)) return undefined;
    states = readable as AlarmState[];
  }
  const since = run.startedAt ?? run.requestedAt;
  for (const alarm of states) {
    if (alarm.state === 'ALARM' && (alarm.updatedAt ?? since) < since) {
      await tellStory(
        run,
        `alarm-before:${alarm.name}`,
        [
          status('waiting'),
          ' Alarm ',
          code(alarm.name),
          ' was already in ALARM when this deploy started; it rolls the deploy back only if it goes to ALARM again.',
        ],
        ports,
      );
    }
  }
  return states.find((a) => a.state === 'ALARM' && (a.updatedAt ?? 0) >= since);
}

/**
 * A fresh look at a run once something was done about its alarm, so that its message follows at once: the watch's
 * poll (`pollRun`). Passed in rather than imported because the poll itself acts on alarms through this file.
 */
export type LookAgain = (runId: string, ports: IntentPorts) => Promise<unknown>;

/** What opsbot did about a rollback alarm. */
export type AlarmOutcome = 'stopped' | 'engine' | 'redeployed' | 'failed' | 'none';

/** The claim that makes an alarm act on a run once, whichever alarm, event or poll comes first. */
const alarmClaim = (runId: string) => `deploy-alarm:${runId}`;

/** One alarm acts on a run: true for the first; a later one is only told in the thread ("also went to ALARM"). */
async function firstAlarm(run: DeployRun, alarm: AlarmState, claims: Claims, ports: IntentPorts): Promise<boolean> {
  if (await claims.claim(alarmClaim(run.id), RUN_TTL_SECONDS, alarm.name)) return true;
  await tellAlsoInAlarm(run, alarm, ports);
  return false;
}

/**
 * A rollback alarm went to ALARM while the run deploys: the deployment is stopped with rollback (CodeDeploy
 * `StopDeployment` with auto-rollback, ECS `StopServiceDeployment` ROLLBACK), once per run whatever arrives after
 * (the same event again, the alarm flapping, a second alarm); when CodeDeploy or ECS is already rolling back by
 * itself, nothing more is asked of it. Either way the thread gets the story and the message follows.
 */
export async function stopOnAlarm(
  run: DeployRun,
  alarm: AlarmState,
  ports: IntentPorts,
  lookAgain: LookAgain,
  known?: Deployment,
): Promise<AlarmOutcome> {
  const claims = new Claims(ports.store);
  if (!(await firstAlarm(run, alarm, claims, ports))) return 'none';
  const now = ports.clock.now();
  let action: AlarmAction['action'];
  try {
    // A person's Cancel (or Roll back at a gate) is already rolling it back: theirs, not AWS's or opsbot's.
    const stoppedBy = await ports.store.get<string>(`deploy-stopped-by:${run.id}`);
    if (stoppedBy !== undefined) {
      await tellAlarmIgnored(run, alarm, 'the rollback already asked for goes on, nothing more was done.', ports);
      return 'none';
    }
    let d = known ?? (await ports.deployments.get(run.service, run.environment, run.deploymentId as string));
    // AWS is rolling it back already (the engine's own alarms), unless opsbot's stop below is what does it.
    action = 'engine';
    if (d.status === 'InProgress' && d.step !== 'RollingBack') {
      try {
        await ports.deployments.stop(run.service, run.environment, run.deploymentId as string, {
          rollback: true,
          reason: `alarm ${alarm.name} went to ALARM`,
        });
        action = 'stopped';
      } catch (error) {
        d = await ports.deployments.get(run.service, run.environment, run.deploymentId as string);
        if (d.status === 'InProgress' && d.step !== 'RollingBack') {
          await stopFailed(run, alarm, error, ports);
          // The next poll (or event) tries again; the story of the failure is told once.
          await claims.release(alarmClaim(run.id));
          return 'failed';
        }
      }
    }
    if (action === 'engine' && d.status === 'Succeeded') {
      // It ended before the alarm was acted on (or while the stop was on its way): the bake window's case.
      await claims.release(alarmClaim(run.id));
      await lookAgain(run.id, ports);
      const ended = await loadRun(run.id, ports);
      return ended?.state === 'ended' && ended.outcome === 'succeeded'
        ? redeployOnAlarm(ended, alarm, ports, lookAgain)
        : 'none';
    }
    await ports.store.put(
      alarmKey(run.id),
      { name: alarm.name, at: now, action } satisfies AlarmAction,
      RUN_TTL_SECONDS,
    );
  } catch (error) {
    await claims.release(alarmClaim(run.id));
    throw error;
  }
  return told(run, alarm, action, now, ports, lookAgain);
}

/** What was done about an alarm during a deploy: audited, told in the thread, and the message moved on. */
async function told(
  run: DeployRun,
  alarm: AlarmState,
  action: AlarmAction['action'],
  now: number,
  ports: IntentPorts,
  lookAgain: LookAgain,
): Promise<AlarmOutcome> {
  await ports.audit.record({
    action: 'AlarmRollback',
    outcome: 'done',
    actor: { userId: OPSBOT },
    target: { service: run.service, environment: run.environment, version: run.version },
    ...(run.deploymentId !== undefined && { deploymentId: run.deploymentId }),
    note: `alarm ${alarm.name}: ${action === 'engine' ? 'AWS was already rolling back' : 'stopped with rollback'}`,
  });
  await tellAlarmStory(
    run,
    `alarm:${alarm.name}`,
    alarm,
    action === 'engine'
      ? [
          `${run.engine === 'codedeploy' ? 'CodeDeploy' : 'ECS'} was already rolling it back (its own alarm configuration); opsbot asked nothing more of it.`,
        ]
      : [`opsbot stopped the deployment at ${clockTime(now)} and is rolling back to `, code(run.previousVersion), '.'],
    ports,
  );
  // The thread says it at once; the message follows within the 10 s its updates are spaced by.
  await lookAgain(run.id, ports);
  return action === 'engine' ? 'engine' : 'stopped';
}

/**
 * Another alarm than the one being acted on went to ALARM: one line in the thread, once per alarm. The same alarm
 * again (a redelivered event, the poll seeing what the event said) adds nothing.
 */
async function tellAlsoInAlarm(run: DeployRun, alarm: AlarmState, ports: IntentPorts): Promise<void> {
  const first = await ports.store.get<string>(claimKey(alarmClaim(run.id)));
  if (first === alarm.name) return;
  await tellStory(run, `alarm-also:${alarm.name}`, alsoInAlarm(alarm), ports);
}

/** A stop that failed, told once in the thread with what to do. */
async function stopFailed(run: DeployRun, alarm: AlarmState, error: unknown, ports: IntentPorts): Promise<void> {
  ports.log.error('deploy.alarm_stop_failed', { runId: run.id, alarm: alarm.name, error: errorNote(error) });
  await tellAlarmStory(
    run,
    `alarm-stop-failed:${alarm.name}`,
    alarm,
    [
      status('failed'),
      ' opsbot could not stop the deployment',
      failedBecause(error),
      '. Press Cancel on the deploy’s message, or roll back with ',
      code(`/deploy rollback ${run.service} ${run.environment}`),
      '; opsbot tries again at its next look.',
    ],
    ports,
  );
}

/** "`p99-latency` also went to ALARM; the rollback is already under way." */
function alsoInAlarm(alarm: AlarmState): Line {
  return [
    status('failed'),
    ' Alarm ',
    code(alarm.name),
    ' also went to ALARM',
    ...(alarm.updatedAt !== undefined ? [` at ${clockTime(alarm.updatedAt)}`] : []),
    '; one rollback is under way, nothing more was done.',
  ];
}

/**
 * A rollback alarm went to ALARM within the bake window of a deploy that succeeded: the previous version is deployed
 * again, as a rollback opsbot asks for itself (no approval: it undoes a change, as a rollback at a freeze does), once
 * per deploy. The deploy's thread tells why and links the rollback, whose own message shows its progress.
 */
export async function redeployOnAlarm(
  run: DeployRun,
  alarm: AlarmState,
  ports: IntentPorts,
  lookAgain: LookAgain,
): Promise<AlarmOutcome> {
  const claims = new Claims(ports.store);
  if (!(await firstAlarm(run, alarm, claims, ports))) return 'none';
  const now = ports.clock.now();
  if (!known(run.previousVersion)) {
    const unknown = Object.assign(new Error('no previous version'), {
      name: 'UnknownVersion',
      userMessage: 'I can’t tell which version this deploy replaced',
    });
    await redeployFailed(run, alarm, unknown, ports);
    return notRedeployed(run, alarm, now, ports, lookAgain);
  }
  let started: { reply: Reply; run?: DeployRun };
  try {
    started = await beginRun(
      {
        kind: 'rollback',
        service: run.service,
        environment: run.environment,
        version: run.previousVersion,
        // The image that ran before, by digest when it ran by one (the tag may have been pushed again since).
        ...(run.previousDigest !== undefined && { digest: run.previousDigest }),
        trigger: { alarm: alarm.name, runId: run.id },
      },
      { userId: OPSBOT, ...(run.actor.channelId !== undefined && { channelId: run.actor.channelId }) },
      ports,
    );
  } catch (error) {
    // Said once, with what to do; not tried again at every poll (each try would be a deploy, and an audit record).
    await redeployFailed(run, alarm, error, ports);
    return notRedeployed(run, alarm, now, ports, lookAgain);
  }
  if (started.run === undefined) {
    // Refused: another deploy holds the service, or the previous version already runs. Told, not retried.
    await tellAlarmStory(
      run,
      `alarm:${alarm.name}`,
      alarm,
      ['opsbot did not deploy ', code(run.previousVersion), ' again: ', ...runsOf(started.reply.summary)],
      ports,
    );
    return notRedeployed(run, alarm, now, ports, lookAgain);
  }
  const record: AlarmAction = {
    name: alarm.name,
    at: now,
    action: 'redeployed',
    rollbackRunId: started.run.id,
    ...(started.run.messages[0] !== undefined && { rollbackMessage: started.run.messages[0] }),
  };
  await ports.store.put(alarmKey(run.id), record, RUN_TTL_SECONDS);
  await ports.audit.record({
    action: 'AlarmRollback',
    outcome: 'done',
    actor: { userId: OPSBOT },
    target: { service: run.service, environment: run.environment, version: run.previousVersion },
    note: `alarm ${alarm.name} within ${duration(now - (run.endedAt ?? now))} of the deploy of ${run.version}: deploying ${run.previousVersion} again`,
  });
  await tellAlarmStory(
    run,
    `alarm:${alarm.name}`,
    alarm,
    [
      `${duration(now - (run.endedAt ?? now))} after this deploy succeeded: opsbot is deploying `,
      code(run.previousVersion),
      ' again',
      ...(record.rollbackMessage !== undefined ? [' — ', messageLink(record.rollbackMessage, 'follow it here')] : []),
      '.',
    ],
    ports,
  );
  await lookAgain(run.id, ports);
  return 'redeployed';
}

/** The deploy's message says the alarm fired and opsbot could not roll back (the thread says why). */
async function notRedeployed(
  run: DeployRun,
  alarm: AlarmState,
  now: number,
  ports: IntentPorts,
  lookAgain: LookAgain,
): Promise<'failed'> {
  await ports.store.put(
    alarmKey(run.id),
    { name: alarm.name, at: now, action: 'failed' } satisfies AlarmAction,
    RUN_TTL_SECONDS,
  );
  await lookAgain(run.id, ports);
  return 'failed';
}

async function redeployFailed(run: DeployRun, alarm: AlarmState, error: unknown, ports: IntentPorts): Promise<void> {
  ports.log.error('deploy.alarm_redeploy_failed', { runId: run.id, alarm: alarm.name, error: errorNote(error) });
  await tellAlarmStory(
    run,
    `alarm-redeploy-failed:${alarm.name}`,
    alarm,
    [
      status('failed'),
      ' opsbot did not roll back',
      failedBecause(error),
      '. Roll back by hand with ',
      code(
        `/deploy rollback ${run.service} ${run.environment}${known(run.previousVersion) ? ` ${run.previousVersion}` : ' <version>'}`,
      ),
      '.',
    ],
    ports,
  );
}

/** Says in a run's thread that an alarm went to ALARM and nothing was done about it (once per alarm). */
export async function tellAlarmIgnored(
  run: DeployRun,
  alarm: AlarmState,
  why: string,
  ports: IntentPorts,
): Promise<void> {
  await tellStory(
    run,
    `alarm:${alarm.name}`,
    [
      status('failed'),
      ' Alarm ',
      code(alarm.name),
      ' went to ALARM',
      ...(alarm.updatedAt !== undefined ? [` at ${clockTime(alarm.updatedAt)}`] : []),
      `; ${why}`,
    ],
    ports,
  );
}

/** The alarm's facts in the run's thread (their first line is the story's line), then what opsbot did about it. */
async function tellAlarmStory(
  run: DeployRun,
  key: string,
  alarm: AlarmState,
  did: Line,
  ports: IntentPorts,
): Promise<void> {
  const [first, ...rest] = alarmFacts(alarm);
  const picture = await alarmPicture({ service: run.service, environment: run.environment }, alarm, ports, {
    deployStartedAt: run.startedAt ?? run.requestedAt,
  });
  const figures = picture.figures !== undefined ? [picture.figures] : [];
  await tellStory(run, key, first as Line, ports, [...rest, ...figures, did], picture.chart);
}

/** ": <what the error tells people>", or " (<its code>)" for an error that tells people nothing. */
function failedBecause(error: unknown): string {
  const why = (error as { userMessage?: unknown }).userMessage;
  return typeof why === 'string' ? `: ${why}` : ` (${errorNote(error)})`;
}

/** A version opsbot could read (the engine may not say what a revision ran). */
function known(version: string): boolean {
  return version !== '?' && version !== '';
}
