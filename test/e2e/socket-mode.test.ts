import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLE_CONFIG_PATH, type OpsbotConfig, parseConfig } from '../../bot/config';
import type { Job } from '../../bot/jobs';
import { type SocketRun, socketTokens, startSocketMode } from '../../bot/local/socket';
import { createMemoryLog } from '../../bot/logger';
import { ConfigError, readSettings } from '../../bot/settings';
import { WEB_API_METHODS } from '../../bot/slack-app';
import type { InProcessJobQueue } from '../../integrations/sandbox/in-process-jobs';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { loadEvent } from '../support/fixtures';
import { eventBody, TEST_BOT_TOKEN } from '../support/slack';
import { type SocketModeStandIn, startSocketModeStandIn, TEST_APP_TOKEN } from '../support/socket-mode';

const ROOT = resolve(__dirname, '..', '..');
const ALICE = 'U0ALICE001';
const CHANNEL = 'C0DEPLOYS01';
const exampleConfig = (): OpsbotConfig => parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));

function socketSettings(stand: SocketModeStandIn, env: Record<string, string> = {}) {
  return readSettings({
    SLACK_APP_TOKEN: TEST_APP_TOKEN,
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_API_URL: `${stand.url}/api/`,
    OPSBOT_DATA_DIR: mkdtempSync(join(tmpdir(), 'opsbot-socket-')),
    LOG_LEVEL: 'ERROR',
    ...env,
  });
}

/** Slack's documented slash_commands envelope, for this workspace: `/deploy <text>`, answerable at the stand-in. */
function slashCommandEnvelope(stand: SocketModeStandIn, text: string, team = 'T0LOCAL001') {
  const envelope = loadEvent<{ type: string; payload: Record<string, unknown> }>('slack-socket', 'slash-commands');
  const responseUrl = stand.standIn.mintResponseUrl({ channel: CHANNEL, user: ALICE });
  return {
    responseUrl,
    envelope: {
      type: envelope.type,
      payload: {
        ...envelope.payload,
        team_id: team,
        channel_id: CHANNEL,
        channel_name: 'deploys',
        user_id: ALICE,
        command: '/deploy',
        text,
        response_url: responseUrl,
      },
    },
  };
}

describe('npm run socket: Socket Mode against a loopback Slack', () => {
  let stand: SocketModeStandIn;
  let run: SocketRun | undefined;

  beforeEach(async () => {
    stand = await startSocketModeStandIn();
  });
  afterEach(async () => {
    await run?.close();
    run = undefined;
    await stand.close();
  });

  async function start(config = exampleConfig()) {
    run = await startSocketMode(socketSettings(stand), config, {
      overrides: { log: createMemoryLog(), store: new MemoryStore() },
    });
    return run;
  }
  const settle = async () => {
    await (run?.deps.edge.jobs as InProcessJobQueue<Job> | undefined)?.drain();
  };

  it('connects with the app-level token and acknowledges a slash command, answering it through the Web API stand-in', async () => {
    // Prepare
    await start();
    const { envelope, responseUrl } = slashCommandEnvelope(stand, 'pipelines api');

    // Act
    const ack = await stand.deliver(envelope);
    // Slack shows the acknowledgement to the person; the worker's answer replaces it through the response_url.
    const shown = stand.standIn.addAcknowledgement(CHANNEL, ALICE, ack.payload ?? {}, responseUrl);
    await settle();

    // Assess
    expect(stand.opened.every((auth) => auth === `Bearer ${TEST_APP_TOKEN}`)).toBe(true);
    expect(stand.opened.length).toBeGreaterThanOrEqual(1);
    expect(ack.payload).toEqual(expect.objectContaining({ text: 'Working on /deploy pipelines api…' }));
    const answer = stand.standIn.messages.includes(shown) ? shown : stand.standIn.messages.at(-1);
    expect(answer?.text).toMatch(/^api-pipeline/);
    expect(answer?.ephemeral).toBe(false);
    expect(stand.standIn.messages.some((m) => m.text.startsWith('Working on'))).toBe(false);
  });

  it('answers /deploy help in the acknowledgement itself', async () => {
    // Prepare
    await start();
    const { envelope } = slashCommandEnvelope(stand, 'help');

    // Act
    const ack = await stand.deliver(envelope);

    // Assess
    expect(ack.payload).toEqual(expect.objectContaining({ response_type: 'ephemeral' }));
    expect(JSON.stringify(ack.payload?.blocks)).toContain('What opsbot can do');
  });

  it('answers a mention in its thread with chat.postMessage, using only declared Web API methods', async () => {
    // Prepare
    await start();
    const ts = `${Math.floor(Date.now() / 1000)}.000100`;
    const callback = JSON.parse(
      eventBody({
        type: 'app_mention',
        user: ALICE,
        text: '<@U0OPSBOT01> is the api pipeline green?',
        ts,
        channel: CHANNEL,
      }),
    ) as Record<string, unknown>;

    // Act
    const ack = await stand.deliver({ type: 'events_api', payload: callback });
    await settle();

    // Assess
    expect(ack.payload ?? {}).toEqual({});
    const reply = stand.standIn.calls.find((c) => c.method === 'chat.postMessage');
    expect(reply?.args).toEqual(expect.objectContaining({ channel: CHANNEL, thread_ts: ts }));
    expect(stand.standIn.messages.at(-1)?.text).toContain('api-pipeline');
    // Every call the run made — start-up checks included — is one the manifest accounts for.
    const undeclared = stand.standIn.calls.map((c) => c.method).filter((m) => WEB_API_METHODS[m] === undefined);
    expect(undeclared).toEqual([]);
  });

  it('holds envelopes to the request URL checks: another workspace and another command are refused before any listener', async () => {
    // Prepare
    const config = exampleConfig();
    await start({
      ...config,
      slack: { ...(config.slack as NonNullable<OpsbotConfig['slack']>), teams: ['T0LOCAL001'] },
    });
    const stranger = slashCommandEnvelope(stand, 'web prod v1.8.2', 'T0OTHER001').envelope;
    const other = slashCommandEnvelope(stand, 'x').envelope;

    // Act
    const refused = await stand.deliver(stranger);
    const unknown = await stand.deliver({ ...other, payload: { ...other.payload, command: '/other' } });
    await settle();

    // Assess
    expect(refused.payload?.text).toContain("opsbot isn't set up for this workspace");
    expect(unknown.payload?.text).toContain('/deploy');
    expect(await run?.deps.edge.audit.list({ since: 0 })).toEqual([
      expect.objectContaining({
        action: 'Request',
        outcome: 'refused',
        reason: 'other-workspace',
        actor: expect.objectContaining({ teamId: 'T0OTHER001' }),
      }),
    ]);
    expect(stand.standIn.messages).toEqual([]);
  });

  it('refuses a bot token Slack refuses, naming SLACK_BOT_TOKEN, before connecting', async () => {
    // Prepare
    const settings = socketSettings(stand, { SLACK_BOT_TOKEN: 'xoxb-revoked-000' });

    // Act
    const started = startSocketMode(settings, exampleConfig(), { overrides: { log: createMemoryLog() } });

    // Assess
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/SLACK_BOT_TOKEN: Slack refused it \(invalid_auth\)/);
    expect(stand.opened).toEqual([]);
  });

  it('refuses an app-level token Slack refuses, naming SLACK_APP_TOKEN, instead of retrying for ever', async () => {
    // Prepare
    stand.refuseNextOpen('invalid_auth');

    // Act
    const started = startSocketMode(socketSettings(stand), exampleConfig(), { overrides: { log: createMemoryLog() } });

    // Assess
    await expect(started).rejects.toThrow(/SLACK_APP_TOKEN: Slack refused it \(invalid_auth\)/);
  });

  it("refuses configuration naming another bot's ids, unless told to adopt Slack's (the example world)", async () => {
    // Prepare
    const config = exampleConfig();
    const other = {
      ...config,
      slack: { ...(config.slack as NonNullable<OpsbotConfig['slack']>), botUserId: 'U0OTHER0001' },
    };

    // Act
    const refused = startSocketMode(socketSettings(stand), other, { overrides: { log: createMemoryLog() } });
    await expect(refused).rejects.toThrow(/slack\.botUserId and slack\.botId: expected this bot's, U0OPSBOT01/);
    run = await startSocketMode(socketSettings(stand), other, {
      adoptBotIds: true,
      overrides: { log: createMemoryLog(), store: new MemoryStore() },
    });

    // Assess
    expect(run.config.slack?.botUserId).toBe('U0OPSBOT01');
    expect(run.deps.edge.botUserId).toBe('U0OPSBOT01');
  });
});

describe('Socket Mode tokens', () => {
  it.each([
    [{}, ['SLACK_APP_TOKEN: not set', 'SLACK_BOT_TOKEN: not set']],
    [{ SLACK_APP_TOKEN: 'xapp-1-A-1-x' }, ['SLACK_BOT_TOKEN: not set']],
    [{ SLACK_APP_TOKEN: 'xapp-1-A-1-x', SLACK_BOT_TOKEN: 'xoxp-user-token' }, ['(a xoxp-… token is not the bot']],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, ['SLACK_APP_TOKEN: not set']],
  ])('names what is missing or of the wrong kind: %j', (env, messages) => {
    // Act
    const check = () => socketTokens(readSettings(env));

    // Assess
    expect(check).toThrow(ConfigError);
    for (const message of messages) expect(check).toThrow(message);
  });

  it('takes an app-level token and a bot token', () => {
    // Act
    const tokens = socketTokens(readSettings({ SLACK_APP_TOKEN: 'xapp-1-A-1-x', SLACK_BOT_TOKEN: 'xoxb-1-2' }));

    // Assess
    expect(tokens).toEqual({ appToken: 'xapp-1-A-1-x', botToken: 'xoxb-1-2' });
  });

  it('npm run socket exits 1 with the message, and no stack trace, when a token is missing or mistyped', async () => {
    // Prepare
    const env = { ...process.env, SLACK_APP_TOKEN: '', SLACK_BOT_TOKEN: '', OPSBOT_CONFIG: '' };
    const socket = (extra: Record<string, string>) =>
      new Promise<{ status: number | null; stderr: string }>((done) => {
        const child = spawn('npm', ['run', '--silent', 'socket'], { cwd: ROOT, env: { ...env, ...extra } });
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += String(chunk);
        });
        child.on('close', (status) => done({ status, stderr }));
      });

    // Act
    const [missing, mistyped] = await Promise.all([socket({}), socket({ SLACK_APP_TOKEN: 'xoxb-not-an-app-token' })]);

    // Assess
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('SLACK_APP_TOKEN: not set');
    expect(missing.stderr).toContain('SLACK_BOT_TOKEN: not set');
    expect(mistyped.status).toBe(1);
    expect(mistyped.stderr).toContain('SLACK_APP_TOKEN: expected an app-level token starting with "xapp-"');
    for (const { stderr } of [missing, mistyped]) expect(stderr).not.toMatch(/\n\s+at /);
  });
});
