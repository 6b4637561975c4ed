import type { Actionability, MaintenanceNotice, NoticeResource } from '../../integrations/maintenance.port';
import { defineReaction, type EventBridgeEvent } from '../define-reaction';
import { obj, str as text } from '../loose';
import type { Reply } from '../reply';
import { type Known, knownKey, knownTtlSeconds } from './digest';
import { healthEventsReaction } from './health-events.reaction';
import { noticeLines } from './notices';

const DAY = 86_400_000;
const MAX_TEXT = 2_000;
const ACTIONABILITY = new Set(['ACTION_REQUIRED', 'ACTION_MAY_BE_REQUIRED', 'INFORMATIONAL']);

/** Text from the event on one line, cut to `max`; undefined when missing or blank. */
const str = (v: unknown, max = 512): string | undefined => {
  const words = text(v, 100_000)?.replace(/\s+/g, ' ').trim();
  return words === undefined || words === '' ? undefined : words.slice(0, max);
};
/** Health writes times as RFC 1123 ("Thu, 27 Aug 2026 13:19:03 GMT"). */
const time = (v: unknown): number | undefined => {
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
};

/**
 * An "AWS Health Event" of the scheduledChange category, read into a notice (the same one the digest reads from
 * Health's API: the same id, so one is never told twice). Undefined for anything else or anything malformed.
 */
export function noticeFromHealthEvent(
  event: Pick<EventBridgeEvent, 'account' | 'region' | 'detail'>,
  accounts: ReadonlyArray<{ readonly id: string; readonly name: string }>,
): MaintenanceNotice | undefined {
  const d = obj(event.detail);
  if (d.eventTypeCategory !== 'scheduledChange') return undefined;
  const arn = str(d.eventArn, 1024);
  const kind = str(d.eventTypeCode, 256);
  const startsAt = time(d.startTime);
  const accountId = str(d.affectedAccount, 12) ?? str(event.account, 12);
  const account = accounts.find((a) => a.id === accountId);
  if (arn === undefined || kind === undefined || startsAt === undefined || account === undefined) return undefined;
  const endsAt = time(d.endTime);
  const descriptions = Array.isArray(d.eventDescription) ? d.eventDescription.map(obj) : [];
  const says =
    str((descriptions.find((x) => x.language === 'en_US') ?? descriptions[0])?.latestDescription, MAX_TEXT) ?? kind;
  const resources: NoticeResource[] = (Array.isArray(d.affectedEntities) ? d.affectedEntities : [])
    .map(obj)
    .slice(0, 200)
    .flatMap((e) => {
      const id = str(e.entityValue, 1024);
      if (id === undefined) return [];
      const tags = Object.fromEntries(
        Object.entries(obj(e.tags))
          .filter(([, v]) => typeof v === 'string')
          .slice(0, 50)
          .map(([k, v]) => [k.slice(0, 128), (v as string).slice(0, 256)]),
      );
      return [{ id, name: tags.Name ?? id.split(/[/:]/).at(-1) ?? id, ...(Object.keys(tags).length > 0 && { tags }) }];
    });
  const actionability =
    typeof d.actionability === 'string' && ACTIONABILITY.has(d.actionability)
      ? (d.actionability as Actionability)
      : undefined;
  const lifecycle = kind.endsWith('_PLANNED_LIFECYCLE_EVENT');
  const status = str(d.statusCode, 32);
  return {
    id: `${arn}#${account.id}`,
    source: 'health',
    account,
    region: str(d.eventRegion, 32) ?? str(event.region, 32) ?? 'global',
    service: str(d.service, 64) ?? 'AWS',
    kind,
    resources,
    startsAt,
    ...(endsAt !== undefined && { endsAt }),
    ...(status !== undefined && { status }),
    says,
    options: lifecycle
      ? ['Upgrade or migrate before the date AWS gives (an end of support)']
      : actionability === 'ACTION_REQUIRED'
        ? ['Act before it starts, as the description says']
        : [],
    ...(actionability !== undefined && { actionability }),
    ...(lifecycle && { lifecycle }),
    console: `https://health.aws.amazon.com/health/home#/account/event-log?eventID=${encodeURIComponent(arn)}`,
  };
}

/**
 * AWS Health's scheduled changes as AWS announces them (EventBridge, each account forwarding to opsbot's bus): one
 * that needs action, or starts within a day, goes to #notices at once instead of waiting for tomorrow's digest,
 * which then knows it; the rest waits for the digest. A redelivered event, or one the digest already told, posts
 * nothing; a moved start is told as a change.
 */
export const healthEvents = defineReaction({
  ...healthEventsReaction,
  async handle(event, ports) {
    const rules = ports.rules.maintenance;
    const notice = noticeFromHealthEvent(event, rules.accounts);
    if (notice === undefined) return;
    const now = ports.clock.now();
    if (notice.startsAt > now + rules.lookAheadDays * DAY || (notice.endsAt ?? notice.startsAt) < now) return;
    const urgent = notice.actionability === 'ACTION_REQUIRED' || notice.startsAt - now <= DAY;
    if (!urgent) return;
    const key = knownKey(notice.id);
    const known = await ports.store.get<Known>(key);
    if (known !== undefined && known.startsAt === notice.startsAt && (known.status ?? '') === (notice.status ?? ''))
      return;
    const label = known === undefined ? 'New' : 'Changed';
    const lines = noticeLines(notice, rules, ports.rules.timeZone, now, {
      text: label,
      ...(known !== undefined && known.startsAt !== notice.startsAt && { change: { movedFrom: known.startsAt } }),
    });
    const reply: Reply = {
      title: 'AWS scheduled change',
      summary: `AWS Health: ${notice.service} ${notice.kind} in ${notice.account.name}`,
      sections: [lines],
      visibility: 'channel',
    };
    // Keyed by the notice and its time: a redelivery (or a second page of the same event) posts once.
    const posted = await ports.announcer.post({ channel: 'notices' }, reply, {
      key: `health:${key}:${notice.startsAt}:${notice.status ?? ''}`,
    });
    // Remembered only once told (no notices channel: the digest tells it, where it is configured).
    if (posted === undefined) return;
    await ports.store.put(
      key,
      {
        startsAt: notice.startsAt,
        ...(notice.status !== undefined && { status: notice.status }),
        ...(notice.startsAt - now <= DAY && { reminded: true }),
      } satisfies Known,
      knownTtlSeconds(notice, now),
    );
  },
});
