import type { Deployment } from '../../integrations/deployments.port';
import { isOpsbotError } from '../../integrations/errors';
import type { Actor, IntentPorts } from '../define-intent';
import { ago, plural, stepWords, trafficBar } from '../format';
import { code, type Line, mention, notice, plainText, type Reply, type Run, status, strong } from '../reply';
import { changeRefusal, versionRefusal } from './deploy.policy';
import { startRun } from './live';

function deploymentLine(d: Deployment, now: number): Run[] {
  const state: Run[] =
    d.status === 'InProgress' ? [`${stepWords(d.step)} · `, trafficBar(d.trafficOnGreen)] : [stepWords(d.step)];
  const icon = d.status === 'Succeeded' ? 'ok' : d.status === 'InProgress' ? 'running' : 'rolledBack';
  return [
    status(icon),
    ' ',
    strong(d.service),
    ' ',
    code(d.previousVersion),
    ' → ',
    code(d.version),
    ' in ',
    strong(d.environment),
    ' — ',
    ...state,
    ` · started ${ago(d.startedAt, now)} by `,
    mention(d.requestedBy),
    ...(d.reason !== undefined ? [` · ${d.reason}`] : []),
    ...(d.stoppedBy !== undefined ? [' by ', mention(d.stoppedBy)] : []),
  ];
}

/** A deployment as a card: what, where, which step, how much traffic is on green. */
export function deploymentCard(d: Deployment, now: number, title: string): Reply {
  return {
    title,
    summary: `${d.service} ${d.version} in ${d.environment}: ${stepWords(d.step)}`,
    sections: [[deploymentLine(d, now)]],
    context: [['Deployment ', code(d.id), ` · ask “how is the ${d.service} deploy going?” for its progress`]],
    visibility: 'channel',
  };
}

/** "prod v1.8.2", or undefined where the service does not run in that environment. */
async function runningVersion(service: string, environment: string, ports: IntentPorts): Promise<Run[] | undefined> {
  try {
    return [`${environment} `, code((await ports.deployments.current(service, environment)).version)];
  } catch (error) {
    if (isOpsbotError(error) && error.code === 'UNKNOWN_TARGET') return undefined;
    throw error;
  }
}

/** What runs where, and the deploys in progress, scoped by the slots given. */
export async function deployStatusReply(
  slots: { service?: string; environment?: string },
  ports: IntentPorts,
): Promise<Reply> {
  const now = ports.clock.now();
  const services = slots.service !== undefined ? [slots.service] : ports.vocabulary.services.map((s) => s.name);
  const environments =
    slots.environment !== undefined ? [slots.environment] : ports.vocabulary.environments.map((e) => e.name);
  const running = (
    await Promise.all(
      services.map(async (service) => {
        const versions = await Promise.all(
          environments.map((environment) => runningVersion(service, environment, ports)),
        );
        const known = versions.filter((v): v is Run[] => v !== undefined);
        return known.length > 0 ? { service, known } : undefined;
      }),
    )
  ).filter((l) => l !== undefined);
  const active = (await ports.deployments.active()).filter(
    (d) => services.includes(d.service) && environments.includes(d.environment),
  );
  const recent =
    slots.service !== undefined && slots.environment !== undefined
      ? (await ports.deployments.history(slots.service, slots.environment, 3)).filter((d) => d.status !== 'InProgress')
      : [];
  const scope = [slots.service, slots.environment].filter(Boolean).join(' in ') || 'every service';
  const activeText =
    active.length === 0 ? 'No deploys in progress.' : `${plural(active.length, 'deploy')} in progress:`;
  const runningLines: Line[] = running.map(({ service, known }) => [
    strong(service),
    ': ',
    ...known.flatMap((k, i) => (i === 0 ? k : [' · ', ...k])),
  ]);
  const runningSummary = running
    .map(({ service, known }) => `${service}: ${known.map(plainText).join(' · ')}`)
    .join('; ');
  return {
    title: `Deploy status: ${scope}`,
    summary: `${activeText} ${runningSummary}`,
    sections: [
      [activeText, ...active.map((d) => deploymentLine(d, now))],
      ...(runningLines.length > 0 ? [[strong('Running now'), ...runningLines]] : []),
      ...(recent.length > 0 ? [[strong('Recent deploys'), ...recent.map((d) => deploymentLine(d, now))]] : []),
    ],
    visibility: 'channel',
  };
}

/**
 * Rolls back: a deploy in progress is stopped with rollback; otherwise the version that ran before the last
 * successful deploy is deployed again.
 */
export async function rollbackService(
  slots: { service: string; environment: string; version?: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<Reply> {
  const now = ports.clock.now();
  const running = (await ports.deployments.active()).find(
    (d) => d.service === slots.service && d.environment === slots.environment,
  );
  if (running !== undefined && running.step !== 'RollingBack') {
    const stopped = await ports.deployments.stop(running.service, running.environment, running.id, {
      rollback: true,
      reason: 'rolled back from Slack',
      by: actor.userId,
    });
    return deploymentCard(stopped, now, `Rolling back ${slots.service} in ${slots.environment}`);
  }
  if (slots.version !== undefined) {
    // Back to a named earlier version: a deploy of it, marked as a rollback, through the same rules.
    return startRun(
      { kind: 'rollback', service: slots.service, environment: slots.environment, version: slots.version },
      actor,
      ports,
    );
  }
  // The last deploy that succeeded (not a rollback the engine made): what ran before it is what to go back to.
  const last = (await ports.deployments.history(slots.service, slots.environment, 20)).find(
    (d) => d.status === 'Succeeded' && d.rollback !== true,
  );
  if (last === undefined) {
    return notice(
      'none',
      [
        'I have no earlier revision of ',
        strong(slots.service),
        ' in ',
        strong(slots.environment),
        ' to go back to; nothing was changed.',
      ],
      ['Deploy a specific version instead: ', code(`/deploy ${slots.service} ${slots.environment} <version>`)],
    );
  }
  const previous = last.previousVersion;
  if (previous === '?' || previous === '') {
    return notice(
      'none',
      [
        'I can’t tell which version of ',
        strong(slots.service),
        ' ran in ',
        strong(slots.environment),
        ' before its last deploy, so nothing was changed.',
      ],
      ['Deploy a specific version instead: ', code(`/deploy ${slots.service} ${slots.environment} <version>`)],
    );
  }
  // The version goes back through the same checks as any deploy: in the repository, not a moving tag.
  const refused =
    (await changeRefusal({ ...slots, version: previous }, actor, ports)) ??
    (await versionRefusal({ ...slots, version: previous }, ports));
  if (refused !== undefined) return refused.reply;
  return startRun(
    { kind: 'rollback', service: slots.service, environment: slots.environment, version: previous },
    actor,
    ports,
  );
}
