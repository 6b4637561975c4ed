import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import type { Deps, DepsOverrides } from '../../bot/deps';
import { SANDBOX_EPOCH } from '../../bot/deps';
import type { HttpLambdaEvent, HttpLambdaResult } from '../../bot/edge/lambda-edge';
import type { Job } from '../../bot/jobs';
import { createMemoryLog } from '../../bot/logger';
import type { Settings } from '../../bot/settings';
import { handleWorkerInput } from '../../bot/worker/router';
import type { SandboxAccount } from '../../integrations/sandbox/account';
import { SandboxClock } from '../../integrations/sandbox/clock';
import type { InProcessJobQueue } from '../../integrations/sandbox/in-process-jobs';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import type { SlackStandIn, StandInMessage } from '../../integrations/slack/stand-in';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import { unfinishedRuns } from '../../intents/deploys/run/record';
import {
  buttonClickBody,
  eventBody,
  signedEvent,
  slashCommandBody,
  startStandIn,
  TEST_BOT_TOKEN,
  TEST_SIGNING_SECRET,
} from './slack';
import { createSlackHandler } from './slack-handler';

/**
 * The Slack edge as production runs it: the real Lambda handler, signed requests, and the Slack Web API served
 * by the stand-in on loopback; jobs run in-process and `sendAndSettle` waits for them.
 */
export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';
export const ALICE = 'U0ALICE001';
export const BOB = 'U0BOB00001';
export const CHANNEL = 'C0DEPLOYS01';

export interface Harness {
  send(event: HttpLambdaEvent): Promise<HttpLambdaResult>;
  /** Sends, then waits until every job the request started has finished. */
  sendAndSettle(event: HttpLambdaEvent): Promise<HttpLambdaResult>;
  /** Waits until every job started so far has finished. */
  settle(): Promise<void>;
  standIn: SlackStandIn;
  log: ReturnType<typeof createMemoryLog>;
  sandbox: SandboxAccount;
  /** What the handler was built with, for tests that break a part on purpose. */
  deps: Deps;
  bot(): StandInMessage[];
  /** Moves the sandbox clock on, 10 s at a time, running the deploy watcher's polls as they fall due. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** The settings tests run opsbot with: the sandbox, the example configuration, the test secrets, errors logged only. */
export function testSettings(extra: Partial<Settings> = {}): Settings {
  return {
    configPath: EXAMPLE_CONFIG_PATH,
    configExplicit: true,
    signingSecret: TEST_SIGNING_SECRET,
    signingSecretIsDefault: false,
    botToken: TEST_BOT_TOKEN,
    botTokenIsDefault: false,
    backend: 'sandbox',
    dataDir: '/nonexistent',
    sandboxSeed: 7,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'ERROR',
    ...extra,
  };
}

export async function harness(
  overrides: DepsOverrides = {},
  configText?: string,
  /** A data directory: the Store and the sandbox are kept there, as `npm start` keeps them (a restart continues). */
  options: { readonly dataDir?: string } = {},
): Promise<Harness> {
  const stand = await startStandIn(TEST_BOT_TOKEN);
  const settings = testSettings({
    slackApiUrl: `${stand.url}/api/`,
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
  });
  const config = parseConfig(configText ?? readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  const log = createMemoryLog();
  // The Store keeps time by the sandbox's clock, as `npm start` does: locks and approvals expire as it moves.
  const sandboxClock = overrides.sandboxClock ?? new SandboxClock(SANDBOX_EPOCH);
  const { handler, deps } = createSlackHandler(settings, config, {
    ...(options.dataDir === undefined && { store: new MemoryStore(() => sandboxClock.now()) }),
    log,
    sandboxClock,
    ...overrides,
  });
  const jobs = deps.edge.jobs as InProcessJobQueue<Job>;
  // As npm start does on starting: the deploys a previous run left unfinished are watched again.
  if (options.dataDir !== undefined)
    for (const run of await unfinishedRuns(deps.worker.ports)) await deps.watcher?.watch(run.id);
  return {
    send: (event) => handler(event, {}),
    async sendAndSettle(event) {
      const result = await handler(event, {});
      await jobs.drain();
      return result;
    },
    settle: () => jobs.drain(),
    standIn: stand.standIn,
    log,
    sandbox: deps.sandbox as SandboxAccount,
    deps,
    bot: () => stand.standIn.messages.filter((m) => m.from === 'bot'),
    async advance(ms) {
      const sandbox = deps.sandbox as SandboxAccount;
      for (let left = ms; left > 0; left -= 10_000) {
        sandbox.clock.advance(Math.min(10_000, left));
        await deps.watcher?.tick();
        // A retried pipeline stage that ended on the sandbox clock: its events, as EventBridge delivers them.
        for (const event of sandbox.pipelines.dueEvents()) await handleWorkerInput(event as never, deps.worker);
        await jobs.drain();
      }
    },
    close: stand.close,
  };
}

export function command(h: Harness, text: string, user = ALICE) {
  const responseUrl = h.standIn.mintResponseUrl({ channel: CHANNEL, user });
  return signedEvent(slashCommandBody(text, { user, responseUrl }), FORM);
}

/**
 * Runs a slash command as Slack does: the acknowledgement shows at once (to the person), then the work the command
 * started runs, and its answer may replace that acknowledgement through the command's response_url.
 */
export async function slash(h: Harness, text: string, user = ALICE) {
  const responseUrl = h.standIn.mintResponseUrl({ channel: CHANNEL, user });
  const result = await h.send(signedEvent(slashCommandBody(text, { user, responseUrl }), FORM));
  const body = result.body.trim() === '' ? {} : (JSON.parse(result.body) as Record<string, unknown>);
  const ack =
    body.text !== undefined || body.blocks !== undefined
      ? h.standIn.addAcknowledgement(CHANNEL, user, body, responseUrl)
      : undefined;
  await h.settle();
  // A worker faster than the acknowledgement replaced it before it was shown: its answer is what the person sees.
  const shown = ack !== undefined && !h.standIn.messages.includes(ack) ? h.bot().at(-1) : ack;
  return { result, ack: shown };
}

export function mention(text: string, extra: Record<string, unknown> = {}) {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const event = {
    type: 'app_mention',
    user: ALICE,
    text: `<@U0OPSBOT01> ${text}`,
    ts,
    channel: CHANNEL,
    event_ts: ts,
    ...extra,
  };
  return { ts, event: signedEvent(eventBody(event), JSON_TYPE) };
}

export function threadReply(text: string, threadTs: string, user = ALICE) {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const event = {
    type: 'message',
    channel_type: 'channel',
    user,
    text,
    ts,
    thread_ts: threadTs,
    channel: CHANNEL,
    event_ts: ts,
  };
  return signedEvent(eventBody(event), JSON_TYPE);
}

/** A direct message to opsbot (no mention), as Slack delivers it: a `message` event in an `im` channel. */
export function directMessage(text: string, user = ALICE, channel = 'D0ALICEDM1') {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const event = { type: 'message', channel_type: 'im', user, text, ts, channel, event_ts: ts };
  return signedEvent(eventBody(event), JSON_TYPE);
}

/** Clicks a button of a message in the stand-in, as Slack would post the click. */
export function click(h: Harness, message: StandInMessage, actionPrefix: string, user = ALICE, label?: string) {
  const actions = (message.blocks ?? []).flatMap(
    (b) => ((b as { elements?: unknown[] }).elements ?? []) as Array<Record<string, unknown>>,
  );
  const button = actions.find(
    (a) =>
      a.type === 'button' &&
      String(a.action_id).startsWith(actionPrefix) &&
      (label === undefined || (a.text as { text: string }).text === label),
  );
  if (button === undefined) throw new Error(`no ${actionPrefix} button in ${JSON.stringify(message.blocks)}`);
  const responseUrl = h.standIn.mintResponseUrl({
    channel: message.channel,
    user,
    messageTs: message.ts,
    ...(message.thread_ts !== undefined && { threadTs: message.thread_ts }),
  });
  return signedEvent(
    buttonClickBody({
      user,
      actionId: String(button.action_id),
      value: String(button.value),
      channel: message.channel,
      messageTs: message.ts,
      ...(message.thread_ts !== undefined && { threadTs: message.thread_ts }),
      responseUrl,
    }),
    FORM,
  );
}

/** Asks for a deploy with the slash command and presses Confirm on its card as the requester; returns the card. */
export async function confirmDeploy(h: Harness, text: string, user = ALICE): Promise<StandInMessage> {
  const card = (await slash(h, text, user)).ack as StandInMessage;
  await h.sendAndSettle(click(h, card, 'opsbot.confirm', user));
  return card;
}

/** What EventBridge would deliver to the worker: the events, in order, each handled to its end. */
export async function deliver(h: Harness, events: readonly unknown[]): Promise<void> {
  for (const event of events) await handleWorkerInput(event as EventBridgeEvent, h.deps.worker);
  await h.settle();
}

/** Shows a slash command's acknowledgement in the stand-in's channel, as Slack shows it to the person. */
export function showAck(h: Harness, result: HttpLambdaResult, user = ALICE): StandInMessage {
  return h.standIn.addAcknowledgement(CHANNEL, user, JSON.parse(result.body));
}

export const allText = (m: StandInMessage) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;

/** Slack's escapes undone: the text as a person reads it in Slack. */
export const unescaped = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
