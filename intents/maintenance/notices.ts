import type { MaintenanceFailure, MaintenanceNotice } from '../../integrations/maintenance.port';
import type { MaintenanceRules } from '../define-intent';
import { lowerFirst } from '../format';
import { affectedServices } from '../maintenance-affects';

export { affectedServices };

import { code, type Line, link, type Run, type StatusKind, status, strong } from '../reply';
import { localTime as zonedLocalTime } from '../zoned-time';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

export const SOURCE_NAMES: Record<MaintenanceNotice['source'], string> = {
  health: 'AWS Health',
  ec2: 'EC2 scheduled event',
  rds: 'RDS pending maintenance',
  elasticache: 'ElastiCache service update',
  opensearch: 'OpenSearch scheduled action',
};

/** "Wed 26 Nov 03:00 (UTC+1)": a time in the team's time zone, with its offset from UTC. */
export const localTime = (at: number, timeZone: string): string => zonedLocalTime(at, timeZone, 'offset');

export type Urgency = 'day' | 'week' | 'later';

export function urgencyOf(notice: MaintenanceNotice, now: number): Urgency {
  if (notice.startsAt - now <= DAY) return 'day';
  if (notice.startsAt - now <= 7 * DAY) return 'week';
  return 'later';
}

export const URGENCY_TITLES: Record<Urgency, string> = {
  day: 'In the next 24 hours',
  week: 'In the next 7 days',
  later: 'Later',
};

function accountName(notice: MaintenanceNotice): string {
  return notice.account.name === notice.account.id
    ? notice.account.id
    : `${notice.account.name} (${notice.account.id})`;
}

function kindOf(notice: MaintenanceNotice): StatusKind {
  return notice.actionability === 'INFORMATIONAL' ? 'scheduled' : 'warning';
}

/** What changed in a known notice, said plainly ("moved from Thu 27 Nov 02:00 (UTC+1)"). */
export interface NoticeChange {
  readonly movedFrom?: number;
  readonly statusFrom?: string;
}

/** A notice in lines: when, what, which resources (and opsbot services), what AWS says, what the team can do. */
export function noticeLines(
  notice: MaintenanceNotice,
  rules: MaintenanceRules,
  timeZone: string,
  now: number,
  label?: { readonly text: string; readonly change?: NoticeChange },
): Line[] {
  const services = affectedServices(notice, rules);
  const resources = notice.resources.slice(0, 5);
  const more = notice.resources.length - resources.length;
  const head: Run[] = [
    status(kindOf(notice)),
    ' ',
    ...(label !== undefined ? [strong(label.text), ' · '] : []),
    strong(localTime(notice.startsAt, timeZone)),
    ` (${inWords(notice.startsAt, now)}) · ${notice.service} `,
    code(notice.kind),
    ` · ${accountName(notice)} · ${notice.region}`,
  ];
  const lines: Line[] = [head];
  if (label?.change?.movedFrom !== undefined) {
    lines.push([`Moved from ${localTime(label.change.movedFrom, timeZone)}`]);
  }
  if (label?.change?.statusFrom !== undefined) {
    lines.push([`Status ${label.change.statusFrom} → ${notice.status ?? 'none'}`]);
  }
  lines.push([
    notice.says,
    ...(resources.length > 0
      ? [
          ' — ',
          ...resources.flatMap((r, i): Run[] => [i === 0 ? '' : ', ', code(r.name ?? r.id)]),
          ...(more > 0 ? [` and ${more} more`] : []),
        ]
      : []),
    ...(services.length > 0
      ? [' · affects ', ...services.flatMap((s, i): Run[] => [i === 0 ? '' : ', ', strong(s)])]
      : []),
  ]);
  const facts: Run[] = [
    ...(notice.endsAt !== undefined ? [`until ${localTime(notice.endsAt, timeZone)}`] : []),
    ...(notice.deadline !== undefined
      ? [`${notice.endsAt !== undefined ? ' · ' : ''}at the latest ${localTime(notice.deadline, timeZone)}`]
      : []),
  ];
  if (facts.length > 0) lines.push(facts);
  // One sentence: each source's options, as its API words them ("Apply it now", "Or stop it"), joined mid-sentence.
  if (notice.options.length > 0)
    lines.push([`You can: ${notice.options.map((o) => lowerFirst(o.replace(/^or\s+/i, ''))).join('; ')}`]);
  lines.push([link(notice.console, `Open in the AWS console (${SOURCE_NAMES[notice.source]})`)]);
  return lines;
}

/** "in 3 d", "in 5 h", "under way". */
function inWords(at: number, now: number): string {
  const ms = at - now;
  if (ms <= 0) return 'under way';
  if (ms < HOUR) return `in ${Math.max(1, Math.floor(ms / 60_000))} min`;
  if (ms < DAY) return `in ${Math.floor(ms / HOUR)} h`;
  return `in ${Math.floor(ms / DAY)} d`;
}

/** One line per place that could not be read, naming it and the error. */
export function failureLines(failures: readonly MaintenanceFailure[]): Line[] {
  // An account whose role cannot be assumed is one line, whatever it stopped; anything else one line per region.
  const groups = new Map<string, { failure: MaintenanceFailure; sources: Set<string> }>();
  for (const f of failures) {
    const key = [f.account.id, f.reason === 'role' ? '' : (f.region ?? ''), f.reason, f.message].join('\u0000');
    const group = groups.get(key) ?? { failure: f, sources: new Set<string>() };
    group.sources.add(SOURCE_NAMES[f.source]);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ failure: f, sources }) => [
    status('failed'),
    ` Not read: ${f.account.name === f.account.id ? f.account.id : `${f.account.name} (${f.account.id})`}`,
    f.region !== undefined && f.reason !== 'role' ? `, ${f.region}` : '',
    f.reason === 'role' ? `: ${f.message}` : ` · ${[...sources].join(', ')}: ${f.message}`,
  ]);
}
