import type { MaintenanceNotice } from '../../integrations/maintenance.port';
import type { IntentPorts } from '../define-intent';
import { plural } from '../format';
import { type Line, type Reply, type Section, strong } from '../reply';
import { failureLines, noticeLines, URGENCY_TITLES, type Urgency, urgencyOf } from './notices';

/** How far ahead "upcoming" looks when asked without a range. */
export const LOOK_AHEAD_DAYS = 14;
/** Notices shown in one answer (each is a Block Kit section; Slack takes 50 blocks). */
const SHOWN = 15;

/**
 * Upcoming scheduled maintenance across the configured accounts and regions, soonest first, grouped by urgency then
 * account, with what could not be read; the answer says which range it covered.
 */
export async function upcomingMaintenance(ports: IntentPorts): Promise<Reply> {
  const now = ports.clock.now();
  const rules = ports.rules.maintenance;
  const timeZone = ports.rules.timeZone;
  const reading = await ports.maintenance.upcoming({ from: now, until: now + LOOK_AHEAD_DAYS * 86_400_000 });
  const range = `the next ${LOOK_AHEAD_DAYS} days`;
  const failures = failureLines(reading.failures);
  if (reading.notices.length === 0) {
    return {
      summary: `No AWS scheduled maintenance in ${range}.`,
      ...(failures.length > 0 && { sections: [[[`No AWS scheduled maintenance in ${range}.`]], failures] }),
      visibility: 'channel',
    };
  }
  const needAction = reading.notices.filter((n) => n.actionability === 'ACTION_REQUIRED').length;
  const summary = `${plural(reading.notices.length, 'scheduled maintenance event')} in ${range}${needAction > 0 ? `, ${needAction} needing action` : ''}.`;
  const sections: Section[] = [[[summary]]];
  let group: string | undefined;
  const ordered = [...reading.notices].sort(
    (a, b) => ORDER[urgencyOf(a, now)] - ORDER[urgencyOf(b, now)] || a.account.name.localeCompare(b.account.name),
  );
  for (const notice of ordered.slice(0, SHOWN)) {
    const heading = `${URGENCY_TITLES[urgencyOf(notice, now)]} · ${notice.account.name}`;
    if (heading !== group) {
      sections.push([[strong(heading)]]);
      group = heading;
    }
    sections.push(noticeLines(notice, rules, timeZone, now));
  }
  if (ordered.length > SHOWN) sections.push([[`And ${ordered.length - SHOWN} more.`] as Line]);
  if (failures.length > 0) sections.push(failures);
  return { title: 'Upcoming AWS maintenance', summary, sections, visibility: 'channel' };
}

const ORDER: Record<Urgency, number> = { day: 0, week: 1, later: 2 };

export type { MaintenanceNotice };
