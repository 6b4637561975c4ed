import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ASSISTED_NLU_MODES, LEX_LOCALE_IDS } from '../intents/languages';
import { ConfigError, type Settings } from './settings';

/**
 * The one configuration schema. Loaded wherever YAML is read (local runs, the CLI, synth); the Lambda functions
 * read the JSON that synth writes from it (see `settings.ts`), so they start without zod or YAML.
 */

const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'expected a lower-case name of letters, digits and dashes (like "api" or "api-pipeline")',
  );
const alias = z
  .string()
  .min(2, 'expected an alias of at least two characters')
  .regex(/^[a-z0-9][a-z0-9 _-]*$/i, 'expected an alias of letters, digits, spaces, dashes or underscores');
const accountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id in quotes, like "111111111111"');
/** An account by its name under `accounts`, or by its id (an id not listed there is opsbot's own account). */
const account = z
  .string()
  .regex(/^(\d{12}|[a-z0-9][a-z0-9-]*)$/, 'expected a configured account name, or a 12-digit AWS account id in quotes');

const accountSchema = z.strictObject({
  id: accountId,
  /** The role opsbot assumes there (OpsbotAccessStack creates it); none for opsbot's own account. */
  roleArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
      'expected an IAM role ARN like "arn:aws:iam::222222222222:role/opsbot"',
    )
    .optional(),
  /** The external id the role's trust policy requires. */
  externalId: z.string().min(2).max(1224).optional(),
});
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region like "eu-west-1"');
const channel = z
  .string()
  .regex(/^[CGD][A-Z0-9]{6,}$/, 'expected a Slack channel id like "C0123ABCD" (right-click the channel › Copy link)');
/** Someone a rule allows: a Slack user id, or a user group's id (all its members, read from Slack). */
const person = z
  .string()
  .regex(
    /^[UWS][A-Z0-9]{6,}$/,
    'expected a Slack user id like "U0123ABCD" or a user-group id like "S0123ABCD" (profile › ⋯ › Copy member ID)',
  );
/** Whom a rule allows: a list of user and user-group ids, or `everyone`. */
const who = z.union([
  z.literal('everyone'),
  z.array(person).min(1, 'an empty list allows nobody: list who, or say everyone'),
]);

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected a time like "18:00"');
const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T([01]\d|2[0-3]):[0-5]\d)?$/, 'expected a date like "2026-12-24" or "2026-12-24T18:00"');
/** A freeze window in the team's time zone: weekly on some days between two times, or between two dates. */
const freezeSchema = z.union([
  z.strictObject({
    reason: z.string().min(1).max(200),
    days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1),
    from: hhmm.default('00:00'),
    to: hhmm.default('24:00'),
  }),
  z.strictObject({ reason: z.string().min(1).max(200), start: localDate, end: localDate }),
]);

/** What a guard rail does when it finds something: a warning on the Confirm card, a refusal, or nothing. */
const guardAction = z.enum(['warn', 'refuse', 'off']);

/**
 * What the Confirm card of a deploy or promotion to an environment warns about (or, set to `refuse`, refuses):
 * a version never run in the environment before it, a failing pipeline, a downgrade that is not a rollback,
 * too many releases skipped, a build from another branch. Rollbacks pass them all.
 */
const guardRailsSchema = z.strictObject({
  untested: guardAction.default('warn'),
  pipelineFailing: guardAction.default('warn'),
  downgrade: guardAction.default('warn'),
  skippedReleases: z
    // Releases are counted among the newest 500 images of the repository.
    .strictObject({ max: z.number().int().min(0).max(499).default(10), action: guardAction.default('warn') })
    .prefault({}),
  /** The branch (or branches) builds for this environment come from; not checked when not set. */
  branch: z
    .strictObject({
      name: z.union([z.string().min(1).max(255), z.array(z.string().min(1).max(255)).min(1)]),
      action: guardAction.default('warn'),
    })
    .optional(),
});

const environmentSchema = z.strictObject({
  aliases: z.array(alias).default([]),
  /** Protected: confirmation by button, mutable tags refused. */
  protected: z.boolean().default(false),
  /** A second person must approve deploys here. */
  approval: z.boolean().default(false),
  /**
   * Who may change it (user and user-group ids), or `everyone`; an unprotected environment's default is everyone,
   * and a protected one must say (an empty list there is a mistake more often than a decision).
   */
  deployers: who.optional(),
  /** Who may approve a change where `approval` is on; its deployers when not set. */
  approvers: who.optional(),
  /** The channels where changes to it may be requested; anywhere, when not set. */
  channels: z.array(channel).min(1, 'expected at least one channel id, or leave channels out').optional(),
  /** When deploys here are refused (rollbacks never are), in the team's `timeZone`. */
  freezes: z.array(freezeSchema).default([]),
  /** Warnings (or refusals) said before Confirm; see `guardRailsSchema`. */
  guardRails: guardRailsSchema.prefault({}),
  /** An AWS Systems Manager Change Calendar: CLOSED freezes deploys here too. */
  changeCalendar: z
    .strictObject({
      /** The calendar document's name (or ARN). */
      name: z.string().min(1).max(2048),
      /** Its account (a name under `accounts`, or an id); opsbot's own when not set. */
      account: z.string().optional(),
      region,
    })
    .optional(),
});

const lambdaName = z
  .string()
  .regex(/^[a-zA-Z0-9-_:]{1,140}$/, 'expected a Lambda function name (or ARN) for the AppSpec hook');

const targetSchema = z.strictObject({
  account,
  region,
  /** The ECS cluster (required to deploy on AWS). */
  cluster: z.string().min(1).optional(),
  /** The ECS service's name; the opsbot service's name when not set. */
  service: z.string().min(1).optional(),
  /** The container whose image a deploy changes; the service's name when not set. */
  container: z.string().min(1).optional(),
  /** The container port the load balancer sends to; read from the ECS service when not set. */
  containerPort: z.number().int().min(1).max(65535).optional(),
  /**
   * The ECR repository (name or URI). Required on AWS for a service with a cluster (`cdk synth` refuses to guess it,
   * since opsbot's role may read only the repositories it names); the sandbox reads it from the running image.
   */
  repository: z.string().min(1).optional(),
  /** For services CodeDeploy deploys (`deploymentController: CODE_DEPLOY`). */
  codedeploy: z.strictObject({ application: z.string().min(1), deploymentGroup: z.string().min(1) }).optional(),
  /** AppSpec hooks of CodeDeploy deployments: the Lambda function CodeDeploy invokes at each lifecycle event. */
  hooks: z
    .strictObject({
      BeforeInstall: lambdaName.optional(),
      AfterInstall: lambdaName.optional(),
      AfterAllowTestTraffic: lambdaName.optional(),
      BeforeAllowTraffic: lambdaName.optional(),
      AfterAllowTraffic: lambdaName.optional(),
    })
    .optional(),
  /** Tags that move (refused where the environment is protected). */
  mutableTags: z.array(z.string().min(1)).default(['latest', 'main', 'master', 'stable', 'dev', 'edge']),
  /**
   * The CloudWatch alarms (names in the service's account and region, or ARNs) that roll it back: during a deploy
   * (stopped with rollback), within `bakeMinutes` after one (the previous version deployed again), and otherwise
   * posted to the alerts channel with a "Roll back now" button.
   */
  rollbackAlarms: z
    .array(
      z
        .string()
        .regex(
          /^(?:arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:)?[^\p{Cc}*?]{1,255}$/u,
          'expected a CloudWatch alarm name (without * or ?, which IAM would read as wildcards), or an ARN like "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-prod-5xx"',
        ),
    )
    .max(50, 'at most 50 rollback alarms per service and environment (a composite alarm can combine more)')
    .default([]),
  /** How long after a successful deploy its rollback alarms still redeploy the previous version. */
  bakeMinutes: z
    .number()
    .int()
    .min(0)
    // The watcher polls through the window, and a Step Functions execution holds 25,000 history events.
    .max(240, 'at most 240 minutes (the deploy watcher polls through the window)')
    .default(15),
  /** Renamed: kept only to say so. */
  alarms: z.undefined({ error: 'renamed: list them under rollbackAlarms (names or ARNs)' }).optional(),
});

const serviceSchema = z.strictObject({
  aliases: z.array(alias).default([]),
  pipeline: name.optional(),
  environments: z.record(name, targetSchema),
});

const pipelineSchema = z.strictObject({
  account,
  region,
  /** Who may retry a failed stage from Slack (user and user-group ids); everyone when not set. */
  retriers: who.default('everyone'),
});

/** The daily maintenance digest and the on-demand answer. */
const noticesSchema = z.strictObject({
  /** When the digest is posted each day, in the team's timeZone ("09:00"). */
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time like "09:00"')
    .default('09:00'),
  /** The accounts to read (names under accounts, or ids); every configured account when not set. */
  accounts: z.array(z.string().min(1)).min(1).optional(),
  /** The regions to read; the configured services' and pipelines' regions when not set. */
  regions: z.array(region).min(1).optional(),
  /** How far ahead the digest looks. */
  lookAheadDays: z.number().int().min(1).max(90).default(14),
  /** A day with nothing new: one short line, or nothing at all. */
  quietDays: z.enum(['line', 'nothing']).default('line'),
  /** An account with AWS Health's organizational view (management or delegated admin): Health is read there, once. */
  organization: z.string().min(1).optional(),
  /** The resource tag that names the opsbot service a resource belongs to. */
  serviceTag: z.string().min(1).max(128).default('opsbot:service'),
  /** Resources of opsbot services that carry no such tag: ids, names or ARNs, by service. */
  resources: z.record(name, z.array(z.string().min(1).max(2048)).max(200)).default({}),
});

const configSchema = z
  .strictObject({
    slack: z
      .strictObject({
        botUserId: z.string().regex(/^[UW][A-Z0-9]{6,}$/, 'expected the bot user id like "U0123ABCD"'),
        botId: z.string().regex(/^B[A-Z0-9]{6,}$/, 'expected the bot id like "B0123ABCD"'),
        channels: z.strictObject({ deploys: channel, alerts: channel, notices: channel }),
        /** The workspaces (team ids) allowed to talk to opsbot; requests from any other are refused and logged. */
        teams: z
          .array(z.string().regex(/^[TE][A-Z0-9]{6,}$/, 'expected a Slack team id like "T0123ABCD"'))
          .min(1, 'expected at least one team id, or leave teams out')
          .optional(),
      })
      .optional(),
    /** opsbot's admins (user and user-group ids): allowed whatever an environment's or pipeline's list says. */
    admins: z.array(person).default([]),
    /** The team's time zone (IANA, like "Europe/Berlin"): freeze windows and lock times are read in it. */
    timeZone: z
      .string()
      .refine(validTimeZone, 'expected an IANA time zone like "Europe/Berlin" or "UTC"')
      .default('UTC'),
    /** The audit trail: how long its records are kept. */
    audit: z.strictObject({ retentionDays: z.number().int().min(1).max(3650).default(365) }).optional(),
    /**
     * The Lex bot infra generates. `assistedNlu`: Lex V2's Assisted NLU (an LLM through Amazon Bedrock helping it
     * classify intents and resolve slots) per locale, `Primary` or `Fallback`; off unless set.
     */
    lex: z
      .strictObject({
        assistedNlu: z.partialRecord(z.enum(LEX_LOCALE_IDS), z.enum(ASSISTED_NLU_MODES)).optional(),
      })
      .optional(),
    /**
     * Promotion: the order images travel through the environments (`promote web prod` deploys what runs in the one
     * before prod). Default: dev, staging, prod by their usual names, the rest in the order they are written.
     */
    promotion: z.strictObject({ order: z.array(name).min(2) }).optional(),
    environments: z.record(name, environmentSchema).refine((e) => Object.keys(e).length > 0, {
      message: 'expected at least one environment',
    }),
    services: z.record(name, serviceSchema).refine((s) => Object.keys(s).length > 0, {
      message: 'expected at least one service',
    }),
    pipelines: z.record(name, pipelineSchema).default({}),
    accounts: z.record(name, accountSchema).default({}),
    notices: noticesSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const [envName, environment] of Object.entries(config.environments)) {
      if (environment.protected && (environment.deployers === undefined || environment.deployers.length === 0)) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', envName, 'deployers'],
          message: `${envName} is protected: list who may change it (Slack user or user-group ids), or say \`deployers: everyone\` if you mean it`,
        });
      }
    }
    const order = config.promotion?.order ?? [];
    order.forEach((env, i) => {
      if (!(env in config.environments))
        ctx.addIssue({
          code: 'custom',
          path: ['promotion', 'order', i],
          message: `"${env}" is not a configured environment (expected one of: ${Object.keys(config.environments).join(', ')})`,
        });
      else if (order.indexOf(env) !== i)
        ctx.addIssue({ code: 'custom', path: ['promotion', 'order', i], message: `"${env}" is listed twice` });
    });
    for (const [accountName, a] of Object.entries(config.accounts)) {
      if (a.roleArn !== undefined && a.roleArn.split(':')[4] !== a.id) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', accountName, 'roleArn'],
          message: `the role must be in the account itself (${a.id})`,
        });
      }
    }
    const ids = new Set(Object.values(config.accounts).map((a) => a.id));
    const knownAccount = (ref: string, path: (string | number)[]) => {
      if (ref in config.accounts) return;
      // With accounts listed, an id must be one of them: an unlisted one would silently be read as opsbot's own.
      if (/^\d{12}$/.test(ref) && (ids.size === 0 || ids.has(ref))) return;
      ctx.addIssue({
        code: 'custom',
        path,
        message: `"${ref}" is not a configured account (expected one of: ${Object.keys(config.accounts).join(', ') || 'none configured'}, or a 12-digit id)`,
      });
    };
    for (const [pipelineName, p] of Object.entries(config.pipelines))
      knownAccount(p.account, ['pipelines', pipelineName, 'account']);
    for (const [i, a] of (config.notices.accounts ?? []).entries()) knownAccount(a, ['notices', 'accounts', i]);
    if (config.notices.organization !== undefined)
      knownAccount(config.notices.organization, ['notices', 'organization']);
    for (const service of Object.keys(config.notices.resources)) {
      if (!(service in config.services)) {
        ctx.addIssue({
          code: 'custom',
          path: ['notices', 'resources', service],
          message: `"${service}" is not a configured service`,
        });
      }
    }
    for (const [envName, environment] of Object.entries(config.environments)) {
      const account = environment.changeCalendar?.account;
      if (account !== undefined) knownAccount(account, ['environments', envName, 'changeCalendar', 'account']);
    }
    for (const [serviceName, service] of Object.entries(config.services)) {
      for (const [envName, target] of Object.entries(service.environments)) {
        knownAccount(target.account, ['services', serviceName, 'environments', envName, 'account']);
        target.rollbackAlarms.forEach((entry, i) => {
          // An alarm named by ARN in another account is read through that account's role: it must be configured.
          const arnAccount = /^arn:[^:]+:cloudwatch:[^:]+:(\d{12}):/.exec(entry)?.[1];
          if (arnAccount !== undefined && ids.size > 0 && !ids.has(arnAccount)) {
            ctx.addIssue({
              code: 'custom',
              path: ['services', serviceName, 'environments', envName, 'rollbackAlarms', i],
              message: `the alarm is in account ${arnAccount}, which is not configured under accounts`,
            });
          }
        });
        if (!(envName in config.environments)) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', serviceName, 'environments', envName],
            message: `"${envName}" is not a configured environment (expected one of: ${Object.keys(config.environments).join(', ')})`,
          });
        }
      }
      if (service.pipeline !== undefined && !(service.pipeline in config.pipelines)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', serviceName, 'pipeline'],
          message: `"${service.pipeline}" is not a configured pipeline (add it under "pipelines")`,
        });
      }
    }
    // A name or alias must mean one thing, or the matcher could not tell which was meant.
    const owners = new Map<string, string>();
    const claim = (word: string, owner: string, path: (string | number)[]) => {
      const key = word.toLowerCase();
      const previous = owners.get(key);
      if (previous !== undefined && previous !== owner) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `"${word}" already names ${previous}; names and aliases must be unique`,
        });
      }
      owners.set(key, owner);
    };
    for (const [kind, things] of [
      ['service', config.services],
      ['environment', config.environments],
    ] as const) {
      for (const [thingName, thing] of Object.entries(things)) {
        claim(thingName, `${kind} "${thingName}"`, [`${kind}s`, thingName]);
        (thing.aliases as readonly string[]).forEach((a, i) => {
          claim(a, `${kind} "${thingName}"`, [`${kind}s`, thingName, 'aliases', i]);
        });
      }
    }
  });

export type OpsbotConfig = z.infer<typeof configSchema>;
export type EnvironmentConfig = OpsbotConfig['environments'][string];
export type ServiceConfig = OpsbotConfig['services'][string];

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc === '' ? String(key) : `${acc}.${String(key)}`;
  }, '');
}

/**
 * Parses and validates configuration text (YAML).
 * @throws {ConfigError} naming each offending key path and what was expected.
 */
export function parseConfig(text: string, source = 'configuration'): OpsbotConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => `${formatPath(issue.path) || '(top level)'}: ${issue.message}`),
    );
  }
  return result.data;
}

export interface LoadedConfig {
  readonly config: OpsbotConfig;
  /** Where it came from: the file path, or `example` when no config file exists. */
  readonly source: string;
  readonly isExample: boolean;
}

/** Where the example configuration lives, relative to this repository. */
export const EXAMPLE_CONFIG_PATH = resolve(__dirname, '..', 'opsbot.config.example.yaml');

/**
 * Loads `OPSBOT_CONFIG` (default `opsbot.config.yaml` in the working directory).
 * With no such file and no explicit `OPSBOT_CONFIG`, falls back to the shipped example world.
 */
export function loadConfig(settings: Pick<Settings, 'configPath' | 'configExplicit'>): LoadedConfig {
  if (existsSync(settings.configPath)) {
    return {
      config: parseConfig(readFileSync(settings.configPath, 'utf8'), settings.configPath),
      source: settings.configPath,
      isExample: false,
    };
  }
  if (settings.configExplicit) {
    throw new ConfigError(settings.configPath, [
      `OPSBOT_CONFIG points at ${settings.configPath}, which does not exist; copy opsbot.config.example.yaml there`,
    ]);
  }
  return {
    config: parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'), EXAMPLE_CONFIG_PATH),
    source: 'example',
    isExample: true,
  };
}
