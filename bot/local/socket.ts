import { type App, type Receiver, type ReceiverEvent, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Audit } from '../../integrations/audit.port';
import { boltLogger, createApp } from '../app';
import type { OpsbotConfig } from '../config';
import { createDeps, type Deps, type DepsOverrides } from '../deps';
import { MAX_BODY_BYTES } from '../edge/lambda-edge';
import { auditRefusedWorkspace, checkPayload } from '../edge/payload';
import type { Log } from '../logger';
import { ConfigError, type Settings } from '../settings';
import { watchDeploysLocally } from './server';

/**
 * Socket Mode: opsbot on this machine talking to a real Slack workspace without a public URL. Slack's commands,
 * events and clicks arrive over a WebSocket (Bolt's SocketModeReceiver, opened with the app-level token) and pass
 * the same payload checks as the request URL's; the same app, listeners and worker as `npm start` answer, through
 * the real Web API with the bot token. The Lambda functions never load this (their bundle aliases
 * `@slack/socket-mode` away).
 */

/** The two tokens Socket Mode needs. */
export interface SocketTokens {
  /** App-level token (`xapp-…`, scope `connections:write`): opens the WebSocket. */
  readonly appToken: string;
  /** Bot token (`xoxb-…`): what opsbot says, it says with this. */
  readonly botToken: string;
}

/**
 * The tokens from the settings, each checked for its kind.
 * @throws {ConfigError} naming each missing or mistyped variable and where to find the right token.
 */
export function socketTokens(settings: Settings): SocketTokens {
  const problems: string[] = [];
  const app = settings.appToken;
  if (app === undefined) {
    problems.push(
      'SLACK_APP_TOKEN: not set; expected the app-level token (xapp-…) from the Slack app › Basic Information › App-Level Tokens, with the scope connections:write',
    );
  } else if (!/^xapp-\S+$/.test(app)) {
    problems.push(
      'SLACK_APP_TOKEN: expected an app-level token starting with "xapp-" (Basic Information › App-Level Tokens)',
    );
  }
  const bot = settings.botTokenIsDefault ? undefined : settings.botToken;
  if (bot === undefined) {
    problems.push(
      'SLACK_BOT_TOKEN: not set; expected the Bot User OAuth Token (xoxb-…) from the Slack app › OAuth & Permissions',
    );
  } else if (!/^xoxb-\S+$/.test(bot)) {
    problems.push(
      `SLACK_BOT_TOKEN: expected a bot token starting with "xoxb-"${/^xox[a-z]-/.test(bot) ? ` (a ${bot.slice(0, 5)}… token is not the bot's)` : ''} (OAuth & Permissions › Bot User OAuth Token)`,
    );
  }
  if (problems.length > 0) throw new ConfigError('environment', problems);
  return { appToken: app as string, botToken: bot as string };
}

/** Who the bot token is, as Slack says (`auth.test`). */
export interface BotIdentity {
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId?: string;
}

export interface SocketRun {
  readonly deps: Deps;
  readonly bot: BotIdentity;
  /** The configuration the app runs with (the bot's ids adopted from Slack when asked to). */
  readonly config: OpsbotConfig;
  close(): Promise<void>;
}

export interface SocketOptions {
  readonly overrides?: DepsOverrides;
  /**
   * Take the bot's ids from Slack when configuration names others (the example world's are placeholders); otherwise
   * a mismatch is refused, naming the keys to fix.
   */
  readonly adoptBotIds?: boolean;
  /** Where the configuration came from, for messages. */
  readonly configSource?: string;
}

/** Slack could not be reached (a network problem, not a refusal): said in one line. */
export class SlackUnreachableError extends Error {
  override readonly name = 'SlackUnreachableError';
}

/** Slack's refusals that mean the token itself is wrong. */
const BAD_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

/**
 * Connects to Slack over Socket Mode and answers with the same app as `npm start`. Checks both tokens with Slack
 * first (`auth.test`, `apps.connections.open`), so a wrong one is named rather than retried.
 * @throws {ConfigError} for a missing, mistyped or refused token, or bot ids that configuration gets wrong.
 */
export async function startSocketMode(
  settings: Settings,
  config: OpsbotConfig,
  options: SocketOptions = {},
): Promise<SocketRun> {
  const tokens = socketTokens(settings);
  const apiUrl = settings.slackApiUrl;
  const bot = await whoIs(tokens.botToken, apiUrl);
  const running = withBotIds(config, bot, options);
  await checkAppToken(tokens.appToken, apiUrl);

  const deps = createDeps(settings, running, options.overrides);
  const log = deps.edge.log;
  const receiver = checkedSocketModeReceiver({
    appToken: tokens.appToken,
    log,
    command: deps.edge.command,
    audit: deps.edge.audit,
    ...(running.slack?.teams !== undefined && { teams: running.slack.teams }),
    ...(apiUrl !== undefined && { slackApiUrl: apiUrl }),
  });
  const app = createApp(deps.edge, {
    receiver,
    botToken: tokens.botToken,
    ...(apiUrl !== undefined && { slackApiUrl: apiUrl }),
  });
  const stopWatching = await watchDeploysLocally(deps);
  try {
    await app.start();
  } catch (error) {
    stopWatching();
    throw error;
  }
  return {
    deps,
    bot,
    config: running,
    async close() {
      stopWatching();
      await app.stop();
    },
  };
}

/** `auth.test` with the bot token: who it is, or a ConfigError saying why not. */
async function whoIs(botToken: string, slackApiUrl: string | undefined): Promise<BotIdentity> {
  const client = new WebClient(botToken, {
    ...(slackApiUrl !== undefined && { slackApiUrl }),
    retryConfig: { retries: 0 },
    timeout: 10_000,
  });
  let answer: Awaited<ReturnType<WebClient['auth']['test']>>;
  try {
    answer = await client.auth.test();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code !== undefined && BAD_TOKEN.has(code)) {
      throw new ConfigError('environment', [
        `SLACK_BOT_TOKEN: Slack refused it (${code}); copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions, after installing the app`,
      ]);
    }
    throw new SlackUnreachableError(
      `could not check SLACK_BOT_TOKEN with Slack (auth.test): ${code ?? (error as Error).message}`,
    );
  }
  if (answer.user_id === undefined || answer.bot_id === undefined) {
    throw new ConfigError('environment', [
      'SLACK_BOT_TOKEN: Slack says it is not a bot token (auth.test has no bot_id)',
    ]);
  }
  return {
    botUserId: answer.user_id,
    botId: answer.bot_id,
    ...(answer.team_id !== undefined && { teamId: answer.team_id }),
  };
}

/**
 * The configuration with the bot's real ids: mentions and the bot's own posts are recognised by them. Configuration
 * that names other ids is refused, unless asked to adopt Slack's.
 */
function withBotIds(config: OpsbotConfig, bot: BotIdentity, options: SocketOptions): OpsbotConfig {
  const slack = config.slack;
  const source = options.configSource ?? 'configuration';
  if (slack === undefined) {
    throw new ConfigError(source, [
      `slack: a real workspace needs it: botUserId: ${bot.botUserId} and botId: ${bot.botId} (this bot's, by auth.test), and the channels opsbot posts to`,
    ]);
  }
  if (slack.botUserId === bot.botUserId && slack.botId === bot.botId) return config;
  if (options.adoptBotIds === true)
    return { ...config, slack: { ...slack, botUserId: bot.botUserId, botId: bot.botId } };
  throw new ConfigError(source, [
    `slack.botUserId and slack.botId: expected this bot's, ${bot.botUserId} and ${bot.botId} (auth.test with SLACK_BOT_TOKEN), got ${slack.botUserId} and ${slack.botId}`,
  ]);
}

/**
 * One `apps.connections.open` with the app-level token before Bolt's client takes over: Bolt's client retries a
 * refusal it does not know for ever, so a wrong token or Socket Mode left off would look like a hang.
 */
async function checkAppToken(appToken: string, slackApiUrl: string | undefined): Promise<void> {
  const client = new WebClient(appToken, {
    ...(slackApiUrl !== undefined && { slackApiUrl }),
    retryConfig: { retries: 0 },
    timeout: 10_000,
  });
  try {
    await client.apps.connections.open();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === undefined) {
      throw new SlackUnreachableError(
        `could not reach Slack to open Socket Mode (apps.connections.open): ${(error as Error).message}`,
      );
    }
    throw new ConfigError('environment', [
      BAD_TOKEN.has(code)
        ? `SLACK_APP_TOKEN: Slack refused it (${code}); generate an app-level token with the scope connections:write (Basic Information › App-Level Tokens)`
        : `SLACK_APP_TOKEN: Slack refused to open Socket Mode (${code}); turn it on (Settings › Socket Mode) and give the token the scope connections:write`,
    ]);
  }
}

function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** How long stopping waits for Slack to complete the WebSocket close handshake. */
const CLOSE_WAIT_MS = 2_000;

export interface CheckedReceiverOptions {
  readonly appToken: string;
  readonly log: Log;
  /** The slash command opsbot answers. */
  readonly command: string;
  /** The workspaces opsbot serves (`slack.teams`); any when unset. */
  readonly teams?: readonly string[];
  readonly audit: Audit;
  /** Base URL of the Web API for `apps.connections.open` (a local stand-in in tests). */
  readonly slackApiUrl?: string;
}

/**
 * Bolt's Socket Mode receiver, with every envelope held to the request URL's payload checks before Bolt sees it
 * (`checkPayload`: shapes opsbot handles, its own command, its workspaces, the body cap). Slack authenticates the
 * connection, so there is no signature to check; everything after is the same.
 */
export function checkedSocketModeReceiver(options: CheckedReceiverOptions): Receiver {
  const { log } = options;
  const inner = new SocketModeReceiver({
    appToken: options.appToken,
    logger: boltLogger(log),
    ...(options.slackApiUrl !== undefined && {
      installerOptions: { clientOptions: { slackApiUrl: options.slackApiUrl } },
    }),
  });
  async function admit(event: ReceiverEvent, app: App): Promise<void> {
    const request = asRequest(event.body);
    if (request === undefined) {
      log.debug('slack.payload_ignored', { reason: 'socket-envelope' });
      await event.ack();
      return;
    }
    if (Buffer.byteLength(request.body) > MAX_BODY_BYTES) {
      log.warn('slack.request_rejected', { reason: 'too-large' });
      await event.ack();
      return;
    }
    const verdict = checkPayload(request.contentType, request.body, options.command, options.teams);
    if (verdict.kind !== 'handle' && verdict.refused === true && verdict.from !== undefined) {
      await auditRefusedWorkspace(options.audit, verdict.from);
    }
    if (verdict.kind === 'handle') {
      await app.processEvent(event);
      return;
    }
    if (verdict.refused === true) log.warn('slack.request_rejected', { reason: verdict.reason });
    else log.debug('slack.payload_ignored', { reason: verdict.reason });
    await event.ack(verdict.kind === 'answer' ? JSON.parse(verdict.body) : undefined);
  }
  return {
    init(app: App) {
      // The inner receiver hands each envelope to `processEvent`: the checks come first.
      inner.init({ processEvent: (event: ReceiverEvent) => admit(event, app) } as unknown as App);
    },
    start: () => inner.start(),
    async stop() {
      // Bolt's stop only asks the client to disconnect; this waits for the close handshake, briefly.
      const disconnected = new Promise<void>((resolve) => {
        inner.client.once('disconnected', () => resolve());
        setTimeout(resolve, CLOSE_WAIT_MS).unref();
      });
      await inner.stop();
      await disconnected;
    },
  };
}

/**
 * An envelope's payload as Slack would have sent it to the request URL: a slash command form-encoded, an Events API
 * callback as JSON, an interaction as a form's `payload`. Undefined for what is none of these.
 */
function asRequest(body: unknown): { contentType: string; body: string } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  if (typeof fields.command === 'string') {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        form.append(key, String(value));
      }
    }
    return { contentType: 'application/x-www-form-urlencoded', body: form.toString() };
  }
  if (fields.type === 'event_callback') return { contentType: 'application/json', body: JSON.stringify(body) };
  if (typeof fields.type === 'string') {
    return {
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ payload: JSON.stringify(body) }).toString(),
    };
  }
  return undefined;
}
