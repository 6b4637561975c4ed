import { isOpsbotError } from '../../integrations/errors';
import '../node-support';
import { SandboxClock } from '../../integrations/sandbox/clock';
import { loadConfig } from '../config';
import { ConfigError, readSettings, type Settings } from '../settings';
import { SlackUnreachableError, socketTokens, startSocketMode } from './socket';

/**
 * `npm run socket` (and `npm start` with `SLACK_APP_TOKEN` set): opsbot on this machine, answering a real Slack
 * workspace over Socket Mode, on the sandbox account unless `OPSBOT_BACKEND=aws`.
 */
export async function runSocketMode(settings: Settings): Promise<void> {
  // The tokens first: nothing else is worth reading while one is missing.
  socketTokens(settings);
  const loaded = loadConfig(settings);
  // The sandbox's clock starts now and runs in real time, as with `npm start`.
  const sandboxClock = new SandboxClock(Date.now(), { realTime: true });
  const run = await startSocketMode(settings, loaded.config, {
    adoptBotIds: loaded.isExample,
    configSource: loaded.source,
    overrides: { sandboxClock },
  });
  const lines = [
    `opsbot is connected to Slack over Socket Mode (${loaded.isExample ? 'example world' : loaded.source}).`,
    `  Bot:                          user ${run.bot.botUserId}, bot ${run.bot.botId}${run.bot.teamId !== undefined ? ` in workspace ${run.bot.teamId}` : ''}`,
    `  Try:                          ${run.deps.edge.command} help, a direct message to the bot, or a mention where it is invited`,
    settings.backend === 'sandbox'
      ? '  AWS:                          the sandbox account (simulated; OPSBOT_BACKEND=aws for a real one)'
      : '  AWS:                          the account of your AWS credentials (OPSBOT_BACKEND=aws)',
  ];
  if (loaded.isExample) {
    lines.push(
      '  Configuration:                the example world; its slack.channels are placeholders, so announcements to them',
      '                                fail: copy opsbot.config.example.yaml to opsbot.config.yaml and set your channel ids',
    );
  }
  lines.push('  Stop:                         Ctrl-C');
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = () => {
    void run.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Prints why opsbot could not start — a configuration problem as it is, anything else with its stack — and exits 1. */
export function failedToStart(error: unknown): never {
  if (error instanceof ConfigError || error instanceof SlackUnreachableError) {
    process.stderr.write(`opsbot: ${error.message}\n`);
  } else if (isOpsbotError(error)) {
    // A store another opsbot holds, a disk that refuses: said plainly, with what to do.
    process.stderr.write(`opsbot: ${error.userMessage}${error.hint !== undefined ? `\n  ${error.hint}` : ''}\n`);
  } else process.stderr.write(`opsbot: could not start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}

if (require.main === module) {
  Promise.resolve()
    .then(() => runSocketMode(readSettings()))
    .catch(failedToStart);
}
