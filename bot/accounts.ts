import type { OpsbotConfig } from './config';

/*
 * Kept apart from the schema: the Lambda functions resolve accounts without loading zod or YAML at cold start.
 */

/** An account as opsbot reaches it: its configured name (or id), id, and the role to assume there, if any. */
export interface ResolvedAccount {
  readonly name: string;
  readonly id: string;
  readonly roleArn?: string;
  readonly externalId?: string;
}

/** Resolves an account reference (a name under `accounts`, or an id) to the account. */
export function resolveAccount(config: OpsbotConfig, ref: string): ResolvedAccount {
  const byName = config.accounts[ref];
  if (byName !== undefined) return { name: ref, ...byName };
  const byId = Object.entries(config.accounts).find(([, a]) => a.id === ref);
  if (byId !== undefined) return { name: byId[0], ...byId[1] };
  return { name: ref, id: ref };
}

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;

/**
 * A configured rollback alarm (a name, or an ARN) placed: an ARN says where the alarm lives; a name lives in the
 * service's own account and region.
 */
export function alarmPlace(
  entry: string,
  account: string,
  region: string,
): { name: string; account: string; region: string } {
  const arn = ALARM_ARN.exec(entry);
  if (arn === null) return { name: entry, account, region };
  return { name: arn[3] as string, account: arn[2] as string, region: arn[1] as string };
}

/** True when `entry` is an alarm ARN rather than a name. */
export function isAlarmArn(entry: string): boolean {
  return ALARM_ARN.test(entry);
}

/**
 * Where maintenance is read: the accounts `notices.accounts` names (every configured account when not set, else
 * those the services and pipelines run in), each in `notices.regions` (the services' and pipelines' regions).
 */
export function maintenancePlaces(config: OpsbotConfig): {
  accounts: Array<{ account: ResolvedAccount; regions: string[] }>;
  organization?: ResolvedAccount;
  serviceTag: string;
} {
  const places = [
    ...Object.values(config.services).flatMap((s) => Object.values(s.environments)),
    ...Object.values(config.pipelines),
  ];
  const refs =
    config.notices.accounts ??
    (Object.keys(config.accounts).length > 0 ? Object.keys(config.accounts) : places.map((p) => p.account));
  const accounts = [...new Map(refs.map((ref) => resolveAccount(config, ref)).map((a) => [a.id, a])).values()];
  const regions = config.notices.regions ?? [...new Set(places.map((p) => p.region))].sort();
  return {
    accounts: accounts.map((account) => ({ account, regions })),
    ...(config.notices.organization !== undefined && {
      organization: resolveAccount(config, config.notices.organization),
    }),
    serviceTag: config.notices.serviceTag,
  };
}
