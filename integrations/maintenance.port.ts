/** Where a notice came from. */
export type MaintenanceSource = 'health' | 'ec2' | 'rds' | 'elasticache' | 'opensearch';

/** AWS Health's own word on whether a notice needs the team. */
export type Actionability = 'ACTION_REQUIRED' | 'ACTION_MAY_BE_REQUIRED' | 'INFORMATIONAL';

/** An AWS account, by its id and its configured name. */
export interface NoticeAccount {
  readonly id: string;
  readonly name: string;
}

/** A resource a notice concerns: its id (or ARN), the name people know it by, and its tags where AWS gives them. */
export interface NoticeResource {
  readonly id: string;
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** One piece of AWS scheduled maintenance, whichever source it came from. */
export interface MaintenanceNotice {
  /** Stable across runs (the Health event ARN, the EC2 event id, the RDS resource and action…). */
  readonly id: string;
  readonly source: MaintenanceSource;
  readonly account: NoticeAccount;
  readonly region: string;
  /** The AWS service (`EC2`, `RDS`, `ElastiCache`, `OpenSearch`, or Health's service code). */
  readonly service: string;
  /** What it is (`system-reboot`, `system-update`, `AWS_ECS_TASK_PATCHING_RETIREMENT`, `SERVICE_SOFTWARE_UPDATE`). */
  readonly kind: string;
  readonly resources: readonly NoticeResource[];
  /** When it starts (or, for an update to apply by a date, that date). */
  readonly startsAt: number;
  readonly endsAt?: number;
  /** The latest it can be moved to, or the date AWS applies it regardless. */
  readonly deadline?: number;
  /** The source's status (`upcoming`, `open`, `next-maintenance`, `not-applied`, `PENDING_UPDATE`…). */
  readonly status?: string;
  /** What AWS says will happen. */
  readonly says: string;
  /** What the team can do about it (reboot early, apply now, defer…). */
  readonly options: readonly string[];
  readonly actionability?: Actionability;
  /** An AWS Health planned lifecycle event (`*_PLANNED_LIFECYCLE_EVENT`): an end of support. */
  readonly lifecycle?: boolean;
  readonly console: string;
}

/** An account (or one of its regions, or one source there) that could not be read, and why. */
export interface MaintenanceFailure {
  readonly account: NoticeAccount;
  readonly region?: string;
  readonly source: MaintenanceSource;
  /**
   * `no-support-plan`: AWS Health's API needs a Business, Enterprise On-Ramp or Enterprise support plan;
   * `access-denied`, `role` (the account's role could not be assumed), `throttled` (after retries), `error`.
   */
  readonly reason: 'no-support-plan' | 'access-denied' | 'role' | 'throttled' | 'error';
  readonly message: string;
}

/** What the sources said, and where they could not be read. */
export interface MaintenanceReading {
  readonly notices: readonly MaintenanceNotice[];
  readonly failures: readonly MaintenanceFailure[];
}

/** AWS scheduled maintenance across the configured accounts and regions. */
export interface Maintenance {
  /**
   * Notices whose time falls in the window (or that are under way in it), soonest first; only one account's, or one
   * region's, when scoped.
   */
  upcoming(
    window: { readonly from: number; readonly until: number },
    scope?: { readonly account?: string; readonly region?: string },
  ): Promise<MaintenanceReading>;
}
