import { loadConfig } from '../config';
import { ConfigError, readSettings } from '../settings';
import { SLACK_EVENTS_PATH, startLocalServer } from './server';

/** `npm start`: opsbot on this machine. */
async function main(): Promise<void> {
  const settings = readSettings();
  const loaded = loadConfig(settings);
  if (loaded.isExample) {
    process.stderr.write(
      'opsbot: no opsbot.config.yaml here; running on the example world (opsbot.config.example.yaml).\n',
    );
  }
  const useStandIn = settings.botTokenIsDefault;
  const local = await startLocalServer(settings, loaded.config, { useStandIn });
  const lines = [
    `opsbot is running (${loaded.isExample ? 'example world' : loaded.source}).`,
    local.mode === 'socket'
      ? '  Slack: Socket Mode (SLACK_APP_TOKEN is set).'
      : `  Slack request URL:  ${local.url}${SLACK_EVENTS_PATH}`,
    settings.signingSecretIsDefault
      ? '  Signing secret:     the development default (set SLACK_SIGNING_SECRET for a real app)'
      : '',
    local.standIn !== undefined
      ? `  Bot replies:        ${local.url}/local/messages (local Slack Web API stand-in)`
      : '',
  ].filter((l) => l !== '');
  process.stdout.write(`${lines.join('\n')}\n`);
  local.standIn?.onChange(() => {
    const last = local.standIn?.messages.at(-1);
    if (last !== undefined && last.from === 'bot')
      process.stdout.write(`[${last.channel}${last.ephemeral ? ', only you' : ''}] ${last.text}\n`);
  });
  const stop = () => {
    void local.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`opsbot: ${error.message}\n`);
  } else {
    process.stderr.write(`opsbot: could not start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
