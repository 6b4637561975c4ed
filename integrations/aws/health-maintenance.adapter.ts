import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { HealthClient } from '@aws-sdk/client-health';
import type { OpenSearchClient } from '@aws-sdk/client-opensearch';
import type { RDSClient } from '@aws-sdk/client-rds';
import { isOpsbotError } from '../errors';
import type { Maintenance, MaintenanceFailure, MaintenanceReading, MaintenanceSource } from '../maintenance.port';
import { awsError, mapLimit, type RetryOptions, retryRead } from './aws-calls';
import type { AwsAccount } from './clients';
import { ec2Notices } from './maintenance/ec2';
import { elasticacheNotices } from './maintenance/elasticache';
import { accountHealth, organizationHealth } from './maintenance/health';
import { accountOf } from './maintenance/notices';
import { opensearchNotices } from './maintenance/opensearch';
import { rdsNotices } from './maintenance/rds';

export { HEALTH_FILTER_REGIONS } from './maintenance/health';

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
