import type { Deployment, Gate } from '../../../integrations/deployments.port';
import type { IntentPorts } from '../../define-intent';
import { plural, stepWords, trafficBar } from '../../format';
import {
  type Button,
  code,
  type Line,
  mention,
  notice,
  type Reply,
  type Run,
  type StatusKind,
  status,
  strong,
} from '../../reply';
import { approverRuns } from '../deploy.policy';
import { type AlarmAction, APPROVAL_WINDOW_MS, type DeployRun, type RunOutcome } from './record';
import { clockTime, describeRun, duration, messageLink } from './words';

/** How a run that ended looks at a glance, when no alarm concerned it. */
const OUTCOME_STATUS: Record<RunOutcome, StatusKind> = {
  succeeded: 'ok',
  failed: 'failed',
  stopped: 'stopped',
  rejected: 'refused',
  expired: 'none',
};

/** Who asked for a run: a person, or opsbot on an alarm. */
export function requester(run: DeployRun): Run[] {
  return run.trigger !== undefined ? ['opsbot, on alarm ', code(run.trigger.alarm)] : [mention(run.requestedBy)];
}

/** Who asked, who approved, and when: the line every state of the message ends with. */
function people(run: DeployRun): Run[] {
  return [
    'Asked by ',
    ...requester(run),
    ...(run.approvedBy !== undefined ? [' · approved by ', mention(run.approvedBy)] : []),
    ...(run.promotedFrom !== undefined ? [` · promoted from ${run.promotedFrom}`] : []),
    ...(run.override !== undefined ? [' · freeze overridden: ', run.override] : []),
  ];
}

/** The header of a run still under way. */
function title(run: DeployRun): string {
  return run.kind === 'rollback'
    ? `Rolling ${run.service} in ${run.environment} back to ${run.version}`
    : run.promotedFrom !== undefined
      ? `Promoting ${run.service} ${run.version} from ${run.promotedFrom} to ${run.environment}`
      : `Deploying ${run.service} ${run.version} to ${run.environment}`;
}

/** The header of a run that ended: how it ended, never "Deploying …" above a deploy that is over. */
export function endedTitle(run: DeployRun): string {
  const what =
    run.kind === 'rollback'
      ? `rollback of ${run.service} in ${run.environment} to ${run.version}`
      : `deploy of ${run.service} ${run.version} to ${run.environment}`;
  const alarm = run.alarm;
  if (alarm !== undefined && run.kind === 'deploy') {
    const undone =
      (alarm.action === 'redeployed' && alarm.rollbackOutcome === 'succeeded') ||
      ((alarm.action === 'stopped' || alarm.action === 'engine') && run.final?.step === 'RolledBack');
    return undone
      ? `Rolled back: ${run.service} ${run.version} in ${run.environment} (alarm ${alarm.name})`
      : `Alarm ${alarm.name} on the ${what}`;
  }
  switch (run.outcome) {
    case 'succeeded':
      return run.kind === 'rollback'
        ? `Rolled ${run.service} in ${run.environment} back to ${run.version}`
        : `Deployed ${run.service} ${run.version} to ${run.environment}`;
    case 'failed':
      return `The ${what} failed`;
    case 'stopped':
      return `The ${what} was stopped`;
    case 'rejected':
      return `The ${what} was rejected`;
    default:
      return `The ${what} expired before it was approved`;
  }
}

/** "web `v1.6.0` → `v1.8.2` in prod". */
function changeOf(run: DeployRun): Run[] {
  return [
    strong(run.service),
    ' ',
    code(run.previousVersion),
    ' → ',
    code(run.version),
    ' in ',
    strong(run.environment),
  ];
}

/** The deploy's one message: its step, traffic on green, tasks, elapsed time, who asked and approved, and buttons. */
export function liveReply(run: DeployRun, deployment: Deployment | undefined, now: number): Reply {
  let d = deployment;
  const started = run.startedAt ?? run.requestedAt;
  const change = changeOf(run);
  if (run.state === 'ended' && run.outcome !== undefined) {
    const ended = run.endedAt ?? now;
    d ??= run.final as Deployment | undefined;
    const alarm = run.alarm;
    const outcome: Line =
      alarm !== undefined
        ? alarmOutcome(run, alarm, d)
        : run.outcome === 'succeeded'
          ? [
              `Succeeded in ${duration(ended - started)}`,
              ...(d?.taskDefinition ? [' · task definition ', code(d.taskDefinition)] : []),
            ]
          : run.outcome === 'failed'
            ? [
                'Failed',
                ...(d?.error !== undefined ? [': ', code(d.error.code), ` ${d.error.message}`] : []),
                d?.step === 'RolledBack' ? ' · AWS rolled it back' : '',
              ]
            : run.outcome === 'stopped'
              ? [
                  'Stopped',
                  ...(run.endedBy !== undefined ? [' by ', mention(run.endedBy)] : []),
                  d?.step === 'RolledBack' ? ' · rolled back' : '',
                ]
              : run.outcome === 'rejected'
                ? ['Rejected', ...(run.endedBy !== undefined ? [' by ', mention(run.endedBy)] : [])]
                : ['Approval expired: nothing was deployed'];
    const watching: Line[] =
      run.bakeUntil === undefined || alarm !== undefined
        ? []
        : run.bakeUntil > now
          ? [[`Watching its rollback alarms until ${clockTime(run.bakeUntil)}`]]
          : [[`No rollback alarm in the ${duration(run.bakeUntil - ended)} after`]];
    const buttons: Button[] =
      run.outcome === 'succeeded' && alarm === undefined
        ? [
            {
              label: 'Roll back',
              style: 'danger',
              payload: {
                kind: 'request',
                intent: 'Rollback',
                slots: { service: run.service, environment: run.environment, version: run.previousVersion },
              },
            },
          ]
        : [];
    return {
      title: endedTitle(run),
      summary: [...change, ': ', ...(Array.isArray(outcome) ? outcome : [outcome])],
      sections: [
        [
          [
            status(
              alarm === undefined
                ? OUTCOME_STATUS[run.outcome]
                : alarm.action === 'failed' || alarm.rollbackOutcome === 'failed'
                  ? 'failed'
                  : 'rolledBack',
            ),
            ' ',
            ...change,
          ],
          outcome,
          ...(run.alarm?.rollbackMessage !== undefined
            ? [
                [
                  messageLink(run.alarm.rollbackMessage, 'The rollback'),
                  ' deploys ',
                  code(run.previousVersion),
                  ' again',
                ],
              ]
            : []),
          ...watching,
          people(run),
        ],
      ],
      ...(buttons.length > 0 && { buttons }),
      context: [
        [
          ...(run.deploymentId !== undefined ? ['Deployment ', code(run.deploymentId), ' · '] : []),
          `ended ${clockTime(ended)}`,
        ],
      ],
      visibility: 'channel',
    };
  }
  const step: Line =
    d === undefined
      ? ['Starting']
      : d.gate !== undefined
        ? [
            status('waiting'),
            ' Green is up on the test listener, waiting for someone to shift production traffic (in the thread)',
            ...gateTimeout(d.gate),
          ]
        : d.step === 'ShiftingTraffic' || d.step === 'Baking' || d.step === 'TestTraffic'
          ? [`${stepWords(d.step)} · `, trafficBar(d.trafficOnGreen)]
          : [stepWords(d.step), ...(d.error !== undefined ? [': ', code(d.error.code)] : [])];
  const tasks: Line | undefined =
    d?.tasks !== undefined
      ? [
          `Tasks: ${d.tasks.running}/${d.tasks.desired} running`,
          ...(d.tasks.pending > 0 ? [` · ${plural(d.tasks.pending, 'pending task')}`] : []),
        ]
      : undefined;
  return {
    title: title(run),
    summary: [...change, ': ', ...(Array.isArray(step) ? step : [step])],
    sections: [
      [
        [status(d?.step === 'RollingBack' ? 'rolledBack' : 'running'), ' ', ...change],
        step,
        ...(tasks !== undefined ? [tasks] : []),
        [
          ...people(run),
          // Whole minutes, so the message changes once a minute; under one, said as such rather than "0 s".
          ` · started ${clockTime(started)}, running ${now - started < 60_000 ? 'under a minute' : duration(Math.floor((now - started) / 60_000) * 60_000)}`,
        ],
      ],
    ],
    ...(d?.step !== 'RollingBack' && {
      buttons: [{ label: 'Cancel', style: 'danger', payload: { kind: 'deploy-cancel', runId: run.id } }],
    }),
    ...((run.deploymentId !== undefined || d?.step !== 'RollingBack') && {
      context: [
        [
          ...(run.deploymentId !== undefined ? ['Deployment ', code(run.deploymentId)] : []),
          // Said only beside the button it explains.
          ...(d?.step !== 'RollingBack'
            ? [...(run.deploymentId !== undefined ? [' · '] : []), 'Cancel stops it and rolls back']
            : []),
        ],
      ],
    }),
    visibility: 'channel',
  };
}

/** The card a second person approves: who asked, what, until when, and Approve / Reject. */
export function approvalCard(run: DeployRun, ports: Pick<IntentPorts, 'rules'>): Reply {
  const who = approverRuns(ports.rules.environment(run.environment)?.approvers);
  const change = changeOf(run);
  return {
    title: `Approval needed: ${title(run)}`,
    // The notification names the approvers, so Slack tells them.
    summary: [...change, ': waiting for approval', ...(who !== undefined ? [' by ', ...who] : [])],
    sections: [
      [
        [status('waiting'), ' ', ...change],
        [
          'Asked by ',
          mention(run.requestedBy),
          '. ',
          ...(who !== undefined
            ? ['Needs one of ', ...who, ' to approve (not the person who asked).']
            : ['Anyone who may deploy there, other than the person who asked, can approve it.']),
        ],
        ...(run.override !== undefined ? [['Freeze overridden: ', run.override]] : []),
      ],
    ],
    buttons: [
      { label: 'Approve', style: 'primary', payload: { kind: 'approve', runId: run.id } },
      { label: 'Reject', style: 'danger', payload: { kind: 'reject', runId: run.id } },
    ],
    context: [[`Asked ${clockTime(run.requestedAt)}; expires ${clockTime(run.requestedAt + APPROVAL_WINDOW_MS)}`]],
    visibility: 'channel',
  };
}

/** What a stale click is told: how the deploy stands now. */
export function alreadyDecided(run: DeployRun): Reply {
  const state: Run[] =
    run.outcome === 'rejected'
      ? ['was rejected', ...(run.endedBy !== undefined ? [' by ', mention(run.endedBy)] : [])]
      : run.outcome === 'expired'
        ? ['expired before anyone approved it']
        : run.approvedBy !== undefined
          ? ['was already approved by ', mention(run.approvedBy)]
          : run.state === 'ended'
            ? ['has already ended']
            : ['is already running'];
  return notice('none', ['This request for ', ...describeRun(run), ' ', ...state, '; nothing more was done.']);
}

/** "; times out 10:32 UTC, then AWS rolls back". */
export function gateTimeout(gate: Gate): string[] {
  const then =
    gate.onTimeout === 'continue'
      ? 'shifts traffic itself'
      : gate.onTimeout === 'stop'
        ? 'stops the deploy and rolls back'
        : 'rolls back';
  if (gate.expiresAt !== undefined) return [`; times out ${clockTime(gate.expiresAt)}, then AWS ${then}`];
  if (gate.waitMinutes !== undefined) return [`; times out after ${gate.waitMinutes} min, then AWS ${then}`];
  return [];
}

/** How a deploy an alarm concerned ended, in its message. */
function alarmOutcome(run: DeployRun, alarm: AlarmAction, d: Pick<Deployment, 'step'> | undefined): Line {
  const name = code(alarm.name);
  switch (alarm.action) {
    case 'redeployed':
      return alarm.rollbackOutcome === undefined
        ? ['Alarm ', name, ': rolling back to ', code(run.previousVersion)]
        : alarm.rollbackOutcome === 'succeeded'
          ? ['Rolled back — alarm ', name]
          : ['Alarm ', name, ': the rollback to ', code(run.previousVersion), ' did not succeed (see the thread)'];
    case 'failed':
      return ['Alarm ', name, ': opsbot could not roll back (see the thread)'];
    default:
      return d?.step === 'RolledBack'
        ? ['Rolled back — alarm ', name]
        : ['Stopped on alarm ', name, ': the rollback did not finish'];
  }
}
