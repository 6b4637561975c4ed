import type { Deployment } from '../integrations/deployments.port';
import { isOpsbotError } from '../integrations/errors';
import type { Actor, IntentPorts, Reply } from './define-intent';
import { ago, sections, stepWords, trafficBar } from './format';

function deploymentLine(d: Deployment, now: number): string {
  const state =
    d.status === 'InProgress' ? `${stepWords(d.step)} · ${trafficBar(d.trafficOnGreen)}` : stepWords(d.step);
  const emoji =
    d.status === 'Succeeded'
      ? ':white_check_mark:'
      : d.status === 'InProgress'
        ? ':hourglass_flowing_sand:'
        : ':rewind:';
  return `${emoji} *${d.service}* \`${d.previousVersion}\` → \`${d.version}\` in *${d.environment}* — ${state} · started ${ago(d.startedAt, now)} by <@${d.requestedBy}>${d.reason !== undefined ? ` · ${d.reason}` : ''}`;
}

/** A deployment as a card: what, where, which step, how much traffic is on green. */
export function deploymentCard(d: Deployment, now: number, title: string): Reply {
  return {
    title,
    text: `${d.service} ${d.version} in ${d.environment}: ${stepWords(d.step)}`,
    sections: [deploymentLine(d, now)],
    context: [`Deployment \`${d.id}\` · ask “how is the ${d.service} deploy going?” for its progress`],
    visibility: 'channel',
  };
}

/** "prod `v1.8.2`", or undefined where the service does not run in that environment. */
async function runningVersion(service: string, environment: string, ports: IntentPorts): Promise<string | undefined> {
  try {
    return `${environment} \`${(await ports.deployments.current(service, environment)).version}\``;
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
  const lines = (
    await Promise.all(
      services.map(async (service) => {
        const versions = await Promise.all(
          environments.map((environment) => runningVersion(service, environment, ports)),
        );
        const known = versions.filter((v): v is string => v !== undefined);
        return known.length > 0 ? `*${service}*: ${known.join(' · ')}` : undefined;
      }),
    )
  ).filter((l): l is string => l !== undefined);
  const active = (await ports.deployments.active()).filter(
    (d) => services.includes(d.service) && environments.includes(d.environment),
  );
  const recent =
    slots.service !== undefined && slots.environment !== undefined
      ? (await ports.deployments.history(slots.service, slots.environment, 3)).filter((d) => d.status !== 'InProgress')
      : [];
  const scope = [slots.service, slots.environment].filter(Boolean).join(' in ') || 'every service';
  const activeText =
    active.length === 0
      ? 'No deploys in progress.'
      : `${active.length} deploy${active.length === 1 ? '' : 's'} in progress:`;
  return {
    title: `Deploy status: ${scope}`,
    text: `${activeText} ${lines.join('; ').replace(/[*`]/g, '')}`,
    sections: [
      ...sections([activeText, ...active.map((d) => deploymentLine(d, now))]),
      ...(lines.length > 0 ? sections(['*Running now*', ...lines]) : []),
      ...(recent.length > 0 ? sections(['*Recent deploys*', ...recent.map((d) => deploymentLine(d, now))]) : []),
    ],
    visibility: 'channel',
  };
}

/** Starts a deployment (confirmation and policy were handled by the dispatcher). */
export async function startDeploy(
  slots: { service: string; environment: string; version: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<Reply> {
  const current = await ports.deployments.current(slots.service, slots.environment);
  if (current.version === slots.version) {
    return {
      text: `${slots.service} already runs ${slots.version} in ${slots.environment}; nothing was deployed.`,
      sections: [
        `*${slots.service}* already runs \`${slots.version}\` in *${slots.environment}*; nothing was deployed.`,
      ],
      visibility: 'private',
    };
  }
  const d = await ports.deployments.start({ ...slots, requestedBy: actor.userId });
  return deploymentCard(d, ports.clock.now(), `Deploying ${slots.service} ${slots.version} to ${slots.environment}`);
}

/**
 * Rolls back: a deploy in progress is stopped with rollback; otherwise the version that ran before the last
 * successful deploy is deployed again.
 */
export async function rollbackService(
  slots: { service: string; environment: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<Reply> {
  const now = ports.clock.now();
  const running = (await ports.deployments.active()).find(
    (d) => d.service === slots.service && d.environment === slots.environment,
  );
  if (running !== undefined && running.step !== 'RollingBack') {
    const stopped = await ports.deployments.stop(running.id, {
      rollback: true,
      reason: `rolled back by <@${actor.userId}>`,
    });
    return deploymentCard(stopped, now, `Rolling back ${slots.service} in ${slots.environment}`);
  }
  const last = (await ports.deployments.history(slots.service, slots.environment, 20)).find(
    (d) => d.status === 'Succeeded',
  );
  if (last === undefined) {
    return {
      text: `I have no earlier revision of ${slots.service} in ${slots.environment} to go back to; nothing was changed.`,
      sections: [
        `I have no earlier revision of *${slots.service}* in *${slots.environment}* to go back to; nothing was changed.`,
      ],
      context: [`Deploy a specific version instead: \`/deploy ${slots.service} ${slots.environment} <version>\``],
      visibility: 'private',
    };
  }
  const d = await ports.deployments.start({ ...slots, version: last.previousVersion, requestedBy: actor.userId });
  return deploymentCard(d, now, `Rolling ${slots.service} in ${slots.environment} back to ${last.previousVersion}`);
}
