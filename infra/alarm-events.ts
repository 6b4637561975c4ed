import { type ResolvedAccount, resolveAccount } from '../bot/accounts';
import type { OpsbotConfig } from '../bot/config';
import { alarmPlace } from '../integrations/alarms.port';

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
