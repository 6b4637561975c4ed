import { alarmPlace, maintenancePlaces, type ResolvedAccount, resolveAccount } from '../bot/accounts';
import type { OpsbotConfig } from '../bot/config';

/**
 * A place (account and region) where events opsbot reacts to happen. EventBridge rules are regional and see their own
 * account: each place other than opsbot's own account and region needs rules there that forward its events to
 * opsbot's bus.
 */
export interface EventPlace {
  readonly account: ResolvedAccount;
  readonly region: string;
  /** Rollback alarms (names) that live here. */
  readonly alarms: readonly string[];
  /** Configured pipelines (names) that run here. */
  readonly pipelines: readonly string[];
  /** Services opsbot deploys on AWS here: CodeDeploy's and ECS's deployment state changes. */
  readonly deploys: boolean;
  /** AWS Health scheduled changes the digest reads from here. */
  readonly health: boolean;
}

/** AWS Health's events of global services arrive in us-east-1. */
const HEALTH_GLOBAL_REGION = 'us-east-1';

/** Every place the configuration uses, each once, with what happens there; sorted by account, then region. */
export function eventPlaces(config: OpsbotConfig): EventPlace[] {
  const places = new Map<string, { account: ResolvedAccount; region: string } & Mutable>();
  const at = (account: ResolvedAccount, region: string) => {
    const key = `${account.id}/${region}`;
    let place = places.get(key);
    if (place === undefined) {
      place = { account, region, alarms: [], pipelines: [], deploys: false, health: false };
      places.set(key, place);
    }
    return place;
  };
  for (const service of Object.values(config.services)) {
    for (const target of Object.values(service.environments)) {
      const home = resolveAccount(config, target.account);
      if (target.cluster !== undefined) at(home, target.region).deploys = true;
      for (const entry of target.rollbackAlarms) {
        const p = alarmPlace(entry, home.id, target.region);
        const alarms = at(p.account === home.id ? home : resolveAccount(config, p.account), p.region).alarms;
        if (!alarms.includes(p.name)) alarms.push(p.name);
      }
    }
  }
  for (const [name, pipeline] of Object.entries(config.pipelines)) {
    at(resolveAccount(config, pipeline.account), pipeline.region).pipelines.push(name);
  }
  const maintenance = maintenancePlaces(config);
  const healthAccounts = [
    ...maintenance.accounts,
    ...(maintenance.organization !== undefined
      ? [{ account: maintenance.organization, regions: maintenance.accounts[0]?.regions ?? [] }]
      : []),
  ];
  for (const { account, regions } of healthAccounts) {
    for (const region of new Set(regions.map((r) => (r === 'global' ? HEALTH_GLOBAL_REGION : r)))) {
      at(account, region).health = true;
    }
  }
  return [...places.values()]
    .map((p) => ({ ...p, alarms: [...p.alarms].sort(), pipelines: [...p.pipelines].sort() }))
    .sort((a, b) => a.account.id.localeCompare(b.account.id) || a.region.localeCompare(b.region));
}

interface Mutable {
  alarms: string[];
  pipelines: string[];
  deploys: boolean;
  health: boolean;
}

/** True when something happens at `place` that opsbot reacts to. */
export function hasEvents(place: EventPlace): boolean {
  return place.alarms.length > 0 || place.pipelines.length > 0 || place.deploys || place.health;
}

/**
 * The places whose events reach opsbot's bus through an `OpsbotEventsStack`: every place with events but opsbot's own
 * region of its own account (an account without a role: the one listed so, or an account id used without an
 * `accounts:` entry, which is opsbot's own). With opsbot's region unknown, its own account's places are left out
 * (said at synth by infra/opsbot-app.ts).
 */
export function forwardingPlaces(config: OpsbotConfig, homeRegion: string | undefined): EventPlace[] {
  return eventPlaces(config).filter(
    (p) => hasEvents(p) && (p.account.roleArn !== undefined || (homeRegion !== undefined && p.region !== homeRegion)),
  );
}

/** The name of the stack that forwards a place's events: `OpsbotEvents-<account name>-<region>`. */
export function eventsStackName(place: Pick<EventPlace, 'account' | 'region'>): string {
  return `OpsbotEvents-${place.account.name}-${place.region}`;
}
