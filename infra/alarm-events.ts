import { alarmPlace, type ResolvedAccount, resolveAccount } from '../bot/accounts';
import type { OpsbotConfig } from '../bot/config';

/** A configured rollback alarm, where it lives. */
export interface PlacedAlarm {
  readonly name: string;
  readonly account: ResolvedAccount;
  readonly region: string;
}

/** Every configured rollback alarm (`rollbackAlarms` of each service in each environment), once each. */
export function rollbackAlarms(config: OpsbotConfig): PlacedAlarm[] {
  const seen = new Map<string, PlacedAlarm>();
  for (const service of Object.values(config.services)) {
    for (const target of Object.values(service.environments)) {
      const home = resolveAccount(config, target.account);
      for (const entry of target.rollbackAlarms) {
        const place = alarmPlace(entry, home.id, target.region);
        const key = `${place.account}:${place.region}:${place.name}`;
        if (!seen.has(key)) {
          seen.set(key, {
            name: place.name,
            account: place.account === home.id ? home : resolveAccount(config, place.account),
            region: place.region,
          });
        }
      }
    }
  }
  return [...seen.values()];
}

export function alarmArn(alarm: PlacedAlarm, partition: string): string {
  return `arn:${partition}:cloudwatch:${alarm.region}:${alarm.account.id}:alarm:${alarm.name}`;
}

/**
 * The configured CodeDeploy deployment groups of an account, each with its rollback alarms that CodeDeploy itself can
 * watch (those in the group's own account and region; an alarm elsewhere is opsbot's alone).
 */
export function alarmedGroups(config: OpsbotConfig, accountId: string) {
  return Object.values(config.services).flatMap((service) =>
    Object.values(service.environments).flatMap((t) => {
      const account = resolveAccount(config, t.account).id;
      if (account !== accountId || t.codedeploy === undefined) return [];
      const alarms = t.rollbackAlarms
        .map((entry) => alarmPlace(entry, account, t.region))
        .filter((p) => p.account === account && p.region === t.region)
        .map((p) => p.name);
      return alarms.length === 0
        ? []
        : [
            {
              application: t.codedeploy.application,
              deploymentGroup: t.codedeploy.deploymentGroup,
              region: t.region,
              alarms,
            },
          ];
    }),
  );
}
