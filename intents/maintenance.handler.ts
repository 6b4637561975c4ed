import type { MaintenanceEvent } from '../integrations/maintenance.port';
import type { IntentPorts, Reply } from './define-intent';
import { sections, until, when } from './format';

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
    return { text: `No AWS scheduled maintenance in the next ${LOOK_AHEAD_DAYS} days.`, visibility: 'channel' };
  }
  const lines = events.map(
    (e) =>
      `${e.actionRequired ? ':warning:' : ':calendar:'} *${when(e.startsAt)}* (${until(e.startsAt, now)}) · ${SOURCE[e.source]} · ${e.service} \`${e.kind}\`\n      ${e.description} — ${e.resources.map((r) => `\`${r.split('/').at(-1)}\``).join(', ')} · account ${e.account} · ${e.region}`,
  );
  const needAction = events.filter((e) => e.actionRequired).length;
  const summary = `${events.length} scheduled maintenance event${events.length === 1 ? '' : 's'} in the next ${LOOK_AHEAD_DAYS} days${needAction > 0 ? `, ${needAction} needing action` : ''}.`;
  return {
    title: 'Upcoming AWS maintenance',
    text: summary,
    sections: [summary, ...sections(lines)],
    visibility: 'channel',
  };
}
