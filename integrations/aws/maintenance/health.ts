import {
  DescribeAffectedAccountsForOrganizationCommand,
  DescribeAffectedEntitiesCommand,
  DescribeAffectedEntitiesForOrganizationCommand,
  DescribeEventDetailsCommand,
  DescribeEventDetailsForOrganizationCommand,
  DescribeEventsCommand,
  DescribeEventsForOrganizationCommand,
  type HealthClient,
} from '@aws-sdk/client-health';
import type { Actionability, MaintenanceNotice, NoticeAccount, NoticeResource } from '../../maintenance.port';
import { allPages, mapLimit } from '../aws-calls';
import type { AwsAccount } from '../clients';
import { accountOf, type Call, ms, text } from './notices';

/*
 * AWS Health scheduled changes: one account at a time (accountHealth), or every member's through the
 * organizational view (organizationHealth).
 */

function healthOptions(actionability: Actionability | undefined, lifecycle: boolean): string[] {
  if (lifecycle) return ['Upgrade or migrate before the date AWS gives (an end of support)'];
  if (actionability === 'ACTION_REQUIRED') return ['Act before it starts, as the description says'];
  if (actionability === 'ACTION_MAY_BE_REQUIRED') return ['Check whether it concerns you, as the description says'];
  return [];
}

const ACTIONABILITY = new Set(['ACTION_REQUIRED', 'ACTION_MAY_BE_REQUIRED', 'INFORMATIONAL']);

/** A Health event as the notices need it; undefined when malformed or outside the window. */
function healthEvent(
  e: {
    arn?: string;
    service?: string;
    eventTypeCode?: string;
    region?: string;
    startTime?: Date;
    endTime?: Date;
    statusCode?: string;
    actionability?: string;
  },
  window: { from: number; until: number },
): HealthEventFields | undefined {
  const startsAt = ms(e.startTime);
  if (e.arn === undefined || startsAt === undefined) return undefined;
  const endsAt = ms(e.endTime);
  if (startsAt > window.until || (endsAt ?? startsAt) < window.from) return undefined;
  return {
    arn: e.arn,
    service: e.service ?? 'AWS',
    kind: e.eventTypeCode ?? 'scheduledChange',
    region: e.region ?? 'global',
    startsAt,
    ...(endsAt !== undefined && { endsAt }),
    ...(e.statusCode !== undefined && { status: e.statusCode }),
    ...(e.actionability !== undefined &&
      ACTIONABILITY.has(e.actionability) && { actionability: e.actionability as Actionability }),
  };
}

/** What is kept of a Health event. */
interface HealthEventFields {
  readonly arn: string;
  readonly service: string;
  readonly kind: string;
  readonly region: string;
  readonly startsAt: number;
  readonly endsAt?: number;
  readonly status?: string;
  readonly actionability?: Actionability;
}

/** The scheduled changes of DescribeEvents pages (one account's or the organization's) that fall in the window. */
function inWindow(
  pages: ReadonlyArray<{ events?: Array<Parameters<typeof healthEvent>[0]> }>,
  window: { from: number; until: number },
): HealthEventFields[] {
  return pages
    .flatMap((page) => page.events ?? [])
    .flatMap((e) => {
      const event = healthEvent(e, window);
      return event === undefined ? [] : [event];
    });
}

/** Affected entities, by what `keyOf` reads (the event's ARN, or the account), as notice resources with their tags. */
function groupEntities<E extends { entityValue?: string; tags?: Record<string, string> }>(
  pages: ReadonlyArray<{ entities?: E[] }>,
  keyOf: (entity: E) => string | undefined,
  into = new Map<string, NoticeResource[]>(),
): Map<string, NoticeResource[]> {
  for (const entity of pages.flatMap((page) => page.entities ?? [])) {
    const key = keyOf(entity);
    if (key === undefined || entity.entityValue === undefined) continue;
    const list = into.get(key) ?? [];
    list.push({ id: entity.entityValue, ...(entity.tags !== undefined && { tags: entity.tags }) });
    into.set(key, list);
  }
  return into;
}

/** How many regions one Health event filter takes (`EventFilter.regions`: at most 10 items). */
export const HEALTH_FILTER_REGIONS = 10;

/**
 * What both Health views read: scheduled changes still upcoming or open, in the configured regions and global; one
 * filter per 10 regions, since Health refuses a filter naming more (every call would fail with 10 or more regions).
 */
function scheduledChanges(regions: readonly string[]) {
  const all = [...new Set([...regions, 'global'])];
  const filters = [];
  for (let i = 0; i < all.length; i += HEALTH_FILTER_REGIONS) {
    filters.push({
      eventTypeCategories: ['scheduledChange' as const],
      eventStatusCodes: ['upcoming' as const, 'open' as const],
      regions: all.slice(i, i + HEALTH_FILTER_REGIONS),
    });
  }
  return filters;
}

/** Every page of a Health listing, for each of `filters` in turn (one region belongs to one filter only). */
async function pagesOfEach<F, P extends { nextToken?: string }>(
  filters: readonly F[],
  fetch: (filter: F, nextToken: string | undefined) => Promise<P>,
): Promise<P[]> {
  const pages: P[] = [];
  for (const filter of filters) {
    pages.push(
      ...(await allPages(
        (nextToken) => fetch(filter, nextToken),
        (page) => page.nextToken,
      )),
    );
  }
  return pages;
}

/** Health scheduled changes of one account: events, then their descriptions and affected entities, 10 at a time. */
export async function accountHealth(
  client: HealthClient,
  account: AwsAccount,
  regions: readonly string[],
  window: { from: number; until: number },
  call: Call,
): Promise<MaintenanceNotice[]> {
  const pages = await pagesOfEach(scheduledChanges(regions), (filter, nextToken) =>
    call(() =>
      client.send(
        new DescribeEventsCommand({ filter, maxResults: 100, ...(nextToken !== undefined && { nextToken }) }),
      ),
    ),
  );
  const events = inWindow(pages, window);
  const descriptions = new Map<string, string>();
  const entities = new Map<string, NoticeResource[]>();
  for (let i = 0; i < events.length; i += 10) {
    const arns = events.slice(i, i + 10).map((e) => e.arn);
    const details = await call(() => client.send(new DescribeEventDetailsCommand({ eventArns: arns })));
    for (const d of details.successfulSet ?? []) {
      if (d.event?.arn !== undefined) descriptions.set(d.event.arn, text(d.eventDescription?.latestDescription));
    }
    const pages = await allPages(
      (nextToken) =>
        call(() =>
          client.send(
            new DescribeAffectedEntitiesCommand({
              filter: { eventArns: arns },
              ...(nextToken !== undefined && { nextToken }),
            }),
          ),
        ),
      (page) => page.nextToken,
    );
    groupEntities(pages, (entity) => entity.eventArn, entities);
  }
  return events.map((e) =>
    healthNotice(e, accountOf(account), descriptions.get(e.arn) ?? '', entities.get(e.arn) ?? []),
  );
}

function healthNotice(
  e: HealthEventFields,
  account: NoticeAccount,
  says: string,
  resources: NoticeResource[],
): MaintenanceNotice {
  const lifecycle = e.kind.endsWith('_PLANNED_LIFECYCLE_EVENT');
  return {
    id: `${e.arn}#${account.id}`,
    source: 'health',
    account,
    region: e.region,
    service: e.service,
    kind: e.kind,
    resources: resources.map((r) => ({ ...r, name: r.tags?.Name ?? r.id.split(/[/:]/).at(-1) ?? r.id })),
    startsAt: e.startsAt,
    ...(e.endsAt !== undefined && { endsAt: e.endsAt }),
    ...(e.status !== undefined && { status: e.status }),
    says: says.length > 0 ? says : e.kind,
    options: healthOptions(e.actionability, lifecycle),
    ...(e.actionability !== undefined && { actionability: e.actionability }),
    ...(lifecycle && { lifecycle }),
    console: `https://health.aws.amazon.com/health/home#/account/event-log?eventID=${encodeURIComponent(e.arn)}`,
  };
}

/** Health's organizational view: one account reads every member's scheduled changes (the configured accounts'). */
export async function organizationHealth(
  client: HealthClient,
  accounts: readonly AwsAccount[],
  regions: readonly string[],
  window: { from: number; until: number },
  call: Call,
): Promise<MaintenanceNotice[]> {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const out: MaintenanceNotice[] = [];
  const pages = await pagesOfEach(scheduledChanges(regions), (filter, nextToken) =>
    call(() =>
      client.send(
        new DescribeEventsForOrganizationCommand({
          filter: {
            ...filter,
            // Only the configured accounts' events, where the filter can say so (it takes 50 ids).
            ...(byId.size <= 50 && { awsAccountIds: [...byId.keys()] }),
          },
          maxResults: 100,
          ...(nextToken !== undefined && { nextToken }),
        }),
      ),
    ),
  );
  const events = inWindow(pages, window);
  // Events one after another would take minutes across a large organization: a few at a time.
  await mapLimit(events, 8, async (event) => {
    const affected = (
      await allPages(
        (nextToken) =>
          call(() =>
            client.send(
              new DescribeAffectedAccountsForOrganizationCommand({
                eventArn: event.arn,
                ...(nextToken !== undefined && { nextToken }),
              }),
            ),
          ),
        (page) => page.nextToken,
      )
    )
      .flatMap((page) => page.affectedAccounts ?? [])
      .filter((id) => byId.has(id));
    for (let i = 0; i < affected.length; i += 10) {
      const filters = affected.slice(i, i + 10).map((awsAccountId) => ({ eventArn: event.arn, awsAccountId }));
      const details = await call(() =>
        client.send(new DescribeEventDetailsForOrganizationCommand({ organizationEventDetailFilters: filters })),
      );
      const pages = await allPages(
        (nextToken) =>
          call(() =>
            client.send(
              new DescribeAffectedEntitiesForOrganizationCommand({
                organizationEntityFilters: filters,
                ...(nextToken !== undefined && { nextToken }),
              }),
            ),
          ),
        (page) => page.nextToken,
      );
      const entities = groupEntities(pages, (entity) => entity.awsAccountId);
      for (const { awsAccountId } of filters) {
        const account = byId.get(awsAccountId) as AwsAccount;
        const detail = (details.successfulSet ?? []).find((d) => d.awsAccountId === awsAccountId);
        out.push(
          healthNotice(
            event,
            accountOf(account),
            text(detail?.eventDescription?.latestDescription),
            entities.get(awsAccountId) ?? [],
          ),
        );
      }
    }
  });
  return out;
}
