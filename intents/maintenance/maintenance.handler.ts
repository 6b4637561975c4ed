import type { MaintenanceEvent } from '../../integrations/maintenance.port';
import type { IntentPorts } from '../define-intent';
import { plural, until, when } from '../format';
import { code, type Line, type Reply, status, strong } from '../reply';

/** How far ahead "upcoming" looks when asked. */
export const LOOK_AHEAD_DAYS = 14;

const SOURCE: Record<MaintenanceEvent['source'], string> = {
  health: 'AWS Health',
  ec2: 'EC2 scheduled event',
  rds: 'RDS maintenance',
};

/** Upcoming scheduled maintenance across the configured accounts and regions, soonest first. */
export async function upcomingMaintenance(ports: IntentPorts): Promise<Reply> {
  const now = ports.clock.now();
  const events = await ports.maintenance.upcoming({ from: now, until: now + LOOK_AHEAD_DAYS * 86_400_000 });
  if (events.length === 0) {
    return { summary: `No AWS scheduled maintenance in the next ${LOOK_AHEAD_DAYS} days.`, visibility: 'channel' };
  }
  const lines: Line[] = events.flatMap((e): Line[] => [
    [
      status(e.actionRequired ? 'warning' : 'scheduled'),
      ' ',
      strong(when(e.startsAt)),
      ` (${until(e.startsAt, now)}) · ${SOURCE[e.source]} · ${e.service} `,
      code(e.kind),
    ],
    [
      `      ${e.description} — `,
      ...e.resources.flatMap((r, i) => [...(i === 0 ? [] : [', ']), code(r.split('/').at(-1) ?? r)]),
      ` · account ${e.account} · ${e.region}`,
    ],
  ]);
  const needAction = events.filter((e) => e.actionRequired).length;
  const summary = `${plural(events.length, 'scheduled maintenance event')} in the next ${LOOK_AHEAD_DAYS} days${needAction > 0 ? `, ${needAction} needing action` : ''}.`;
  return {
    title: 'Upcoming AWS maintenance',
    summary,
    sections: [[summary], lines],
    visibility: 'channel',
  };
}
