import type { Rules } from '../intents/define-intent';
import { alarmPlace, isAlarmArn, resolveAccount } from './accounts';
import type { OpsbotConfig } from './config';

/** Tags that move, where configuration names none for a service (its schema's default). */
const DEFAULT_MUTABLE_TAGS = ['latest', 'main', 'master', 'stable', 'dev', 'edge'];

/** Configuration's answers to "who may do what", for the capabilities' policies to decide with. */
export function rulesFrom(config: OpsbotConfig): Rules {
  return {
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
