import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import type { Alarms } from '../integrations/alarms.port';
import { asCaller, recordCalls } from '../integrations/aws/call-ledger';
import { AwsClients, assumeRoleCredentials } from '../integrations/aws/clients';
import type { AlarmSet } from '../integrations/aws/cloudwatch-alarms.adapter';
import type { DeployTarget } from '../integrations/aws/ecs-deployments.adapter';
import type { CalendarPlace } from '../integrations/aws/ssm-change-calendar.adapter';
import type { ChangeCalendars } from '../integrations/calendars.port';
import type { Chat } from '../integrations/chat.port';
import { type Clock, systemClock } from '../integrations/clock.port';
import { ClockWatcher } from '../integrations/clock-watcher';
import type { Deployments } from '../integrations/deployments.port';
import type { Images } from '../integrations/images.port';
import type { JobQueue } from '../integrations/jobs.port';
import type { Maintenance } from '../integrations/maintenance.port';
import type { Nlu } from '../integrations/nlu.port';
import type { People } from '../integrations/people.port';
import type { Pipelines } from '../integrations/pipelines.port';
import { SandboxAccount } from '../integrations/sandbox/account';
import { SandboxClock } from '../integrations/sandbox/clock';
import { FileStore } from '../integrations/sandbox/file-store';
import { InProcessJobQueue } from '../integrations/sandbox/in-process-jobs';
import { MemoryStore } from '../integrations/sandbox/memory-store';
import { keepSandbox } from '../integrations/sandbox/saved-sandbox';
import { type DeliveryPolicy, SlackWebApiChat } from '../integrations/slack/web-api-chat.adapter';
import type { Store } from '../integrations/store.port';
import type { DeployWatcher } from '../integrations/watcher.port';
import { intents, pollRun, reactions } from '../intents';
import type { IntentPorts } from '../intents/define-intent';
import { ReactionRegistry } from '../intents/define-reaction';
import { understandingFor } from '../intents/matcher/worker-understanding';
import { IntentRegistry } from '../intents/registry';
import { alarmPlace, maintenancePlaces, resolveAccount } from './accounts';
import type { OpsbotConfig } from './config';
import { ConversationPlanner } from './conversation';
import { composeEdge, dynamoStore, type EdgeDeps, settingsLog, slackPeople, workerJobs } from './edge-deps';
import type { Job } from './jobs';
import { lazyPort } from './lazy-port';
import { describeError, type Log } from './logger';
import { sandboxWorld } from './sandbox-world';
import type { Settings } from './settings';
import { vocabularyOf } from './vocabulary';
import { slackAnnouncer } from './worker/answer';
import { runJob } from './worker/dispatcher';
import { Interpreter } from './worker/interpreter';
import type { RouterDeps } from './worker/router';

/** Where the sandbox's clock starts: a fixed Monday morning, so a seed always gives the same account. */
export const SANDBOX_EPOCH = Date.UTC(2026, 10, 23, 9, 0, 0);

export interface Deps {
  readonly edge: EdgeDeps;
  readonly worker: RouterDeps;
  /** The simulated account, when that is the backend (the local page drives it). */
  readonly sandbox?: SandboxAccount;
  /** Without Step Functions, the watcher that polls deploys on the clock (the local server and tests tick it). */
  readonly watcher?: ClockWatcher;
}

/** Parts a caller (a test, the local server) supplies instead of the defaults. */
export interface DepsOverrides {
  readonly store?: Store;
  readonly chat?: Chat;
  readonly log?: Log;
  readonly jobs?: JobQueue<Job>;
  readonly fetch?: typeof fetch;
  /** The sandbox's clock; `npm start` runs it in real time, tests move it by hand. */
  readonly sandboxClock?: SandboxClock;
  readonly sandboxSeed?: number;
  /** How Slack calls are retried through an outage (tests wait without sleeping). */
  readonly delivery?: Partial<DeliveryPolicy>;
  /** Who people are, instead of asking the Slack Web API. */
  readonly people?: People;
  /** The NLU service instead of the configured one (tests hand in Lex over a mocked client). */
  readonly nlu?: Nlu;
  /** Where AWS Health's active endpoint is, instead of looking it up in DNS (tests make no such look-up). */
  readonly healthRegion?: () => Promise<string>;
}

interface Account {
  readonly calendars: ChangeCalendars;
  readonly pipelines: Pipelines;
  readonly deployments: Deployments;
  readonly images: Images;
  readonly alarms: Alarms;
  readonly maintenance: Maintenance;
  readonly clock: Clock;
  readonly sandbox?: SandboxAccount;
}

/**
 * The composition root and the only place that constructs SDK clients. What is configured decides what runs,
 * here and nowhere else: the AWS account or the sandbox; DynamoDB, a file, or memory for the Store; an async
 * Lambda invoke or an in-process queue for jobs.
 */
export function createDeps(settings: Settings, config: OpsbotConfig, overrides: DepsOverrides = {}): Deps {
  const log = overrides.log ?? settingsLog(settings);
  const account =
    settings.backend === 'aws'
      ? awsAccount(settings, config, overrides)
      : sandboxAccount(config, overrides.sandboxSeed ?? settings.sandboxSeed, overrides);
  // On the sandbox the Store keeps the sandbox's time: a lock or an approval expires as the page moves the clock.
  const store = overrides.store ?? createStore(settings, () => account.clock.now());
  if (account.sandbox !== undefined && overrides.store === undefined && store instanceof FileStore) {
    // Kept beside the local store, once this process holds it (a second opsbot on the directory was refused above):
    // a restart continues what the account held.
    keepSandbox(account.sandbox, join(settings.dataDir, 'sandbox.json'), account.sandbox.made, log);
  }
  // The worker is built below; a job handed over in this process runs once it is.
  let worker: RouterDeps | undefined;
  const jobs =
    overrides.jobs ??
    jobQueue(
      settings,
      () => {
        if (worker === undefined) throw new Error('A job was handed over before the worker was built');
        return worker;
      },
      log,
    );
  const edge = composeEdge(config, {
    log,
    store,
    jobs,
    people: overrides.people ?? slackPeople(settings),
    now: () => account.clock.now(),
  });
  const registry = new IntentRegistry(intents);
  const chat =
    overrides.chat ??
    new SlackWebApiChat(
      new WebClient(settings.botToken, {
        ...(settings.slackApiUrl !== undefined && { slackApiUrl: settings.slackApiUrl }),
        // The adapter retries, knowing which calls are safe to repeat: the client makes one attempt.
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: 5_000,
      }),
      overrides.fetch,
      // Within the worker's 60 s, leaving time for the work itself.
      {
        budgetMs: 30_000,
        onRetry: (retry) => log.warn('slack.retrying', { reason: retry.reason, waitMs: retry.waitMs }),
        onUncheckable: (problem) =>
          log.warn('slack.post_unverified', {
            reason: problem.reason,
            hint: 'give the Slack app channels:history, groups:history, im:history and mpim:history, and invite it to the channel',
          }),
        ...overrides.delivery,
      },
    );
  const announcer = slackAnnouncer(chat, edge.buttons, config.slack?.channels ?? {}, log, store);
  const clockWatcher =
    settings.watcherStateMachineArn === undefined
      ? new ClockWatcher(account.clock, (runId, error) =>
          log.warn('deploy.poll_failed', { runId, error: describeError(error) }),
        )
      : undefined;
  const watcher = clockWatcher ?? stepFunctionsWatcher(settings.watcherStateMachineArn as string);
  const ports: IntentPorts = {
    vocabulary: vocabularyOf(config),
    intents: registry.all,
    pipelines: account.pipelines,
    deployments: account.deployments,
    images: account.images,
    alarms: account.alarms,
    maintenance: account.maintenance,
    calendars: account.calendars,
    clock: account.clock,
    rules: edge.rules,
    people: edge.people,
    audit: edge.audit,
    store,
    announcer,
    watcher,
    log,
  };
  clockWatcher?.attach((runId) => asCaller('watcher', () => pollRun(runId, ports)));
  // The worker reads messages in every language opsbot speaks, for their meaning as well as their words.
  const understanding = understandingFor(registry.all, ports.vocabulary);
  worker = {
    registry,
    matcher: understanding.matcher,
    interpreter: new Interpreter(
      understanding.matcher,
      registry,
      log,
      overrides.nlu ?? lexNlu(settings),
      edge.botUserId,
      understanding.meaning,
    ),
    planner: ConversationPlanner.withBehaviour(registry, ports),
    store,
    chat,
    buttons: edge.buttons,
    ports,
    log,
    botUserId: edge.botUserId,
    reactions: new ReactionRegistry(reactions),
    reactionPorts: { ...ports, claims: edge.claims },
  };
  return {
    edge,
    worker,
    ...(account.sandbox !== undefined && { sandbox: account.sandbox }),
    ...(clockWatcher !== undefined && { watcher: clockWatcher }),
  };
}

/** The Step Functions watcher, its client built on first use. */
function stepFunctionsWatcher(stateMachineArn: string): DeployWatcher {
  return lazyPort(async () => {
    const { SFNClient } = await import('@aws-sdk/client-sfn');
    const { StepFunctionsWatcher } = await import('../integrations/aws/step-functions-watcher.adapter');
    return new StepFunctionsWatcher(recordCalls(new SFNClient({ maxAttempts: 3 })), stateMachineArn);
  });
}

/** Lex when it is configured (its client built on first use); otherwise none, and the matcher understands alone. */
function lexNlu(settings: Settings): Nlu | undefined {
  const bot = settings.lex;
  if (bot === undefined) return undefined;
  return lazyPort(async () => {
    const { LexRuntimeV2Client } = await import('@aws-sdk/client-lex-runtime-v2');
    const { LexNlu } = await import('../integrations/aws/lex.adapter');
    // Few attempts: a throttled Lex is answered by the local matcher rather than waited for.
    return new LexNlu(recordCalls(new LexRuntimeV2Client({ maxAttempts: 2 })), bot);
  });
}

function createStore(settings: Settings, now: () => number): Store {
  if (settings.tableName !== undefined) return dynamoStore(settings.tableName);
  if (settings.backend === 'sandbox') return new FileStore(join(settings.dataDir, 'store.jsonl'), now);
  return new MemoryStore(now);
}

/**
 * The real account, through SDK v3 clients for the function's own region and credentials, built on first use.
 * Adapters are imported inside the factories: their SDK imports would otherwise load at cold start.
 */
function awsAccount(settings: Settings, config: OpsbotConfig, overrides: DepsOverrides): Account {
  // One SDK attempt with adaptive rate limiting: the adapter owns retries, so a call is never retried twice over.
  const clients = () => clientFactory(settings.awsRegion);
  const deployments: Deployments = lazyPort(async () => {
    const { CodeDeployClient } = await import('@aws-sdk/client-codedeploy');
    const { ECSClient } = await import('@aws-sdk/client-ecs');
    const { AwsDeployments } = await import('../integrations/aws/ecs-deployments.adapter');
    // Each service and environment through its own account's and region's clients, from the one factory.
    return new AwsDeployments(deployTargets(config), (target) => ({
      ecs: clients().get(ECSClient, target.account, target.region),
      codedeploy: clients().get(CodeDeployClient, target.account, target.region),
    }));
  });
  return {
    pipelines: lazyPort(async () => {
      const { CodePipelineClient } = await import('@aws-sdk/client-codepipeline');
      const { CodePipelinePipelines } = await import('../integrations/aws/codepipeline.adapter');
      const { AccountPipelines } = await import('../integrations/aws/account-pipelines');
      const placed = Object.entries(config.pipelines).map(([name, p]) => ({
        name,
        account: resolveAccount(config, p.account),
        region: p.region,
      }));
      // Each pipeline through its own account's and region's client, from the one factory.
      return new AccountPipelines(
        placed,
        (account, region, names) =>
          new CodePipelinePipelines(clients().get(CodePipelineClient, account, region), { pipelines: names, region }),
      );
    }),
    deployments,
    images: lazyPort(async () => {
      const { ECRClient } = await import('@aws-sdk/client-ecr');
      const { EcrImages } = await import('../integrations/aws/ecr-images.adapter');
      return new EcrImages(
        deployTargets(config),
        (target, region) => clients().get(ECRClient, target.account, region),
        async (service, environment) => (await deployments.current(service, environment)).image,
      );
    }),
    alarms: lazyPort(async () => {
      const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
      const { CloudWatchAlarms } = await import('../integrations/aws/cloudwatch-alarms.adapter');
      // Each service's alarms through the client of the account and region they live in, from the one factory.
      return new CloudWatchAlarms(alarmSets(config), (account, region) =>
        clients().get(CloudWatchClient, account, region),
      );
    }),
    maintenance: lazyPort(async () => {
      const { HealthClient } = await import('@aws-sdk/client-health');
      const { EC2Client } = await import('@aws-sdk/client-ec2');
      const { RDSClient } = await import('@aws-sdk/client-rds');
      const { ElastiCacheClient } = await import('@aws-sdk/client-elasticache');
      const { OpenSearchClient } = await import('@aws-sdk/client-opensearch');
      const { AwsMaintenance } = await import('../integrations/aws/health-maintenance.adapter');
      const { activeHealthRegion } = await import('../integrations/aws/health-endpoint');
      // Each account and region through its own client, from the one factory; AWS Health through its active endpoint.
      return new AwsMaintenance(maintenancePlaces(config), {
        health: (account, region) => clients().get(HealthClient, account, region),
        healthRegion: overrides.healthRegion ?? activeHealthRegion(),
        ec2: (account, region) => clients().get(EC2Client, account, region),
        rds: (account, region) => clients().get(RDSClient, account, region),
        elasticache: (account, region) => clients().get(ElastiCacheClient, account, region),
        opensearch: (account, region) => clients().get(OpenSearchClient, account, region),
      });
    }),
    calendars: lazyPort(async () => {
      const { SSMClient } = await import('@aws-sdk/client-ssm');
      const { SsmChangeCalendars } = await import('../integrations/aws/ssm-change-calendar.adapter');
      return new SsmChangeCalendars(calendarPlaces(config), (place) =>
        clients().get(SSMClient, place.account, place.region),
      );
    }),
    clock: systemClock,
  };
}

/** The change calendars environments follow, where they live (opsbot's own account unless one is named). */
function calendarPlaces(config: OpsbotConfig): CalendarPlace[] {
  const home = Object.entries(config.accounts).find(([, a]) => a.roleArn === undefined);
  return Object.entries(config.environments).flatMap(([environment, e]) =>
    e.changeCalendar === undefined
      ? []
      : [
          {
            environment,
            calendar: e.changeCalendar.name,
            account:
              e.changeCalendar.account !== undefined
                ? resolveAccount(config, e.changeCalendar.account)
                : home !== undefined
                  ? { name: home[0], ...home[1] }
                  : { name: 'opsbot', id: '' },
            region: e.changeCalendar.region,
          },
        ],
  );
}

/**
 * One client factory per region for the life of the container: the worker's parts are built again when the Slack
 * secrets are refreshed, but its AWS clients and assumed-role credentials are kept.
 */
const factories = new Map<string, AwsClients>();
/** The configured services and environments, as the deployments adapter reaches them. */
/** Each service's rollback alarms, grouped by the account and region they live in. */
function alarmSets(config: OpsbotConfig): AlarmSet[] {
  return Object.entries(config.services).flatMap(([service, s]) =>
    Object.entries(s.environments).flatMap(([environment, t]) => {
      const home = resolveAccount(config, t.account);
      const sets = new Map<string, AlarmSet & { names: string[] }>();
      for (const entry of t.rollbackAlarms) {
        const place = alarmPlace(entry, home.id, t.region);
        const key = `${place.account}:${place.region}`;
        const set = sets.get(key) ?? {
          service,
          environment,
          account: place.account === home.id ? home : resolveAccount(config, place.account),
          region: place.region,
          names: [],
        };
        set.names.push(place.name);
        sets.set(key, set);
      }
      return [...sets.values()];
    }),
  );
}

function deployTargets(config: OpsbotConfig): DeployTarget[] {
  return Object.entries(config.services).flatMap(([service, s]) =>
    Object.entries(s.environments).map(([environment, t]): DeployTarget => {
      const account = resolveAccount(config, t.account);
      const repository = t.repository;
      return {
        service,
        environment,
        account,
        region: t.region,
        cluster: t.cluster ?? '',
        ecsService: t.service ?? service,
        container: t.container ?? service,
        ...(t.containerPort !== undefined && { containerPort: t.containerPort }),
        // A repository by name is in the target's own account and region.
        ...(repository !== undefined && {
          repositoryUri:
            repository.includes('/') && repository.includes('.')
              ? repository
              : `${account.id}.dkr.ecr.${t.region}.amazonaws.com/${repository}`,
        }),
        ...(t.codedeploy !== undefined && { codedeploy: t.codedeploy }),
        ...(t.hooks !== undefined && { hooks: t.hooks }),
      };
    }),
  );
}

function clientFactory(region: string | undefined): AwsClients {
  const key = region ?? '';
  let factory = factories.get(key);
  if (factory === undefined) {
    factory = new AwsClients({
      defaults: { retryMode: 'adaptive', maxAttempts: 1 },
      roleCredentials: assumeRoleCredentials({ ...(region !== undefined && { region }) }),
    });
    factories.set(key, factory);
  }
  return factory;
}

function sandboxAccount(config: OpsbotConfig, seed: number, overrides: DepsOverrides): Account {
  const clock = overrides.sandboxClock ?? new SandboxClock(SANDBOX_EPOCH);
  const calendars = new Map(
    Object.entries(config.environments).flatMap(([name, e]) =>
      e.changeCalendar !== undefined ? [[name, e.changeCalendar.name] as const] : [],
    ),
  );
  const sandbox = new SandboxAccount(sandboxWorld(config), clock, seed, calendars);
  return {
    pipelines: sandbox.pipelines,
    deployments: sandbox.deployments,
    images: sandbox.images,
    alarms: sandbox.alarms,
    maintenance: sandbox.maintenance,
    calendars: sandbox.calendars,
    clock,
    sandbox,
  };
}

function jobQueue(settings: Settings, worker: () => RouterDeps, log: Log): JobQueue<Job> {
  if (settings.workerFunctionName !== undefined) return workerJobs(settings.workerFunctionName);
  return new InProcessJobQueue<Job>(
    (job) => asCaller('worker', () => runJob(job, worker())),
    (error) => log.error('job.crashed', { error: (error as Error).message }),
  );
}
