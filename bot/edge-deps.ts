import type { LambdaClient } from '@aws-sdk/client-lambda';
import { WebClient } from '@slack/web-api';
import type { Audit } from '../integrations/audit.port';
import { recordCalls } from '../integrations/aws/call-ledger';
import { LambdaJobQueue } from '../integrations/aws/lambda-jobs.adapter';
import { Claims } from '../integrations/claims';
import type { JobQueue } from '../integrations/jobs.port';
import type { People } from '../integrations/people.port';
import { SlackWebApiPeople } from '../integrations/slack/web-api-people.adapter';
import type { Store } from '../integrations/store.port';
import { StoreAudit } from '../integrations/store-audit';
import { declarations } from '../intents/declarations';
import type { IntentDeclaration, Rules } from '../intents/define-intent';
import { LocalMatcher } from '../intents/matcher/local-matcher';
import { EDGE_LANGUAGES, grammarTables } from '../intents/matcher/tables';
import { IntentRegistry } from '../intents/registry';
import { IssuedButtons } from './cards';
import type { OpsbotConfig } from './config';
import { ConversationPlanner } from './conversation';
import type { Job } from './jobs';
import { lazyPort } from './lazy-port';
import { createLogger, type Log } from './logger';
import { rulesFrom } from './rules';
import { ConfigError, type Settings } from './settings';
import { SLASH_COMMAND } from './slack-app';
import { vocabularyOf } from './vocabulary';

/** Development ids for the bot when configuration names none (local runs). */
const LOCAL_BOT = { botUserId: 'U0OPSBOT01', botId: 'B0OPSBOT01' } as const;

/** What the Slack edge needs: everything on the ack path, nothing that calls AWS services or Lex. */
export interface EdgeDeps {
  readonly config: OpsbotConfig;
  /** The intents, declared: the edge plans no change and runs no handler, so it never loads them. */
  readonly registry: IntentRegistry<IntentDeclaration>;
  readonly matcher: LocalMatcher;
  readonly planner: ConversationPlanner;
  readonly store: Store;
  /** Idempotency: deliveries, messages, decisions and retries are claimed once. */
  readonly claims: Claims;
  /** The buttons opsbot issued: a click is read from what was stored, never from its value. */
  readonly buttons: IssuedButtons;
  readonly jobs: JobQueue<Job>;
  readonly log: Log;
  readonly botUserId: string;
  readonly botId: string;
  /** The slash command's name, `/deploy` unless the Slack app names it otherwise. */
  readonly command: string;
  /** Who may do what, from configuration, checked again at the click. */
  readonly rules: Rules;
  /** Who people are: guests, workspaces, user groups. */
  readonly people: People;
  /** Where refusals are written down. */
  readonly audit: Audit;
}

/** What the edge is built from: the parts that differ between the Slack function and a process that runs both. */
export interface EdgeParts {
  readonly log: Log;
  readonly store: Store;
  readonly jobs: JobQueue<Job>;
  readonly people: People;
  /** The time the audit records, the sandbox's on the sandbox. */
  readonly now: () => number;
}

/**
 * The edge from its parts and the configuration: the declarations, the matcher and the planner that answer in the
 * acknowledgement, the rules and people the buttons check, the Store's claims, cards and audit. Nothing here reads
 * an account or loads an intent's behaviour.
 */
export function composeEdge(config: OpsbotConfig, parts: EdgeParts): EdgeDeps {
  // opsbot's own declarations: checked when a Lambda bundle is built, by the worker's registry and by the tests,
  // not again at every cold start of the edge.
  const registry = new IntentRegistry<IntentDeclaration>(declarations, { alreadyChecked: true });
  const vocabulary = vocabularyOf(config);
  const audit = new StoreAudit(parts.store, parts.log, parts.now, (config.audit?.retentionDays ?? 365) * 24 * 60 * 60);
  const bot = config.slack ?? LOCAL_BOT;
  return {
    config,
    registry,
    matcher: new LocalMatcher(registry.all, vocabulary, grammarTables(registry.all, EDGE_LANGUAGES)),
    planner: ConversationPlanner.fromDeclarations(registry, { vocabulary, audit }),
    store: parts.store,
    claims: new Claims(parts.store),
    buttons: new IssuedButtons(parts.store),
    jobs: parts.jobs,
    log: parts.log,
    botUserId: bot.botUserId,
    botId: bot.botId,
    command: SLASH_COMMAND.command,
    rules: rulesFrom(config),
    people: parts.people,
    audit,
  };
}

/**
 * The Slack function's edge, as deployed: the Store in DynamoDB (its client loaded on first use), every job handed
 * to the worker function by an async invoke. It imports no intent behaviour, no adapter of an account and no
 * worker: a dependency-cruiser rule and the bundle test keep the Slack bundle free of them.
 */
export function createEdgeDeps(settings: Settings, config: OpsbotConfig): EdgeDeps {
  const missing = [
    ...(settings.workerFunctionName === undefined
      ? ['OPSBOT_WORKER_FUNCTION: the worker function the Slack function hands its jobs to (the CDK stack sets it)']
      : []),
    ...(settings.tableName === undefined
      ? ['OPSBOT_TABLE: the DynamoDB table of the Store (the CDK stack sets it)']
      : []),
  ];
  if (missing.length > 0) throw new ConfigError('environment', missing);
  const log = settingsLog(settings);
  return composeEdge(config, {
    log,
    store: dynamoStore(settings.tableName as string),
    jobs: workerJobs(settings.workerFunctionName as string),
    people: slackPeople(settings),
    now: Date.now,
  });
}

/** opsbot's log at the configured level, which never writes the Slack secrets. */
export function settingsLog(settings: Settings): Log {
  return createLogger(settings.logLevel, 'opsbot', () => [
    settings.signingSecret,
    settings.botToken,
    settings.appToken ?? '',
  ]);
}

/** Who people are, asked of the Slack Web API; its client built when first asked (most acknowledgements never do). */
export function slackPeople(settings: Settings): People {
  return lazyPort(
    async () =>
      new SlackWebApiPeople(
        new WebClient(settings.botToken, {
          ...(settings.slackApiUrl !== undefined && { slackApiUrl: settings.slackApiUrl }),
          // Asked on the acknowledgement path too (one call at a time per question, asked together): a slow or
          // rate-limiting Slack is answered "try again" within about a second rather than waited for.
          timeout: 1_000,
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
        }),
      ),
  );
}

/** The DynamoDB Store, with its SDK loaded on first use rather than at cold start. */
export function dynamoStore(tableName: string): Store {
  return lazyPort(async () => {
    const [{ DynamoDBClient }, { DynamoDbStore }] = await Promise.all([
      import('../integrations/aws/dynamodb-client'),
      import('../integrations/aws/dynamodb-store.adapter'),
    ]);
    return new DynamoDbStore(recordCalls(new DynamoDBClient({})), tableName);
  });
}

/** Jobs handed to the worker function by an async invoke, its client loaded on first use. */
export function workerJobs(functionName: string): JobQueue<Job> {
  let client: Promise<LambdaClient> | undefined;
  const lambda = () => {
    client ??= import('../integrations/aws/lambda-client').then(({ handoverClient }) => handoverClient());
    return client;
  };
  return new LambdaJobQueue<Job>(lambda, functionName);
}
