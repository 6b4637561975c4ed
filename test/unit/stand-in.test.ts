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

  it('refuses a section longer than Slack takes with invalid_blocks, and shows nothing', async () => {
    // Prepare
    const s = await startStandIn();
    const client = new WebClient(TEST_BOT_TOKEN, { slackApiUrl: `${s.url}/api/`, retryConfig: { retries: 0 } });

    // Act
    const attempt = client.chat.postMessage({
      channel: 'C0DEPLOYS01',
      text: 'Deploy log',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }],
    });
    const refusal = await attempt.catch((error: { data?: unknown }) => error.data);
    const channel = await (await fetch(`${s.url}/local/messages`)).json();
    await s.close();

    // Assess
    expect(refusal).toEqual({
      ok: false,
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] },
    });
    expect(channel).toEqual([]);
  });

  it('answers a response_url post with invalid blocks with HTTP 400 invalid_blocks, as Slack does', async () => {
    // Prepare
    const s = await startStandIn();
    const responseUrl = s.standIn.mintResponseUrl({ channel: 'C0DEPLOYS01', user: 'U0ALICE001' });

    // Act
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        text: 'Deploy?',
        blocks: [{ type: 'header', text: { type: 'mrkdwn', text: '*Deploy*' } }],
      }),
    });
    const body = await response.text();
    await s.close();

    // Assess
    expect({ status: response.status, body }).toEqual({ status: 400, body: 'invalid_blocks' });
    expect(s.standIn.messages).toEqual([]);
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
