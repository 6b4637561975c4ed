import { createHash } from 'node:crypto';
import type { MaintenanceNotice } from '../../integrations/maintenance.port';
import type { IntentPorts, PostedMessage } from '../define-intent';
import { type Line, type Reply, type Section, strong } from '../reply';
import {
  failureLines,
  localTime,
  type NoticeChange,
  noticeLines,
  URGENCY_TITLES,
  type Urgency,
  urgencyOf,
} from './notices';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
/** Notices shown in the digest itself; the rest go to its thread. */
export const SHOWN_IN_DIGEST = 8;
/** Notices per thread reply (each a Block Kit section: well under Slack's 50 blocks). */
const PER_THREAD_POST = 10;

/** What opsbot remembers of a notice it posted, to post only what is new, changed or about to start. */
export interface Known {
  readonly startsAt: number;
  readonly status?: string;
  /** The 24-hour reminder was posted. */
  readonly reminded?: boolean;
}

export const knownKey = (id: string) => `notice:${createHash('sha256').update(id).digest('base64url')}`;

/** How long a notice is remembered: until a week after it ends (or its deadline), and two days at least. */
export function knownTtlSeconds(
  notice: Pick<MaintenanceNotice, 'startsAt' | 'endsAt' | 'deadline'>,
  now: number,
): number {
  const last = Math.max(notice.startsAt, notice.endsAt ?? 0, notice.deadline ?? 0);
  // Two days at least: a notice still listed is seen again by tomorrow's digest, which keeps it remembered.
  return Math.ceil(Math.max(last + 8 * DAY - now, 2 * DAY) / 1000);
}

/** How long a run of the day's digest holds the day: longer than the worker may run, so a timed-out run is retried. */
const DIGEST_LEASE_SECONDS = 10 * 60;

export interface DigestEntry {
  readonly notice: MaintenanceNotice;
  readonly label: 'New' | 'Changed' | 'Starts within 24 h';
  readonly change?: NoticeChange;
}

export interface DigestResult {
  readonly entries: readonly DigestEntry[];
  readonly message?: PostedMessage;
  /** Nothing was posted: a quiet day with `quietDays: nothing`, or this day's digest was already posted. */
  readonly skipped?: 'quiet' | 'already-posted';
}

/**
 * Today's digest: the notices of the look-ahead window that are new, changed (time moved, status changed) or start
 * within 24 hours (once), grouped by urgency then account, to `slack.channels.notices`; unchanged ones are not posted
 * again. Places that could not be read get a line each; everything else is posted anyway. `day` (the local date of
 * the schedule) makes a redelivered schedule post once.
 */
export async function runDigest(ports: IntentPorts, options: { readonly day?: string } = {}): Promise<DigestResult> {
  const rules = ports.rules.maintenance;
  const now = ports.clock.now();
  const claim = options.day !== undefined ? `digest:${options.day}` : undefined;
  if (claim !== undefined && !(await ports.store.putIfAbsent(claim, 'posting', DIGEST_LEASE_SECONDS))) {
    return { entries: [], skipped: 'already-posted' };
  }
  try {
    const reading = await ports.maintenance.upcoming({ from: now, until: now + rules.lookAheadDays * DAY });
    const entries: DigestEntry[] = [];
    const updates: Array<[string, Known, number]> = [];
    for (const notice of reading.notices) {
      const key = knownKey(notice.id);
      const known = await ports.store.get<Known>(key);
      const soon = notice.startsAt - now <= DAY;
      const ttl = knownTtlSeconds(notice, now);
      const next: Known = {
        startsAt: notice.startsAt,
        ...(notice.status !== undefined && { status: notice.status }),
        ...(soon && { reminded: true }),
      };
      if (known === undefined) {
        entries.push({ notice, label: 'New' });
      } else if (known.startsAt !== notice.startsAt || (known.status ?? '') !== (notice.status ?? '')) {
        entries.push({
          notice,
          label: 'Changed',
          change: {
            ...(known.startsAt !== notice.startsAt && { movedFrom: known.startsAt }),
            ...((known.status ?? '') !== (notice.status ?? '') && { statusFrom: known.status ?? 'none' }),
          },
        });
      } else if (soon && known.reminded !== true) {
        entries.push({ notice, label: 'Starts within 24 h' });
      } else {
        // Unchanged: remembered a while longer (a notice open for weeks is not news every day).
        updates.push([key, { ...next, ...(known.reminded === true && { reminded: true }) }, ttl]);
        continue;
      }
      updates.push([key, next, ttl]);
    }
    if (entries.length === 0 && reading.failures.length === 0 && rules.quietDays === 'nothing') {
      for (const [key, value, ttl] of updates) await ports.store.put(key, value, ttl);
      if (claim !== undefined) await ports.store.put(claim, 'done', 2 * 24 * 60 * 60);
      return { entries, skipped: 'quiet' };
    }
    const { digest, thread } = digestReplies(entries, reading.failures, ports, now);
    const message = await ports.announcer.post({ channel: 'notices' }, digest, {
      ...(claim !== undefined && { key: claim }),
    });
    if (message !== undefined) {
      for (const [i, reply] of thread.entries()) {
        await ports.announcer.post({ thread: message }, reply, {
          ...(claim !== undefined && { key: `${claim}:${i}` }),
        });
      }
    }
    // Remembered once posted: a digest that could not be posted (no notices channel) tells the same news next time.
    if (message !== undefined) for (const [key, value, ttl] of updates) await ports.store.put(key, value, ttl);
    // The day is done: a redelivered schedule posts nothing more.
    if (claim !== undefined) await ports.store.put(claim, 'done', 2 * 24 * 60 * 60);
    return { entries, ...(message !== undefined && { message }) };
  } catch (error) {
    if (claim !== undefined) await ports.store.delete(claim);
    throw error;
  }
}

function digestReplies(
  entries: readonly DigestEntry[],
  failures: Parameters<typeof failureLines>[0],
  ports: IntentPorts,
  now: number,
): { digest: Reply; thread: Reply[] } {
  const rules = ports.rules.maintenance;
  const timeZone = ports.rules.timeZone;
  const counts = (['New', 'Changed', 'Starts within 24 h'] as const)
    .map((label) => [label, entries.filter((e) => e.label === label).length] as const)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label === 'Starts within 24 h' ? 'starting within 24 h' : label.toLowerCase()}`);
  const summary =
    entries.length === 0
      ? `No new or changed AWS maintenance in the next ${rules.lookAheadDays} days.`
      : `AWS maintenance: ${counts.join(', ')}.`;
  // Soonest first, then by account.
  const ordered = [...entries].sort(
    (a, b) =>
      URGENCY_ORDER[urgencyOf(a.notice, now)] - URGENCY_ORDER[urgencyOf(b.notice, now)] ||
      a.notice.account.name.localeCompare(b.notice.account.name) ||
      a.notice.startsAt - b.notice.startsAt,
  );
  const shown = ordered.slice(0, SHOWN_IN_DIGEST);
  const rest = ordered.slice(SHOWN_IN_DIGEST);
  const sections: Section[] = [[[summary]]];
  let group: string | undefined;
  for (const entry of shown) {
    const urgency = urgencyOf(entry.notice, now);
    const heading = `${URGENCY_TITLES[urgency]} · ${entry.notice.account.name}`;
    if (heading !== group) {
      sections.push([[strong(heading)]]);
      group = heading;
    }
    sections.push(lines(entry, rules, timeZone, now));
  }
  if (rest.length > 0) sections.push([[`And ${rest.length} more in the thread.`]]);
  if (failures.length > 0) sections.push(failureLines(failures));
  const digest: Reply = {
    title: 'AWS maintenance digest',
    summary,
    sections,
    context: [
      [
        `Times in ${timeZone}, as of ${localTime(now, timeZone)}. Only what is new, changed or about to start is posted.`,
      ],
    ],
    visibility: 'channel',
  };
  const thread: Reply[] = [];
  for (let i = 0; i < rest.length; i += PER_THREAD_POST) {
    const chunk = rest.slice(i, i + PER_THREAD_POST);
    thread.push({
      summary: `${chunk.length} more: ${chunk.map((e) => `${e.notice.service} ${e.notice.kind}`).join(', ')}`.slice(
        0,
        300,
      ),
      sections: chunk.map((e) => lines(e, rules, timeZone, now)),
      visibility: 'channel',
    });
  }
  return { digest, thread };
}

const URGENCY_ORDER: Record<Urgency, number> = { day: 0, week: 1, later: 2 };

function lines(entry: DigestEntry, rules: IntentPorts['rules']['maintenance'], timeZone: string, now: number): Line[] {
  return noticeLines(entry.notice, rules, timeZone, now, {
    text: entry.label,
    ...(entry.change !== undefined && { change: entry.change }),
  });
}

/** The local date ("2026-11-24") of an instant in a time zone: the day a schedule's digest belongs to. */
export function localDay(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(at),
  );
}
