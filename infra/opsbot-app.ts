import type { App } from 'aws-cdk-lib';
import type { OpsbotConfig } from '../bot/config';
import { eventPlaces, eventsStackName, forwardingPlaces } from './event-places';
import { accessStackName, OpsbotAccessStack } from './stacks/access-stack';
import { OpsbotEventsStack } from './stacks/events-stack';
import { OpsbotStack } from './stacks/opsbot-stack';

export interface OpsbotStacks {
  readonly home: OpsbotStack;
  /** The role opsbot assumes in each other account (`OpsbotAccess-<name>`). */
  readonly access: readonly OpsbotAccessStack[];
  /**
   * The forwarding of each other place's events to opsbot's bus (`OpsbotEvents-<account>-<region>`): only with
   * opsbot's region given (`homeRegion`), never guessed from the credentials that deploy them.
   */
  readonly events: readonly OpsbotEventsStack[];
}

/**
 * Every stack opsbot deploys, as infra/app.ts builds them (and the infra tests): opsbot's own, an access stack per
 * other account, and an events stack per other place (account and region) whose events opsbot reacts to. opsbot's
 * account is the one listed without a role; its region is `homeRegion`, else unknown (then its own account's other
 * regions are left out, and said through `warn`).
 */
export function opsbotStacks(
  app: App,
  config: OpsbotConfig,
  options: {
    readonly homeAccount?: string;
    readonly homeRegion?: string;
    /** Where opsbot's own stack is deployed when `homeRegion` is not given (cdk's region for it). */
    readonly ownRegion?: string;
    readonly engineAlarmRollback?: boolean;
    readonly warn?: (message: string) => void;
  } = {},
): OpsbotStacks {
  const warn = options.warn ?? (() => undefined);
  const homeRegion = options.homeRegion;
  const home = new OpsbotStack(app, 'Opsbot', {
    config,
    ...(config.lex?.assistedNlu !== undefined && { lexAssistedNlu: config.lex.assistedNlu }),
    ...(homeRegion !== undefined && { homeRegion }),
    ...(options.homeAccount !== undefined && {
      env: { account: options.homeAccount, region: homeRegion ?? options.ownRegion },
    }),
  });
  const homeId = Object.values(config.accounts).find((a) => a.roleArn === undefined)?.id;
  const access: OpsbotAccessStack[] = [];
  for (const [name, account] of Object.entries(config.accounts)) {
    if (account.roleArn === undefined) continue;
    if (homeId === undefined) {
      warn(`no home account known (list it under accounts, without a role); ${accessStackName(name)} left out.`);
      continue;
    }
    access.push(
      new OpsbotAccessStack(app, accessStackName(name), {
        config,
        accountName: name,
        homeAccountId: homeId,
        engineAlarmRollback: options.engineAlarmRollback === true,
        env: { account: account.id },
      }),
    );
  }
  const events: OpsbotEventsStack[] = [];
  // opsbot's account: the one listed without a role, else the one cdk deploys to, else the one id used without a role.
  const ownIds = [
    ...new Set(
      eventPlaces(config)
        .filter((p) => p.account.roleArn === undefined)
        .map((p) => p.account.id),
    ),
  ];
  const ownId = homeId ?? options.homeAccount ?? (ownIds.length === 1 ? ownIds[0] : undefined);
  if (ownId === undefined || homeRegion === undefined) {
    warn(
      "opsbot's account or region is unknown (list it under accounts without a role; set OPSBOT_HOME_REGION): the events of other accounts and regions are not forwarded in this synth.",
    );
    return { home, access, events };
  }
  for (const place of forwardingPlaces(config, homeRegion)) {
    events.push(
      new OpsbotEventsStack(app, eventsStackName(place), {
        place,
        homeAccountId: ownId,
        homeRegion,
        env: { account: place.account.id, region: place.region },
      }),
    );
  }
  return { home, access, events };
}
