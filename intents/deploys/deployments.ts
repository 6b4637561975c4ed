import type { AuditRecord } from '../../integrations/audit.port';
import type { Deployment } from '../../integrations/deployments.port';
import { isOpsbotError } from '../../integrations/errors';
import type { Actor, IntentPorts } from '../define-intent';
import { ago, plural, stepWords, trafficBar } from '../format';
import {
  type Button,
  code,
  type Line,
  mention,
  notice,
  plainText,
  type Reply,
  type Run,
  runsOf,
  status,
  strong,
} from '../reply';
import { changeRefusal, versionRefusal } from './deploy.policy';
import type { DeployRun } from './run/record';
import { startRun } from './run/start';

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
  const story = slots.service !== undefined ? await auditStory(slots.service, slots.environment, ports) : undefined;
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
    summary:
      story !== undefined && story.lines[0] !== undefined
        ? [...runsOf(story.lines[0]), ` — ${activeText} ${runningSummary}`]
        : `${activeText} ${runningSummary}`,
    sections: [
      ...(story !== undefined && story.lines.length > 0
        ? [[strong(`What happened to ${scope} in the last 7 days`), ...story.lines]]
        : []),
      [activeText, ...active.map((d) => deploymentLine(d, now))],
      ...(runningLines.length > 0 ? [[strong('Running now'), ...runningLines]] : []),
      ...(recent.length > 0 ? [[strong('Recent deploys'), ...recent.map((d) => deploymentLine(d, now))]] : []),
    ],
    ...(story !== undefined && story.buttons.length > 0 && { buttons: story.buttons }),
    visibility: 'channel',
  };
}

/**
 * Rolls back: a deploy in progress is stopped with rollback; otherwise the version that ran before the last
 * successful deploy is deployed again.
 */
/** The last deploy that succeeded (not a rollback the engine made): what ran before it is what to go back to. */
async function lastGoodDeploy(service: string, environment: string, ports: IntentPorts) {
  return (await ports.deployments.history(service, environment, 20)).find(
    (d) => d.status === 'Succeeded' && d.rollback !== true,
  );
}

/**
 * The version a rollback without one goes back to (what ran before the last deploy that succeeded); undefined when a
 * deployment is under way (the rollback stops it) or there is none.
 */
export async function rollbackTarget(
  service: string,
  environment: string,
  ports: IntentPorts,
): Promise<{ version: string; digest?: string } | undefined> {
  const active = (await ports.deployments.active()).some((d) => d.service === service && d.environment === environment);
  if (active) return undefined;
  const last = await lastGoodDeploy(service, environment, ports);
  const previous = last?.previousVersion;
  if (last === undefined || previous === undefined || previous === '?' || previous === '') return undefined;
  const digest = await recordedPreviousDigest(last, ports);
  return { version: previous, ...(digest !== undefined && { digest }) };
}

/** The image that ran before a deploy, by digest when opsbot's deploy recorded one (the tag may have moved since). */
async function recordedPreviousDigest(
  last: { readonly id: string; readonly startedAt: number },
  ports: IntentPorts,
): Promise<string | undefined> {
  const from = new Date(last.startedAt - 60 * 60_000).toISOString();
  return (await ports.store.list<DeployRun>('deploys', { from })).find((r) => r.deploymentId === last.id)
    ?.previousDigest;
}

export async function rollbackService(
  slots: { service: string; environment: string; version?: string; digest?: string },
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
      {
        kind: 'rollback',
        service: slots.service,
        environment: slots.environment,
        version: slots.version,
        // The image its Confirm card showed.
        ...(slots.digest !== undefined && { digest: slots.digest }),
      },
      actor,
      ports,
    );
  }
  const last = await lastGoodDeploy(slots.service, slots.environment, ports);
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
  const digest = await recordedPreviousDigest(last, ports);
  return startRun(
    {
      kind: 'rollback',
      service: slots.service,
      environment: slots.environment,
      version: previous,
      ...(digest !== undefined && { digest }),
    },
    actor,
    ports,
  );
}

const WEEK_MS = 7 * 24 * 60 * 60_000;

/**
 * What people asked of a service in the last week, from the audit trail: who deployed or rolled back which version
 * where, who approved, and how it ended — newest first — with a Roll back button to each earlier version that
 * succeeded (through the same rules as any rollback).
 */
async function auditStory(
  service: string,
  environment: string | undefined,
  ports: IntentPorts,
): Promise<{ lines: Line[]; buttons: Button[] }> {
  const now = ports.clock.now();
  const records = (
    await ports.audit.list({ since: now - WEEK_MS, service, ...(environment !== undefined && { environment }) })
  ).filter((r) => (r.action === 'Deploy' || r.action === 'Rollback') && r.outcome !== 'refused');
  const lines = records.slice(0, 10).map((r) => auditLine(r, now));
  const current = new Map<string, string>();
  const buttons: Button[] = [];
  for (const r of records) {
    const env = r.target.environment ?? '';
    const version = r.target.version ?? '';
    if (r.outcome !== 'succeeded') continue;
    if (!current.has(env)) {
      current.set(env, version);
      continue;
    }
    if (version === current.get(env) || buttons.length >= 3) continue;
    if (buttons.some((b) => b.payload.kind === 'request' && b.payload.slots.version === version)) continue;
    buttons.push({
      label: `Roll back ${env} to ${version}`,
      payload: { kind: 'request', intent: 'Rollback', slots: { service, environment: env, version } },
    });
  }
  return { lines, buttons };
}

const VERB: Record<string, string> = { Deploy: 'deployed', Rollback: 'rolled back' };

/** "@ana deployed payments v1.7.1 to prod 2 h ago, approved by @ben; it succeeded in 6 min". */
function auditLine(r: AuditRecord, now: number): Run[] {
  const at = Date.parse(r.at);
  const { service = '?', environment = '?', version = '?' } = r.target;
  const what: Run[] =
    r.action === 'Rollback'
      ? [mention(r.actor.userId), ' rolled ', strong(service), ' in ', strong(environment), ' back to ', code(version)]
      : [
          mention(r.actor.userId),
          ` ${VERB[r.action] ?? r.action} `,
          strong(service),
          ' ',
          code(version),
          ' to ',
          strong(environment),
        ];
  const took = r.endedAt !== undefined ? ` in ${Math.max(1, Math.round((r.endedAt - at) / 60_000))} min` : '';
  const outcome: Run[] =
    r.outcome === 'succeeded'
      ? [`; it succeeded${took}`]
      : r.outcome === 'failed'
        ? ['; it failed', ...(r.note !== undefined ? [' (', code(r.note.split(':')[0] ?? r.note), ')'] : [])]
        : r.outcome === 'stopped'
          ? r.note?.startsWith('alarm ') === true
            ? ['; it was rolled back on alarm ', code(r.note.slice('alarm '.length).split(' · ')[0] as string)]
            : ['; it was stopped', ...(r.endedBy !== undefined ? [' by ', mention(r.endedBy)] : [])]
          : r.outcome === 'rejected'
            ? ['; it was rejected', ...(r.endedBy !== undefined ? [' by ', mention(r.endedBy)] : [])]
            : r.outcome === 'expired'
              ? ['; nobody approved it in time']
              : r.outcome === 'awaiting-approval'
                ? ['; it waits for approval']
                : ['; it is running'];
  return [
    ...what,
    ` ${ago(at, now)}`,
    ...(r.approvedBy !== undefined ? [', approved by ', mention(r.approvedBy)] : []),
    ...outcome,
  ];
}
