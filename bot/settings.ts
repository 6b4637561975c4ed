import { resolve } from 'node:path';

/**
 * Process settings from the environment: the only reader of `process.env`. Deliberately free of zod and YAML,
 * so the Lambda functions start without them: they read configuration validated at synth time.
 */

/** A configuration problem: every message names the key path (or variable) and what was expected. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The development signing secret used when `SLACK_SIGNING_SECRET` is unset (local runs only). */
export const DEVELOPMENT_SIGNING_SECRET = 'opsbot-local-development-signing-secret';

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export interface Settings {
  readonly configPath: string;
  /** True when `OPSBOT_CONFIG` named the file (no fallback to the example then). */
  readonly configExplicit: boolean;
  readonly signingSecret: string;
  /** True when the signing secret is the documented development default. */
  readonly signingSecretIsDefault: boolean;
  readonly botToken: string;
  /** True when no `SLACK_BOT_TOKEN` is set: locally, the Web API stand-in answers. */
  readonly botTokenIsDefault: boolean;
  readonly appToken?: string;
  readonly port: number;
  /** The address `npm start` listens on: this machine only unless told otherwise. */
  readonly host: string;
  /** Base URL of the Slack Web API (`https://slack.com/api/` in production; a local stand-in otherwise). */
  readonly slackApiUrl?: string;
  /** The worker Lambda's name, when jobs are sent by async invoke. */
  readonly workerFunctionName?: string;
  /** The DynamoDB table of the Store, in production. */
  readonly tableName?: string;
  /** The Step Functions state machine that watches deploys (`OPSBOT_WATCHER`); without it, a clock in the process. */
  readonly watcherStateMachineArn?: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `aws`: the real account through SDK clients; `sandbox`: the simulated account. */
  readonly backend: 'aws' | 'sandbox';
  /** Where local runs keep their state (the embedded Store). */
  readonly dataDir: string;
  /** In Lambda: Secrets Manager ARNs the signing secret and bot token are read from (the slack function at init). */
  readonly signingSecretArn?: string;
  readonly botTokenArn?: string;
  /** Amazon Lex V2 bot for mentions and DMs; unset: the local matcher. */
  readonly lex?: {
    readonly botId: string;
    readonly botAliasId: string;
    /** Where a message in no configured locale goes: the first of `OPSBOT_LEX_LOCALES`. */
    readonly localeId: string;
    /** The bot's locales (`OPSBOT_LEX_LOCALES`, comma-separated): each message goes to the one it is written in. */
    readonly localeIds: readonly string[];
  };
  /** The AWS region the functions run in (console links). */
  readonly awsRegion?: string;
  /** Seed of the sandbox account: another seed, another (equally reproducible) account. */
  readonly sandboxSeed: number;
}

/**
 * Reads settings from an environment (default `process.env`).
 * @throws {ConfigError} naming each variable and what was expected.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const problems: string[] = [];
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const port = get('PORT') ?? '3000';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535)
    problems.push(`PORT: expected a port number from 0 to 65535, got "${port}"`);
  const appToken = get('SLACK_APP_TOKEN');
  if (appToken !== undefined && !appToken.startsWith('xapp-')) {
    problems.push('SLACK_APP_TOKEN: expected an app-level token starting with "xapp-" (Slack app › Basic Information)');
  }
  const apiUrl = get('SLACK_API_URL');
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl))
    problems.push('SLACK_API_URL: expected an http(s) URL');
  const level = (get('LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}`);
  const backend = get('OPSBOT_BACKEND') ?? (get('AWS_LAMBDA_FUNCTION_NAME') !== undefined ? 'aws' : 'sandbox');
  if (backend !== 'aws' && backend !== 'sandbox') problems.push('OPSBOT_BACKEND: expected "aws" or "sandbox"');
  const seed = get('OPSBOT_SANDBOX_SEED') ?? '7';
  if (!/^\d{1,9}$/.test(seed)) problems.push('OPSBOT_SANDBOX_SEED: expected a whole number');
  const lexBot = get('OPSBOT_LEX_BOT_ID');
  const lexAlias = get('OPSBOT_LEX_BOT_ALIAS_ID');
  if ((lexBot === undefined) !== (lexAlias === undefined)) {
    problems.push('OPSBOT_LEX_BOT_ID and OPSBOT_LEX_BOT_ALIAS_ID: expected both (Lex) or neither (the local matcher)');
  }
  const lambdaFunction = get('OPSBOT_FUNCTION');
  if (lambdaFunction !== undefined && lambdaFunction !== 'slack' && lambdaFunction !== 'worker')
    problems.push('OPSBOT_FUNCTION: expected "slack" or "worker"');
  // The development signing secret is public: in Lambda it would let anyone sign requests as Slack. The worker
  // checks no signature, and is given no signing secret.
  if (
    get('AWS_LAMBDA_FUNCTION_NAME') !== undefined &&
    lambdaFunction !== 'worker' &&
    get('SLACK_SIGNING_SECRET_ARN') === undefined &&
    (get('SLACK_SIGNING_SECRET') ?? DEVELOPMENT_SIGNING_SECRET) === DEVELOPMENT_SIGNING_SECRET
  ) {
    problems.push(
      'SLACK_SIGNING_SECRET: the development default is refused in Lambda; set SLACK_SIGNING_SECRET_ARN to the secret holding the Slack app signing secret (the CDK stack does)',
    );
  }
  if (problems.length > 0) throw new ConfigError('environment', problems);

  const config = get('OPSBOT_CONFIG');
  const signingSecret = get('SLACK_SIGNING_SECRET');
  const botToken = get('SLACK_BOT_TOKEN');
  const worker = get('OPSBOT_WORKER_FUNCTION');
  const table = get('OPSBOT_TABLE');
  return {
    configPath: resolve(cwd, config ?? 'opsbot.config.yaml'),
    configExplicit: config !== undefined,
    signingSecret: signingSecret ?? DEVELOPMENT_SIGNING_SECRET,
    signingSecretIsDefault: signingSecret === undefined,
    botToken: botToken ?? 'xoxb-opsbot-local',
    botTokenIsDefault: botToken === undefined,
    ...(appToken !== undefined && { appToken }),
    port: Number(port),
    host: get('OPSBOT_HOST') ?? '127.0.0.1',
    ...(apiUrl !== undefined && { slackApiUrl: apiUrl }),
    ...(worker !== undefined && { workerFunctionName: worker }),
    ...(table !== undefined && { tableName: table }),
    ...(get('OPSBOT_WATCHER') !== undefined && { watcherStateMachineArn: get('OPSBOT_WATCHER') }),
    logLevel: level as Settings['logLevel'],
    backend: backend as Settings['backend'],
    dataDir: resolve(cwd, get('OPSBOT_DATA_DIR') ?? '.opsbot'),
    ...(get('SLACK_SIGNING_SECRET_ARN') !== undefined && { signingSecretArn: get('SLACK_SIGNING_SECRET_ARN') }),
    ...(get('SLACK_BOT_TOKEN_SECRET_ARN') !== undefined && { botTokenArn: get('SLACK_BOT_TOKEN_SECRET_ARN') }),
    sandboxSeed: Number(seed),
    ...(get('AWS_REGION') !== undefined && { awsRegion: get('AWS_REGION') }),
    ...(lexBot !== undefined &&
      lexAlias !== undefined && {
        lex: {
          botId: lexBot,
          botAliasId: lexAlias,
          ...lexLocales(get('OPSBOT_LEX_LOCALES') ?? get('OPSBOT_LEX_LOCALE')),
        },
      }),
  };
}

/** The Lex bot's locales from `OPSBOT_LEX_LOCALES` ("en_US,ko_KR,es_ES,de_DE"); English alone when unset. */
function lexLocales(value: string | undefined): { localeId: string; localeIds: string[] } {
  const localeIds = (value ?? 'en_US')
    .split(',')
    .map((l) => l.trim())
    .filter((l) => /^[a-z]{2}_[A-Z]{2}$/.test(l));
  const ids = localeIds.length > 0 ? localeIds : ['en_US'];
  return { localeId: ids.includes('en_US') ? 'en_US' : (ids[0] as string), localeIds: ids };
}
