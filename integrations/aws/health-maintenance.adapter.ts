import { DescribeInstanceStatusCommand, DescribeTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeUpdateActionsCommand, type ElastiCacheClient } from '@aws-sdk/client-elasticache';
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
import { ListDomainNamesCommand, ListScheduledActionsCommand, type OpenSearchClient } from '@aws-sdk/client-opensearch';
import {
  DescribePendingMaintenanceActionsCommand,
  ListTagsForResourceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { isOpsbotError } from '../errors';
import type {
  Actionability,
  Maintenance,
  MaintenanceFailure,
  MaintenanceNotice,
  MaintenanceReading,
  MaintenanceSource,
  NoticeAccount,
  NoticeResource,
} from '../maintenance.port';
import { allPages, awsError, mapLimit, type RetryOptions, retryRead } from './aws-calls';
import type { AwsAccount } from './clients';

/** The clients the sources read with, each for one account and region (from the one client factory). */
export interface MaintenanceClients {
  /** AWS Health, through the endpoint of `region`: its active one ({@link MaintenanceClients.healthRegion}). */
  health(account: AwsAccount, region: string): HealthClient;
  /** The region of AWS Health's active endpoint (us-east-1 unless Health has failed over); us-east-1 when not given. */
  healthRegion?(): Promise<string>;
  ec2(account: AwsAccount, region: string): EC2Client;
  rds(account: AwsAccount, region: string): RDSClient;
  elasticache(account: AwsAccount, region: string): ElastiCacheClient;
  opensearch(account: AwsAccount, region: string): OpenSearchClient;
}

export interface MaintenancePlaces {
  /** The accounts to read, each in the regions to read. */
  readonly accounts: ReadonlyArray<{ readonly account: AwsAccount; readonly regions: readonly string[] }>;
  /** A management or delegated-admin account with AWS Health's organizational view: Health is read there, once. */
  readonly organization?: AwsAccount;
  /** The tag that names the opsbot service a resource belongs to (read where AWS gives tags). */
  readonly serviceTag: string;
}

/** Calls in flight per source: enough to read hundreds of accounts quickly, few enough not to be throttled. */
const CONCURRENCY = 32;
const EC2_EVENT_CODES = [
  'instance-reboot',
  'system-reboot',
  'system-maintenance',
  'instance-retirement',
  'instance-stop',
];
const MAX_TEXT = 2_000;

/**
 * AWS scheduled maintenance, read in every configured account and region through the client factory: AWS Health
 * scheduled changes (one account at a time, or the organizational view), EC2 scheduled events, RDS pending
 * maintenance (Aurora, DocumentDB and Neptune included), ElastiCache service updates and OpenSearch scheduled
 * actions — each source with bounded concurrency and throttled calls retried with jitter. A place that cannot be
 * read is a failure in the reading, never a missing digest.
 */
export class AwsMaintenance implements Maintenance {
  constructor(
    private readonly places: MaintenancePlaces,
    private readonly clients: MaintenanceClients,
    private readonly retry: RetryOptions = {},
  ) {}

  async upcoming(
    window: { readonly from: number; readonly until: number },
    scope: { readonly account?: string; readonly region?: string } = {},
  ): Promise<MaintenanceReading> {
    const failures: MaintenanceFailure[] = [];
    const accounts = this.places.accounts
      .filter((a) => scope.account === undefined || a.account.id === scope.account)
      .map((a) => ({ ...a, regions: a.regions.filter((r) => scope.region === undefined || r === scope.region) }));
    const regional = accounts.flatMap(({ account, regions }) => regions.map((region) => ({ account, region })));
    const read = async <T>(
      source: MaintenanceSource,
      account: AwsAccount,
      region: string | undefined,
      fn: () => Promise<T[]>,
    ): Promise<T[]> => {
      try {
        return await fn();
      } catch (error) {
        failures.push(failure(source, account, region, error));
        return [];
      }
    };
    // Every source is read only: retried when throttled or when AWS fails on its side.
    const call = <T>(fn: () => Promise<T>) => retryRead(fn, this.retry);
    const regions = [...new Set(regional.map((p) => p.region))];
    const healthRegion = (await this.clients.healthRegion?.()) ?? 'us-east-1';
    const [health, ec2, rds, elasticache, opensearch] = await Promise.all([
      this.places.organization !== undefined
        ? read('health', this.places.organization, undefined, () =>
            organizationHealth(
              this.clients.health(this.places.organization as AwsAccount, healthRegion),
              accounts.map((a) => a.account),
              regions,
              window,
              call,
            ),
          ).then((n) => [n])
        : mapLimit(accounts, CONCURRENCY, ({ account, regions: own }) =>
            read('health', account, undefined, () =>
              accountHealth(this.clients.health(account, healthRegion), account, own, window, call),
            ),
          ),
      mapLimit(regional, CONCURRENCY, ({ account, region }) =>
        read('ec2', account, region, () =>
          ec2Notices(this.clients.ec2(account, region), account, region, this.places.serviceTag, call),
        ),
      ),
      mapLimit(regional, CONCURRENCY, ({ account, region }) =>
        read('rds', account, region, () =>
          rdsNotices(this.clients.rds(account, region), account, region, this.places.serviceTag, window, call),
        ),
      ),
      mapLimit(regional, CONCURRENCY, ({ account, region }) =>
        read('elasticache', account, region, () =>
          elasticacheNotices(this.clients.elasticache(account, region), account, region, call),
        ),
      ),
      mapLimit(regional, CONCURRENCY, ({ account, region }) =>
        read('opensearch', account, region, () =>
          opensearchNotices(this.clients.opensearch(account, region), account, region, call),
        ),
      ),
    ]);
    const notices = [...health, ...ec2, ...rds, ...elasticache, ...opensearch]
      .flat()
      .filter((n) => n.startsAt <= window.until && (n.endsAt ?? n.deadline ?? n.startsAt) >= window.from)
      .sort((a, b) => a.startsAt - b.startsAt || a.id.localeCompare(b.id));
    const order: MaintenanceSource[] = ['health', 'ec2', 'rds', 'elasticache', 'opensearch'];
    const sorted = failures.sort(
      (a, b) =>
        a.account.name.localeCompare(b.account.name) ||
        order.indexOf(a.source) - order.indexOf(b.source) ||
        (a.region ?? '').localeCompare(b.region ?? ''),
    );
    return { notices, failures: sorted };
  }
}

type Call = <T>(fn: () => Promise<T>) => Promise<T>;

const accountOf = (account: AwsAccount): NoticeAccount => ({ id: account.id, name: account.name });
const text = (v: string | undefined) => (v ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
const ms = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : undefined);

/** Why a source could not be read, in words a person can act on. */
function failure(
  source: MaintenanceSource,
  account: AwsAccount,
  region: string | undefined,
  error: unknown,
): MaintenanceFailure {
  const e = awsError(error);
  const base = { account: accountOf(account), source, ...(region !== undefined && { region }) };
  if (isOpsbotError(error) && error.code === 'ROLE_NOT_ASSUMABLE') {
    return { ...base, reason: 'role', message: error.userMessage };
  }
  if (e?.name === 'SubscriptionRequiredException') {
    return {
      ...base,
      reason: 'no-support-plan',
      message:
        'AWS Health’s API needs a Business, Enterprise On-Ramp or Enterprise support plan; EC2, RDS, ElastiCache and OpenSearch are still read.',
    };
  }
  if (e?.name === 'AccessDeniedException' || e?.name === 'AccessDenied' || e?.name === 'UnauthorizedOperation') {
    return {
      ...base,
      reason: 'access-denied',
      message: `access denied (${e.name}): OpsbotAccessStack grants the read calls`,
    };
  }
  if (e?.throttled === true)
    return { ...base, reason: 'throttled', message: `still throttled after retries (${e.name})` };
  return { ...base, reason: 'error', message: e?.name ?? (error instanceof Error ? error.name : 'error') };
}

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
async function accountHealth(
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
async function organizationHealth(
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

function ec2Options(code: string, deadline: number | undefined): string[] {
  switch (code) {
    case 'instance-reboot':
    case 'system-reboot':
      return [
        'reboot it yourself before then (the event is then done)',
        ...(deadline !== undefined ? ['move it within its window (ModifyInstanceEventStartTime)'] : []),
      ];
    case 'instance-retirement':
    case 'instance-stop':
      return ['Stop and start it (EBS-backed) to move it to healthy hardware before then, or replace it'];
    default:
      return ['Nothing to do: the instance keeps running (it may be briefly affected)'];
  }
}

/** EC2 scheduled events of running instances, with their names and service tags. */
async function ec2Notices(
  client: EC2Client,
  account: AwsAccount,
  region: string,
  serviceTag: string,
  call: Call,
): Promise<MaintenanceNotice[]> {
  const events: Array<{
    instance: string;
    id?: string;
    code: string;
    says: string;
    startsAt: number;
    endsAt?: number;
    deadline?: number;
  }> = [];
  let nextToken: string | undefined;
  do {
    const page = await call(() =>
      client.send(
        new DescribeInstanceStatusCommand({
          Filters: [{ Name: 'event.code', Values: EC2_EVENT_CODES }],
          MaxResults: 1000,
          ...(nextToken !== undefined && { NextToken: nextToken }),
        }),
      ),
    );
    for (const status of page.InstanceStatuses ?? []) {
      for (const e of status.Events ?? []) {
        const startsAt = ms(e.NotBefore);
        const says = text(e.Description);
        // Done or called off: AWS keeps them listed a while, marked in the description.
        if (status.InstanceId === undefined || e.Code === undefined || startsAt === undefined) continue;
        if (/^\[(Completed|Canceled)\]/i.test(says)) continue;
        const endsAt = ms(e.NotAfter);
        const deadline = ms(e.NotBeforeDeadline);
        events.push({
          instance: status.InstanceId,
          ...(e.InstanceEventId !== undefined && { id: e.InstanceEventId }),
          code: e.Code,
          says,
          startsAt,
          ...(endsAt !== undefined && { endsAt }),
          ...(deadline !== undefined && { deadline }),
        });
      }
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  const tags = new Map<string, Record<string, string>>();
  const ids = [...new Set(events.map((e) => e.instance))];
  for (let i = 0; i < ids.length; i += 200) {
    let token: string | undefined;
    do {
      const page = await call(() =>
        client.send(
          new DescribeTagsCommand({
            Filters: [
              { Name: 'resource-id', Values: ids.slice(i, i + 200) },
              { Name: 'key', Values: ['Name', serviceTag] },
            ],
            ...(token !== undefined && { NextToken: token }),
          }),
        ),
      );
      for (const tag of page.Tags ?? []) {
        if (tag.ResourceId === undefined || tag.Key === undefined || tag.Value === undefined) continue;
        tags.set(tag.ResourceId, { ...tags.get(tag.ResourceId), [tag.Key]: tag.Value });
      }
      token = page.NextToken;
    } while (token !== undefined);
  }
  return events.map((e) => {
    const own = tags.get(e.instance);
    return {
      id: `ec2:${account.id}:${region}:${e.id ?? `${e.instance}:${e.code}`}`,
      source: 'ec2',
      account: accountOf(account),
      region,
      service: 'EC2',
      kind: e.code,
      resources: [
        { id: e.instance, ...(own?.Name !== undefined && { name: own.Name }), ...(own !== undefined && { tags: own }) },
      ],
      startsAt: e.startsAt,
      ...(e.endsAt !== undefined && { endsAt: e.endsAt }),
      ...(e.deadline !== undefined && { deadline: e.deadline }),
      says: e.says,
      options: ec2Options(e.code, e.deadline),
      console: `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#Events:`,
    } satisfies MaintenanceNotice;
  });
}

/** RDS (Aurora, DocumentDB, Neptune) pending maintenance with a date, with each resource's tags. */
async function rdsNotices(
  client: RDSClient,
  account: AwsAccount,
  region: string,
  serviceTag: string,
  window: { from: number; until: number },
  call: Call,
): Promise<MaintenanceNotice[]> {
  const out: MaintenanceNotice[] = [];
  let marker: string | undefined;
  do {
    const page = await call(() =>
      client.send(new DescribePendingMaintenanceActionsCommand({ ...(marker !== undefined && { Marker: marker }) })),
    );
    for (const resource of page.PendingMaintenanceActions ?? []) {
      const arn = resource.ResourceIdentifier;
      if (arn === undefined) continue;
      const name = arn.split(':').at(-1) ?? arn;
      for (const d of resource.PendingMaintenanceActionDetails ?? []) {
        const current = ms(d.CurrentApplyDate);
        const auto = ms(d.AutoAppliedAfterDate);
        const forced = ms(d.ForcedApplyDate);
        // Without a date it is only available: nothing is scheduled yet.
        const startsAt = current ?? auto ?? forced;
        if (startsAt === undefined || d.Action === undefined) continue;
        out.push({
          id: `rds:${arn}:${d.Action}`,
          source: 'rds',
          account: accountOf(account),
          region,
          service: 'RDS',
          kind: d.Action,
          resources: [{ id: arn, name }],
          startsAt,
          ...(forced !== undefined && { deadline: forced }),
          status: d.OptInStatus ?? 'not opted in',
          says: text(d.Description) || d.Action,
          options: [
            'Apply it now, at a time you choose (ApplyPendingMaintenanceAction, immediate)',
            ...(d.OptInStatus === 'next-maintenance' ? ['Defer it: undo the opt-in (undo-opt-in)'] : []),
            ...(forced !== undefined ? ['AWS applies it by its forced date regardless'] : []),
          ],
          console: `https://${region}.console.aws.amazon.com/rds/home?region=${region}#database:id=${encodeURIComponent(name)}`,
        });
      }
    }
    marker = page.Marker;
  } while (marker !== undefined);
  // Tags say which opsbot service a database belongs to: read for what falls in the window only.
  const inWindow = out.filter((n) => n.startsAt <= window.until && (n.deadline ?? n.startsAt) >= window.from);
  const arns = [...new Set(inWindow.map((n) => n.resources[0]?.id as string))];
  const tags = new Map<string, Record<string, string>>();
  await mapLimit(arns, 8, async (arn) => {
    const answer = await call(() => client.send(new ListTagsForResourceCommand({ ResourceName: arn })));
    tags.set(
      arn,
      Object.fromEntries(
        (answer.TagList ?? []).flatMap((t) =>
          t.Key !== undefined && t.Value !== undefined && (t.Key === serviceTag || t.Key === 'Name')
            ? [[t.Key, t.Value]]
            : [],
        ),
      ),
    );
  });
  return out.map((n) => {
    const own = tags.get(n.resources[0]?.id as string);
    return own === undefined ? n : { ...n, resources: [{ ...(n.resources[0] as NoticeResource), tags: own }] };
  });
}

/** ElastiCache service updates not yet applied, due by their recommended apply-by date. */
async function elasticacheNotices(
  client: ElastiCacheClient,
  account: AwsAccount,
  region: string,
  call: Call,
): Promise<MaintenanceNotice[]> {
  const out: MaintenanceNotice[] = [];
  let marker: string | undefined;
  do {
    const page = await call(() =>
      client.send(
        new DescribeUpdateActionsCommand({
          ServiceUpdateStatus: ['available'],
          UpdateActionStatus: [
            'not-applied',
            'waiting-to-start',
            'in-progress',
            'stopping',
            'stopped',
            'scheduling',
            'scheduled',
          ],
          ...(marker !== undefined && { Marker: marker }),
        }),
      ),
    );
    for (const a of page.UpdateActions ?? []) {
      const target = a.ReplicationGroupId ?? a.CacheClusterId;
      const startsAt = ms(a.ServiceUpdateRecommendedApplyByDate) ?? ms(a.ServiceUpdateReleaseDate);
      if (target === undefined || a.ServiceUpdateName === undefined || startsAt === undefined) continue;
      out.push({
        id: `elasticache:${account.id}:${region}:${target}:${a.ServiceUpdateName}`,
        source: 'elasticache',
        account: accountOf(account),
        region,
        service: 'ElastiCache',
        kind: a.ServiceUpdateName,
        resources: [{ id: target, name: target }],
        startsAt,
        ...(a.UpdateActionStatus !== undefined && { status: a.UpdateActionStatus }),
        says: `Service update ${a.ServiceUpdateName}${describeUpdate(a.ServiceUpdateType, a.ServiceUpdateSeverity)}, to apply by the recommended date`,
        options: [
          'Apply it now, at a time you choose (BatchApplyUpdateAction)',
          'Or stop it for now (BatchStopUpdateAction)',
        ],
        console: `https://${region}.console.aws.amazon.com/elasticache/home?region=${region}#/service-updates`,
      });
    }
    marker = page.Marker;
  } while (marker !== undefined);
  return out;
}

/** " (security-update, severity important)", or nothing when AWS says neither. */
function describeUpdate(type: string | undefined, severity: string | undefined): string {
  const parts = [type, severity !== undefined ? `severity ${severity}` : undefined].filter((p) => p !== undefined);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** OpenSearch scheduled actions (software updates, blue/green changes) of every domain. */
async function opensearchNotices(
  client: OpenSearchClient,
  account: AwsAccount,
  region: string,
  call: Call,
): Promise<MaintenanceNotice[]> {
  const domains = (await call(() => client.send(new ListDomainNamesCommand({})))).DomainNames ?? [];
  const out: MaintenanceNotice[] = [];
  for (const { DomainName: domain } of domains) {
    if (domain === undefined) continue;
    let token: string | undefined;
    do {
      const page = await call(() =>
        client.send(
          new ListScheduledActionsCommand({ DomainName: domain, ...(token !== undefined && { NextToken: token }) }),
        ),
      );
      for (const a of page.ScheduledActions ?? []) {
        if (a.Id === undefined || a.ScheduledTime === undefined) continue;
        // AWS documents the time as epoch; seconds and milliseconds are both read.
        const startsAt = a.ScheduledTime < 1e12 ? a.ScheduledTime * 1000 : a.ScheduledTime;
        out.push({
          id: `opensearch:${account.id}:${region}:${domain}:${a.Id}`,
          source: 'opensearch',
          account: accountOf(account),
          region,
          service: 'OpenSearch',
          kind: a.Type ?? 'SCHEDULED_ACTION',
          resources: [{ id: domain, name: domain }],
          startsAt,
          ...(a.Status !== undefined && { status: a.Status }),
          says: `${text(a.Description) || (a.Type ?? 'A scheduled action')}${a.Severity !== undefined ? ` (severity ${a.Severity})` : ''}${a.Mandatory === true ? ', mandatory' : ''}`,
          options: a.Cancellable === true ? ['Reschedule it, or cancel it (UpdateScheduledAction)'] : [],
          console: `https://${region}.console.aws.amazon.com/aos/home?region=${region}#opensearch/domains/${encodeURIComponent(domain)}`,
        });
      }
      token = page.NextToken;
    } while (token !== undefined);
  }
  return out;
}
