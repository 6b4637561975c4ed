import type { AlarmState } from '../../integrations/alarms.port';
import type { ServiceRevision } from '../../integrations/deployments.port';
import { defineIntent } from '../define-intent';
import { ago } from '../format';
import { code, type Line, type Reply, runsOf, status, strong } from '../reply';
import { alarmPicture } from './alarm-chart';
import { recentRuns } from './run/record';
import { serviceHealthIntent } from './service-health.intent';

/** What is quoted of an alarm's reason in one line. */
const MAX_REASON = 160;

/**
 * How a service is doing in an environment: its tasks (running of desired, pending), the revision and image ECS runs,
 * a deploy in progress, each rollback alarm's state, and the chart of the first rollback alarm's metric over the
 * last hours with its threshold. What cannot be read says so in its line; the rest is answered.
 */
export const serviceHealth = defineIntent(serviceHealthIntent, {
  async handle({ slots }, ports) {
    const service = slots.service as string;
    const environment = slots.environment as string;
    const [revision, alarms, runs] = await Promise.all([
      ports.deployments.current(service, environment).then(
        (r): { ok: true; r: ServiceRevision } => ({ ok: true, r }),
        (error: unknown) => ({ ok: false as const, why: whyOf(error) }),
      ),
      ports.alarms.states(service, environment).then(
        (list): { ok: true; list: AlarmState[] } => ({ ok: true, list }),
        (error: unknown) => ({
          ok: false as const,
          why: whyOf(error),
          readable: ((error as { readable?: AlarmState[] }).readable ?? []) as AlarmState[],
        }),
      ),
      recentRuns(service, environment, ports).catch(() => []),
    ]);
    const now = ports.clock.now();
    const lines: Line[] = [];
    if (revision.ok) {
      const t = revision.r.tasks;
      lines.push(
        t === undefined
          ? ['Tasks: ECS did not say.']
          : [
              status(t.running >= t.desired && t.desired > 0 ? 'ok' : t.running === 0 ? 'failed' : 'warning'),
              ` Tasks: ${t.running} of ${t.desired} running${t.pending > 0 ? `, ${t.pending} pending` : ''}`,
            ],
        ['Revision ', code(revision.r.taskDefinition), ' · image ', code(revision.r.image)],
      );
    } else {
      lines.push([status('error'), ` ECS could not be read: ${revision.why}.`]);
    }
    const running = runs.find((r) => r.state !== 'ended');
    if (running !== undefined) {
      lines.push([
        status('running'),
        ` A ${running.kind} to `,
        code(running.version),
        ` is running, asked ${ago(running.requestedAt, now)}.`,
      ]);
    }
    const configured = ports.rules.rollbackAlarms(service, environment).alarms;
    const states = alarms.ok ? alarms.list : alarms.readable;
    if (configured.length === 0) {
      lines.push(['No rollback alarms are configured for ', strong(service), ' in ', strong(environment), '.']);
    }
    for (const place of configured) {
      const alarm = states.find((a) => a.name === place.name || a.arn?.endsWith(`:alarm:${place.name}`) === true);
      if (alarm === undefined) {
        lines.push([
          status('none'),
          ' Alarm ',
          code(place.name),
          alarms.ok ? ': CloudWatch does not know it.' : ': unread.',
        ]);
        continue;
      }
      const reason = alarm.reason.length > MAX_REASON ? `${alarm.reason.slice(0, MAX_REASON)}…` : alarm.reason;
      lines.push([
        status(alarm.state === 'OK' ? 'ok' : alarm.state === 'ALARM' ? 'failed' : 'waiting'),
        ' Alarm ',
        code(alarm.name),
        `: ${alarm.state}`,
        ...(alarm.updatedAt !== undefined ? [` since ${ago(alarm.updatedAt, now)}`] : []),
        ...(alarm.state !== 'OK' && reason !== '' ? [` — “${reason}”`] : []),
      ]);
    }
    if (!alarms.ok) lines.push([status('warning'), ` Some alarms could not be read: ${alarms.why}.`]);
    // The chart of the first rollback alarm's metric, the deploy in progress named in its title.
    const first = configured
      .map((place) => states.find((a) => a.name === place.name))
      .find((a): a is AlarmState => a !== undefined);
    const picture =
      first === undefined
        ? {}
        : await alarmPicture({ service, environment }, first, ports, {
            ...(running !== undefined && { deployStartedAt: running.startedAt ?? running.requestedAt }),
          });
    if (first !== undefined && picture.figures !== undefined)
      lines.push([`${first.name}: `, ...runsOf(picture.figures)]);
    // Healthy only on what was read: every task wanted running, and every configured alarm read and OK.
    const healthy =
      revision.ok &&
      revision.r.tasks !== undefined &&
      revision.r.tasks.desired > 0 &&
      revision.r.tasks.running >= revision.r.tasks.desired &&
      alarms.ok &&
      configured.every((place) => states.some((a) => a.name === place.name && a.state === 'OK'));
    const reply: Reply = {
      title: `${service} in ${environment}`,
      summary: [
        strong(service),
        ' in ',
        strong(environment),
        healthy ? ': all tasks running, rollback alarms OK' : ': needs a look',
      ],
      sections: [lines],
      ...('chart' in picture && picture.chart !== undefined && { chart: picture.chart }),
      visibility: 'channel',
    };
    return reply;
  },
});

function whyOf(error: unknown): string {
  const e = error as { userMessage?: unknown; name?: unknown };
  if (typeof e?.userMessage === 'string') return e.userMessage;
  return typeof e?.name === 'string' ? e.name : 'unreadable';
}
