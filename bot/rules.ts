import type { Rules } from '../intents/define-intent';
import { alarmPlace, isAlarmArn, resolveAccount } from './accounts';
import type { OpsbotConfig } from './config';

/** Tags that move, where configuration names none for a service (its schema's default). */
const DEFAULT_MUTABLE_TAGS = ['latest', 'main', 'master', 'stable', 'dev', 'edge'];

/** How far along the usual environment names are, for the default promotion order. */
const STAGE_RANK: Readonly<Record<string, number>> = {
  dev: 0,
  development: 0,
  sandbox: 0,
  test: 1,
  testing: 1,
  qa: 1,
  int: 1,
  integration: 1,
  stage: 2,
  staging: 2,
  stg: 2,
  uat: 2,
  preprod: 3,
  'pre-prod': 3,
  prod: 4,
  production: 4,
  live: 4,
};

/**
 * The order images travel through the environments: `promotion.order`, or the configured environments with the
 * usual names in their usual order (dev, then staging, then prod; by name or alias), the others where they are written.
 */
export function promotionOrder(config: OpsbotConfig): string[] {
  if (config.promotion !== undefined) return [...config.promotion.order];
  const ranked = Object.entries(config.environments).map(([name, e], i) => {
    const ranks = [name, ...e.aliases].map((n) => STAGE_RANK[n.toLowerCase()]).filter((r) => r !== undefined);
    return { name, i, rank: ranks.length > 0 ? Math.min(...ranks) : undefined };
  });
  // Unranked names keep their place among the ranked ones: each sorts just after the ranked name written before it.
  let last = -1;
  const keyed = ranked.map((r) => {
    if (r.rank !== undefined) last = r.rank;
    return { ...r, key: r.rank ?? last + 0.5 };
  });
  return keyed.sort((a, b) => a.key - b.key || a.i - b.i).map((r) => r.name);
}

/** Configuration's answers to "who may do what", for the capabilities' policies to decide with. */
export function rulesFrom(config: OpsbotConfig): Rules {
  const order = promotionOrder(config);
  return {
    promotionOrder: order,
    promotedFrom: (environment) => {
      const i = order.indexOf(environment);
      return i > 0 ? order[i - 1] : undefined;
    },
    guardRails: (environment) => {
      const g = config.environments[environment]?.guardRails;
      return {
        untested: g?.untested ?? 'warn',
        pipelineFailing: g?.pipelineFailing ?? 'warn',
        downgrade: g?.downgrade ?? 'warn',
        skippedReleases: g?.skippedReleases ?? { max: 10, action: 'warn' },
        ...(g?.branch !== undefined && {
          branch: {
            names: typeof g.branch.name === 'string' ? [g.branch.name] : g.branch.name,
            action: g.branch.action,
          },
        }),
      };
    },
    pipelineOf: (service) => config.services[service]?.pipeline,
    environment: (name) => {
      const environment = config.environments[name];
      if (environment === undefined) return undefined;
      // Everyone, said or by default, where the environment is not protected (config refuses that where it is).
      const deployers = environment.deployers ?? 'everyone';
      return {
        protected: environment.protected,
        approval: environment.approval,
        deployers,
        approvers: environment.approvers ?? deployers,
        approversKey: environment.approvers !== undefined ? 'approvers' : 'deployers',
        ...(environment.channels !== undefined && { channels: environment.channels }),
        freezes: environment.freezes,
      };
    },
    retriers: (pipeline) => config.pipelines[pipeline]?.retriers ?? 'everyone',
    mutableTags: (service, environment) =>
      new Set(
        (config.services[service]?.environments[environment]?.mutableTags ?? DEFAULT_MUTABLE_TAGS).map((t) =>
          t.toLowerCase(),
        ),
      ),
    target: (service, environment) => {
      const target = config.services[service]?.environments[environment];
      return target === undefined
        ? undefined
        : { account: resolveAccount(config, target.account).id, region: target.region };
    },
    rollbackAlarms: (service, environment) => {
      const target = config.services[service]?.environments[environment];
      if (target === undefined) return { alarms: [], bakeMinutes: 0 };
      const account = resolveAccount(config, target.account).id;
      return {
        alarms: target.rollbackAlarms.map((entry) => alarmPlace(entry, account, target.region)),
        bakeMinutes: target.bakeMinutes,
      };
    },
    alarmTargets: (alarm) =>
      Object.entries(config.services).flatMap(([service, s]) =>
        Object.entries(s.environments).flatMap(([environment, target]) => {
          const account = resolveAccount(config, target.account).id;
          const ties = target.rollbackAlarms.some((entry) =>
            isAlarmArn(entry)
              ? (alarm.arn === entry && alarmPlace(entry, account, target.region).name === alarm.name) ||
                (alarm.arn === undefined && sameAlarm(alarmPlace(entry, account, target.region), alarm))
              : sameAlarm(alarmPlace(entry, account, target.region), alarm),
          );
          return ties ? [{ service, environment }] : [];
        }),
      ),
    maintenance: {
      at: config.notices.at,
      lookAheadDays: config.notices.lookAheadDays,
      quietDays: config.notices.quietDays,
      serviceTag: config.notices.serviceTag,
      resources: config.notices.resources,
      accounts: Object.entries(config.accounts).map(([name, a]) => ({ id: a.id, name })),
    },
    admins: config.admins,
    timeZone: config.timeZone,
    ...(config.slack?.teams !== undefined && { teams: config.slack.teams }),
  };
}

function sameAlarm(a: { name: string; account: string; region: string }, b: typeof a): boolean {
  return a.name === b.name && a.account === b.account && a.region === b.region;
}
