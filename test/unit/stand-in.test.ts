import { LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { boltLogger } from '../../bot/app';
import { createMemoryLog } from '../../bot/logger';
import { startStandIn, TEST_BOT_TOKEN } from '../support/slack';

describe('the Slack Web API stand-in', () => {
  it('replaces a message in place on chat.update and counts the update', async () => {
    // Prepare
    const s = await startStandIn();
    const client = new WebClient(TEST_BOT_TOKEN, { slackApiUrl: `${s.url}/api/`, retryConfig: { retries: 0 } });
    const posted = await client.chat.postMessage({ channel: 'C0DEPLOYS01', text: 'Deploying web v2: 25% on green' });

    // Act
    await client.chat.update({
      channel: 'C0DEPLOYS01',
      ts: posted.ts as string,
      text: 'Deploying web v2: 50% on green',
    });
    const channel = await (await fetch(`${s.url}/local/messages`)).json();
    await s.close();

    // Assess
    expect(channel).toEqual([
      expect.objectContaining({ ts: posted.ts, text: 'Deploying web v2: 50% on green', updates: 1, from: 'bot' }),
    ]);
  });

  it('refuses a call without the bot token, as Slack does', async () => {
    // Prepare
    const s = await startStandIn();
    const client = new WebClient('xoxb-someone-else', { slackApiUrl: `${s.url}/api/`, retryConfig: { retries: 0 } });

    // Act
    const attempt = client.chat.postMessage({ channel: 'C0DEPLOYS01', text: 'hi' });

    // Assess
    await expect(attempt).rejects.toThrow(/invalid_auth/);
    await s.close();
  });
});

describe('Bolt’s logger', () => {
  it('never passes on Bolt’s dumps of whole requests, which carry tokens', () => {
    // Prepare
    const log = createMemoryLog();
    const logger = boltLogger(log);
    logger.setLevel(LogLevel.DEBUG);

    // Act
    logger.debug('AWS event: {"body":"token=legacy-verification-token&command=%2Fdeploy"}');
    logger.debug('posting with xoxb-123-456');
    logger.debug('listener matched');

    // Assess
    expect(log.entries.map((e) => e.message)).toEqual(['listener matched']);
  });
});
