import type { IntentPorts } from '../define-intent';
import { plural } from '../format';
import { type Line, type Reply, type Section, strong } from '../reply';
import { DAYS, local, zonedInstant } from '../zoned-time';
import { affectedServices, failureLines, noticeLines, URGENCY_TITLES, type Urgency, urgencyOf } from './notices';

/** Notices shown in one answer (each is a Block Kit section; Slack takes 50 blocks). */
const SHOWN = 15;

/** A span of time in the team's time zone: from, until, and how the answer names it. */
export interface Span {
  readonly from: number;
  readonly until: number;
  readonly words: string;
}

const DAY = 86_400_000;

/** The span a `Period` slot value names, read in the team's time zone (weeks run Monday to Sunday). */
export function spanOf(period: string | undefined, now: number, timeZone: string, lookAheadDays = 14): Span {
  const today = local(now, timeZone);
  const midnight = (days: number) => {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
    return zonedInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, timeZone);
  };
  const firstOfMonth = (months: number) => {
    const d = new Date(Date.UTC(today.year, today.month - 1 + months, 1));
    return zonedInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, 0, timeZone);
  };
  const date = (at: number) =>
    new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' })
      .format(at)
      .replace(',', '');
  const toMonday = ((8 - DAYS.indexOf(today.weekday)) % 7 || 7) as number;
  const days = /^(\d{1,2})-days$/.exec(period ?? '');
  switch (period) {
    case 'today':
      return { from: now, until: midnight(1), words: `today (${date(now)})` };
    case 'tomorrow':
      return { from: midnight(1), until: midnight(2), words: `tomorrow (${date(midnight(1))})` };
    case 'this-week':
      return { from: now, until: midnight(toMonday), words: `this week (to ${date(midnight(toMonday) - 1)})` };
    case 'next-week':
      return {
        from: midnight(toMonday),
        until: midnight(toMonday + 7),
        words: `next week (${date(midnight(toMonday))} to ${date(midnight(toMonday + 7) - 1)})`,
      };
    case 'this-month':
      return { from: now, until: firstOfMonth(1), words: `this month (to ${date(firstOfMonth(1) - 1)})` };
    case 'next-month': {
      const name = new Intl.DateTimeFormat('en-GB', { timeZone, month: 'long', year: 'numeric' }).format(
        firstOfMonth(1),
      );
      return { from: firstOfMonth(1), until: firstOfMonth(2), words: `next month (${name})` };
    }
    default:
      if (days !== null) {
        const n = Number(days[1]);
        return { from: now, until: now + n * DAY, words: `the next ${n === 1 ? 'day' : `${n} days`}` };
      }
      // Asked without a period: as far ahead as the digest looks (`notices.lookAheadDays`).
      return { from: now, until: now + lookAheadDays * DAY, words: `the next ${lookAheadDays} days` };
  }
}

/**
 * Upcoming scheduled maintenance across the configured accounts and regions — for the period, service and account
 * asked about — soonest first, grouped by urgency then account, with what could not be read; the answer says which
 * range (and service, account) it covered.
 */
export async function upcomingMaintenance(
  ports: IntentPorts,
  asked: { readonly period?: string; readonly service?: string; readonly account?: string } = {},
): Promise<Reply> {
  const now = ports.clock.now();
  const rules = ports.rules.maintenance;
  const timeZone = ports.rules.timeZone;
  const span = spanOf(asked.period, now, timeZone, rules.lookAheadDays);
  const account =
    asked.account === undefined
      ? undefined
      : rules.accounts.find((a) => a.name === asked.account || a.id === asked.account);
  // Only the account asked about is read.
  const all = await ports.maintenance.upcoming(
    { from: span.from, until: span.until },
    asked.account !== undefined ? { account: account?.id ?? asked.account } : undefined,
  );
  const reading = {
    notices: all.notices.filter(
      (n) =>
        (asked.service === undefined || affectedServices(n, rules).includes(asked.service)) &&
        (asked.account === undefined || n.account.id === (account?.id ?? asked.account)),
    ),
    failures: all.failures.filter(
      (f) => asked.account === undefined || f.account.id === (account?.id ?? asked.account),
    ),
  };
  const range = [
    span.words,
    ...(asked.service !== undefined ? [`affecting ${asked.service}`] : []),
    ...(asked.account !== undefined ? [`in account ${asked.account}`] : []),
  ].join(', ');
  const failures = failureLines(reading.failures);
  if (reading.notices.length === 0) {
    return {
      summary: `No AWS scheduled maintenance ${inRange(range)}.`,
      ...(failures.length > 0 && { sections: [[[`No AWS scheduled maintenance ${inRange(range)}.`]], failures] }),
      visibility: 'channel',
    };
  }
  const needAction = reading.notices.filter((n) => n.actionability === 'ACTION_REQUIRED').length;
  const summary = `${plural(reading.notices.length, 'scheduled maintenance event')} ${inRange(range)}${needAction > 0 ? `, ${needAction} needing action` : ''}.`;
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

/** "in the next 14 days", "tomorrow (Wed 25 Nov)", "this week (to Sun 29 Nov), affecting web". */
function inRange(range: string): string {
  return range.startsWith('the next') ? `in ${range}` : range;
}
