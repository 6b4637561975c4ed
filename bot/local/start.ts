import '../node-support';
import { join } from 'node:path';
import { SandboxClock } from '../../integrations/sandbox/clock';
import { loadConfig } from '../config';
import { readSettings } from '../settings';
import { ignoredSlackApiUrl, SLACK_EVENTS_PATH, startLocalServer } from './server';
import { failedToStart, runSocketMode } from './socket-start';

/** `npm start`: opsbot on this machine; with `SLACK_APP_TOKEN` set, connected to a real workspace over Socket Mode. */
async function main(): Promise<void> {
  const settings = readSettings();
  if (settings.appToken !== undefined) {
    await runSocketMode(settings);
    return;
  }
  const loaded = loadConfig(settings);
  if (loaded.isExample) {
    process.stderr.write(
      'opsbot: no opsbot.config.yaml here; running on the example world (opsbot.config.example.yaml).\n',
    );
  }
  const useStandIn = settings.botTokenIsDefault;
  // The sandbox's clock starts now and runs in real time; the page can move it ahead.
  const sandboxClock = new SandboxClock(Date.now(), { realTime: true });
  const local = await startLocalServer(settings, loaded.config, { useStandIn, overrides: { sandboxClock } });
  const lines = [`opsbot is running (${loaded.isExample ? 'example world' : loaded.source}).`];
  if (local.standIn !== undefined) lines.push(`  Open the local channel page:  ${local.url}/?token=${local.token}`);
  lines.push(`  Slack request URL:            ${local.url}${SLACK_EVENTS_PATH}`);
  if (settings.signingSecretIsDefault) {
    lines.push('  Signing secret:               the development default (set SLACK_SIGNING_SECRET for a real app)');
  }
  const ignored = ignoredSlackApiUrl(settings, local.standIn !== undefined);
  if (ignored !== undefined) lines.push(`  ${ignored}`);
  if (local.standIn !== undefined) {
    lines.push(`  The channel as JSON:          ${local.url}/local/messages (with the token, as below)`);
    lines.push(`  Token for scripts:            ${join(settings.dataDir, 'local-token')} (send it as X-Opsbot-Token)`);
  }
  lines.push(
    settings.backend === 'sandbox'
      ? '  AWS:                          the sandbox account (simulated; OPSBOT_BACKEND=aws for a real one)'
      : '  AWS:                          the account of your AWS credentials (OPSBOT_BACKEND=aws)',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  local.standIn?.onChange(() => {
    const last = local.standIn?.messages.at(-1);
    if (last !== undefined && last.from === 'bot' && last.updates === 0) {
      process.stdout.write(`[${last.ephemeral ? 'only you' : 'channel'}] ${last.text}\n`);
    }
  });
  const stop = () => {
    void local.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(failedToStart);
