import { App, LogLevel, type Receiver } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import type { EdgeDeps } from './edge-deps';
import { registerActions } from './listeners/action.listener';
import { registerCommand } from './listeners/command.listener';
import { deliveryScope, stampDeliveries } from './listeners/dedupe.middleware';
import { answerFailures } from './listeners/guard.middleware';
import { registerHome } from './listeners/home.listener';
import { registerMessages } from './listeners/message.listener';
import type { Log } from './logger';

export interface AppOptions {
  readonly receiver: Receiver;
  readonly botToken: string;
  /** Base URL of the Slack Web API; a local stand-in in tests and local runs. */
  readonly slackApiUrl?: string;
}

/**
 * Builds the one Bolt app every runtime uses (Lambda receiver, HTTP receiver, Socket Mode), with its listeners
 * registered explicitly. The bot ids come from configuration, so construction makes no `auth.test` call.
 */
export function createApp(edge: EdgeDeps, options: AppOptions): App {
  // The jobs a delivery hands over carry its id: the worker claims it, so a repeat delivery changes nothing twice.
  const deps: EdgeDeps = { ...edge, jobs: stampDeliveries(edge.jobs) };
  const app = new App({
    receiver: options.receiver,
    token: options.botToken,
    botId: deps.botId,
    botUserId: deps.botUserId,
    logger: boltLogger(deps.log),
    ...(options.slackApiUrl !== undefined && { clientOptions: { slackApiUrl: options.slackApiUrl } }),
  });
  // The delivery's scope first, so the apology a failed listener hands over carries the delivery too (a retry of a
  // failed event apologizes once).
  app.use(deliveryScope());
  app.use(answerFailures(deps));
  registerCommand(app, deps);
  registerMessages(app, deps);
  registerActions(app, deps);
  registerHome(app, deps);
  app.error(async (error) => {
    deps.log.error('slack.listener_failed', { error: `${error.name}: ${error.message}`, code: error.code });
  });
  return app;
}

/** Bolt's logger interface over opsbot's structured log. */
export function boltLogger(log: Log): SlackLogger {
  let level = LogLevel.INFO;
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    // Bolt's debug output includes whole requests (and their tokens): only what it says about itself is kept.
    debug: (...args: unknown[]) => {
      // Read only at DEBUG: Bolt writes whole requests at this level, on every request.
      if (level !== LogLevel.DEBUG) return;
      const message = text(args);
      if (!/^AWS event:|"token"|xox[a-z]-/.test(message)) log.debug(message, { source: 'bolt' });
    },
    info: (...args: unknown[]) => log.info(text(args), { source: 'bolt' }),
    warn: (...args: unknown[]) => log.warn(text(args), { source: 'bolt' }),
    error: (...args: unknown[]) => log.error(text(args), { source: 'bolt' }),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  } as SlackLogger;
}
