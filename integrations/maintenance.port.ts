/** Where a notice came from. */
export type MaintenanceSource = 'health' | 'ec2' | 'rds';

export interface MaintenanceEvent {
  /** Stable across runs (the ARN or the event id), for "only what is new or changed". */
  readonly id: string;
  readonly source: MaintenanceSource;
  readonly account: string;
  readonly region: string;
  /** The AWS service (`EC2`, `RDS`, `ECS`). */
  readonly service: string;
  /** What it is (`system-reboot`, `os-upgrade`, `AWS_ECS_TASK_PATCHING_RETIREMENT`). */
  readonly kind: string;
  readonly resources: readonly string[];
  readonly description: string;
  readonly startsAt: number;
  readonly endsAt?: number;
  /** Something must be done by someone (not just an informational notice). */
  readonly actionRequired: boolean;
}

/** AWS scheduled maintenance across the configured accounts and regions. */
export interface Maintenance {
  upcoming(window: { readonly from: number; readonly until: number }): Promise<MaintenanceEvent[]>;
}
