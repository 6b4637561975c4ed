import { Claims } from '../../../integrations/claims';
import type { Deployment } from '../../../integrations/deployments.port';
import type { IntentPorts } from '../../define-intent';
import { stepWords } from '../../format';
import { type Chart, code, type Line, mention, type Reply, status } from '../../reply';
import { requester } from './message';
import { type DeployRun, RUN_TTL_SECONDS } from './record';
import { clockTime, duration } from './words';

/** The thread's first lines: who started it, the deployment, and where it is. */
export async function tellStart(run: DeployRun, d: Deployment, ports: IntentPorts): Promise<void> {
  await tellStory(run, `start`, ['Started by ', ...requester(run), ' · deployment ', code(d.id)], ports);
  await tellStory(run, `step:${d.step}`, stepStory(d), ports);
}

/** A line in the message's thread, once per key (a phase, the end), with its time. */
export async function tellStory(
  run: DeployRun,
  key: string,
  line: Line,
  ports: IntentPorts,
  more: readonly Line[] = [],
  chart?: Chart,
): Promise<void> {
  if (run.messages.length === 0) return;
  const claims = new Claims(ports.store);
  if (!(await claims.claim(`deploy-story:${run.id}:${key}`, RUN_TTL_SECONDS))) return;
  const runs = Array.isArray(line) ? line : [line];
  const reply: Reply = {
    summary: [`${clockTime(ports.clock.now())} · `, ...runs],
    sections: [[[`${clockTime(ports.clock.now())} · `, ...runs], ...more]],
    ...(chart !== undefined && { chart }),
    visibility: 'channel',
  };
  try {
    for (const message of run.messages) {
      await ports.announcer.post({ thread: message }, reply, {
        key: `deploy-story:${run.id}:${key}:${message.channel}`,
      });
    }
  } catch (error) {
    await claims.release(`deploy-story:${run.id}:${key}`);
    throw error;
  }
}

export function stepStory(d: Deployment): Line {
  if (d.step === 'RollingBack')
    return [status('rolledBack'), ' Rolling back', ...(d.error ? [': ', code(d.error.code)] : [])];
  return [stepWords(d.step)];
}

export function endStory(run: DeployRun, d: Deployment): Line {
  const took = duration((run.endedAt ?? 0) - (run.startedAt ?? run.requestedAt));
  if (run.alarm !== undefined && run.outcome !== 'succeeded') {
    return d.step === 'RolledBack'
      ? [
          status('rolledBack'),
          ' Rolled back after alarm ',
          code(run.alarm.name),
          ` in ${took}; the previous version `,
          code(run.previousVersion),
          ' is serving.',
        ]
      : rollbackUnfinished(run, d);
  }
  switch (run.outcome) {
    case 'succeeded':
      return [
        status('ok'),
        ` Succeeded in ${took}`,
        ...(d.taskDefinition !== undefined ? [' · task definition ', code(d.taskDefinition)] : []),
      ];
    case 'failed':
      return [
        status('failed'),
        ' Failed',
        ...(d.error !== undefined ? [': ', code(d.error.code), ` ${d.error.message}`] : []),
        d.step === 'RolledBack' ? ' · AWS rolled it back; the previous version is serving.' : '',
      ];
    default:
      return [
        status('stopped'),
        ' Stopped',
        ...(run.endedBy !== undefined ? [' by ', mention(run.endedBy)] : []),
        d.step === 'RolledBack' ? ' · rolled back; the previous version is serving.' : '.',
      ];
  }
}

/** "The rollback after alarm … did not finish": said plainly, with what to do. */
function rollbackUnfinished(run: DeployRun, d: Pick<Deployment, 'step' | 'error'>): Line {
  return [
    status('failed'),
    ' The rollback after alarm ',
    code(run.alarm?.name ?? ''),
    ' did not finish',
    ...(d.error !== undefined ? [': ', code(d.error.code), ` ${d.error.message}`] : []),
    '. The new version may still take traffic: check the service, then roll back by hand with ',
    code(`/deploy rollback ${run.service} ${run.environment} ${run.previousVersion}`),
    '.',
  ];
}
