import type { LambdaClient } from '@aws-sdk/client-lambda';
import { WebClient } from '@slack/web-api';
import { LambdaJobQueue } from '../integrations/aws/lambda-jobs.adapter';
import type { Chat } from '../integrations/chat.port';
import type { JobQueue } from '../integrations/jobs.port';
import { InProcessJobQueue } from '../integrations/sandbox/in-process-jobs';
import { MemoryStore } from '../integrations/sandbox/memory-store';
import { SlackWebApiChat } from '../integrations/slack/web-api-chat.adapter';
import type { Store } from '../integrations/store.port';
import { intents } from '../intents';
import type { IntentPorts } from '../intents/define-intent';
import { LocalMatcher } from '../intents/matcher/local-matcher';
import { IntentRegistry } from '../intents/registry';
import type { OpsbotConfig } from './config';
import { ConversationPlanner } from './conversation';
import type { EdgeDeps } from './edge-deps';
import type { Job } from './jobs';
import { createLogger, type Log } from './logger';
import type { Settings } from './settings';
import { vocabularyOf } from './vocabulary';
import { runJob, type WorkerDeps } from './worker/dispatcher';

/** Development ids for the bot when configuration names none (local runs). */
const LOCAL_BOT = { botUserId: 'U0OPSBOT01', botId: 'B0OPSBOT01' } as const;

export interface Deps {
  readonly edge: EdgeDeps;
  readonly worker: WorkerDeps;
}

/** Parts a caller (a test, the local server) supplies instead of the defaults. */
export interface DepsOverrides {
  readonly store?: Store;
  readonly chat?: Chat;
  readonly log?: Log;
  readonly jobs?: JobQueue<Job>;
  readonly fetch?: typeof fetch;
}

/**
 * The composition root and the only place that constructs SDK clients. What is configured decides what runs:
 * with no AWS configured, the embedded defaults (in-memory store, in-process worker) — one place, one choice.
 */
export function createDeps(settings: Settings, config: OpsbotConfig, overrides: DepsOverrides = {}): Deps {
  const log = overrides.log ?? createLogger(settings.logLevel);
  const registry = new IntentRegistry(intents);
  const vocabulary = vocabularyOf(config);
  const matcher = new LocalMatcher(registry.all, vocabulary);
  const planner = new ConversationPlanner(registry, vocabulary, config);
  const store = overrides.store ?? new MemoryStore();
  const bot = config.slack ?? LOCAL_BOT;
  const chat =
    overrides.chat ??
    new SlackWebApiChat(
      new WebClient(settings.botToken, {
        ...(settings.slackApiUrl !== undefined && { slackApiUrl: settings.slackApiUrl }),
        retryConfig: { retries: 2 },
      }),
      overrides.fetch,
    );
  const ports: IntentPorts = { vocabulary, intents: registry.all };
  const worker: WorkerDeps = { registry, matcher, planner, store, chat, ports, log, botUserId: bot.botUserId };
  const jobs = overrides.jobs ?? jobQueue(settings, worker, log);
  const edge: EdgeDeps = {
    config,
    registry,
    matcher,
    planner,
    store,
    jobs,
    log,
    botUserId: bot.botUserId,
    botId: bot.botId,
    command: '/deploy',
  };
  return { edge, worker };
}

function jobQueue(settings: Settings, worker: WorkerDeps, log: Log): JobQueue<Job> {
  if (settings.workerFunctionName !== undefined) {
    let client: Promise<LambdaClient> | undefined;
    const lambda = () => {
      client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient }) => new LambdaClient({}));
      return client;
    };
    return new LambdaJobQueue<Job>(lambda, settings.workerFunctionName);
  }
  return new InProcessJobQueue<Job>(
    (job) => runJob(job, worker),
    (error) => log.error('job.crashed', { error: (error as Error).message }),
  );
}
