import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { signSlackRequest } from '../../bot/edge/verify';
import type { Job } from '../../bot/jobs';
import { type LocalServer, startLocalServer } from '../../bot/local/server';
import { createMemoryLog } from '../../bot/logger';
import { readSettings } from '../../bot/settings';
import type { InProcessJobQueue } from '../../integrations/sandbox/in-process-jobs';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import { eventBody, slashCommandBody } from '../support/slack';

const ROOT = resolve(__dirname, '..', '..');
const SECRET = 'local-test-secret';

/** `npm start` on a configuration (the example's unless given), a fresh data directory, its log kept in memory. */
function startExample(configText = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')): Promise<LocalServer> {
  const settings = readSettings({
    SLACK_SIGNING_SECRET: SECRET,
    PORT: '0',
    OPSBOT_DATA_DIR: mkdtempSync(join(tmpdir(), 'opsbot-data-')),
  });
  return startLocalServer(settings, parseConfig(configText), { overrides: { log: createMemoryLog() } });
}

describe('npm start: the local server (Bolt HTTP receiver behind the same checks, Web API stand-in)', () => {
  let local: LocalServer;

  beforeEach(async () => {
    local = await startExample();
  });
  afterEach(async () => {
    await local.close();
  });

  async function post(body: string, contentType: string, skewSeconds = 0) {
    const headers = signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000) + skewSeconds);
    const response = await fetch(`${local.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body,
    });
    await (local.deps.edge.jobs as InProcessJobQueue<Job>).drain();
    return { status: response.status, text: await response.text() };
  }

  it('answers a signed /deploy help sent with a charset in Content-Type', async () => {
    // Act
    const result = await post(
      slashCommandBody('help', { responseUrl: `${local.url}/local/response/0` }),
      'application/x-www-form-urlencoded; charset=utf-8',
    );

    // Assess
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text).blocks[0].text.text).toBe('What opsbot can do');
  });

  it('opens the Home tab and clicks a button in a data table, in the Home tab and in a channel’s answer', async () => {
    // Prepare
    const workspace = local.workspace as NonNullable<LocalServer['workspace']>;
    const standIn = local.standIn as NonNullable<LocalServer['standIn']>;
    const settle = () => (local.deps.edge.jobs as InProcessJobQueue<Job>).drain();
    const actionIdIn = (blocks: unknown) => /"action_id":"(opsbot\.request[.\d]*)"/.exec(JSON.stringify(blocks))?.[1];

    // Act: the Home tab opened, a Deploy… in it pressed; then "what's running in prod?" and a Deploy… in its table
    await workspace.openHome('U0DANA0001', 'D0DANADM01');
    await settle();
    const home = standIn.homeViews.get('U0DANA0001');
    await workspace.clickHome(actionIdIn(home?.view.blocks) as string, 'U0DANA0001');
    await settle();
    const askedFromHome = standIn.messages.filter((m) => m.channel === 'D0DANADM01' && m.from === 'bot').length;
    const question = await workspace.mention("what's running in prod?", undefined, workspace.channel, 'U0DANA0001');
    await settle();
    const answer = standIn.messages.filter((m) => m.from === 'bot' && m.thread_ts === question.ts).at(-1);
    await workspace.click(answer?.ts as string, actionIdIn(answer?.blocks) as string, 'U0DANA0001');
    await settle();

    // Assess: both clicks reached opsbot as Slack's, and were answered
    expect(home?.publications).toBeGreaterThanOrEqual(1);
    expect(askedFromHome).toBeGreaterThan(0);
    expect(JSON.stringify(answer?.blocks)).toContain('"type":"data_table"');
    expect(standIn.messages.filter((m) => m.from === 'bot').length).toBeGreaterThan(askedFromHome + 1);
  });

  it('refuses a request dated six minutes ahead, which Bolt alone would accept', async () => {
    // Act
    const result = await post(
      slashCommandBody('help', { responseUrl: 'http://127.0.0.1:1/' }),
      'application/x-www-form-urlencoded',
      360,
    );

    // Assess
    expect(result.status).toBe(401);
  });

  it('posts the answer to a mention to the stand-in, readable at GET /local/messages', async () => {
    // Prepare
    const ts = `${Math.floor(Date.now() / 1000)}.000100`;
    const body = eventBody({
      type: 'app_mention',
      user: 'U0ALICE001',
      text: '<@U0OPSBOT01> roll back web',
      ts,
      channel: 'C0DEPLOYS01',
    });

    // Act
    await post(body, 'application/json');
    const messages = (await (
      await fetch(`${local.url}/local/messages`, { headers: { 'x-opsbot-token': local.token } })
    ).json()) as StandInMessage[];

    // Assess
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      channel: 'C0DEPLOYS01',
      thread_ts: ts,
      text: 'In which environment?',
      ephemeral: false,
      updates: 0,
    });
  });

  it('runs a sandbox pipeline that fails, then passes: the alert goes to #alerts and the recovery to its thread', async () => {
    // Prepare
    const run = (outcome: string) =>
      fetch(`${local.url}/local/sandbox/pipeline`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-opsbot-token': local.token },
        body: JSON.stringify({ name: 'api-pipeline', outcome }),
      });

    // Act
    const failed = await run('fail');
    const passed = await run('succeed');

    // Assess
    expect([failed.status, passed.status]).toEqual([200, 200]);
    const alerts = (local.standIn?.messages ?? []).filter((m) => m.channel === 'C0ALERTS001');
    // The failure card was redrawn in place as recovered, and the recovery is said in its thread too.
    expect(alerts.map((m) => [m.text, m.updates])).toEqual([
      [expect.stringMatching(/^api-pipeline recovered: execution [0-9a-f]{8} succeeded\.$/), 1],
      [expect.stringMatching(/^api-pipeline recovered: execution [0-9a-f]{8} succeeded\.$/), 0],
    ]);
    expect(JSON.stringify(alerts[0]?.blocks)).toContain(
      'It had failed at *Build* › *Build*: Error while executing command: npm test. Reason: exit status 1',
    );
    expect(alerts[1]?.thread_ts).toBe(alerts[0]?.ts);
  });

  it('makes the next deploy of a service fail from the sandbox panel, as AWS would, and says so on the panel', async () => {
    // Prepare
    const post = (path: string, body: unknown) =>
      fetch(`${local.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-opsbot-token': local.token },
        body: JSON.stringify(body),
      });

    // Act
    const marked = await post('/local/sandbox/deploy-fail', { service: 'web', environment: 'staging' });
    const panel = (await (
      await fetch(`${local.url}/local/sandbox`, { headers: { 'x-opsbot-token': local.token } })
    ).json()) as {
      targets: Array<{ service: string; environment: string; failing: boolean; engine: string }>;
    };
    const unknown = await post('/local/sandbox/deploy-fail', { service: 'nope', environment: 'staging' });

    // Assess
    expect(marked.status).toBe(200);
    expect(panel.targets).toContainEqual({
      service: 'web',
      environment: 'staging',
      engine: 'codedeploy',
      failing: true,
      gated: false,
    });
    expect(panel.targets).toContainEqual({
      service: 'worker',
      environment: 'staging',
      engine: 'ecs-linear',
      failing: false,
      gated: false,
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toBe('nope is not deployed to staging in this account.');
  });
});

describe('npm start: the people the local page acts as', () => {
  let local: LocalServer;

  beforeEach(async () => {
    local = await startExample();
  });
  afterEach(async () => {
    await local.close();
  });

  const page = (path: string, body: unknown) =>
    fetch(`${local.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-opsbot-token': local.token },
      body: JSON.stringify(body),
    });
  const settle = () => (local.deps.edge.jobs as InProcessJobQueue<Job>).drain();
  const said = (user: string) =>
    (local.standIn?.messages ?? []).filter((m) => m.from === 'bot' && m.user === user).map((m) => m.text);

  it('offers, in the example world, two deployers and a guest, and says that nobody approves or administers', async () => {
    // Act
    const response = await fetch(`${local.url}/local/workspace`, { headers: { 'x-opsbot-token': local.token } });
    const withoutToken = await fetch(`${local.url}/local/workspace`);
    await withoutToken.body?.cancel();
    const workspace = (await response.json()) as {
      people: Array<{ id: string; name: string; role: string; dm: string }>;
      notes: string[];
      channels: Array<{ id: string; name: string }>;
    };

    // Assess
    expect(workspace.people.map((p) => [p.name, p.id, p.role, p.dm])).toEqual([
      ['Dana', 'U0YOU00001', 'deploys to prod (environments.prod.deployers: everyone)', 'D0YOU00001'],
      ['Avery', 'U0AVERY001', 'also deploys to prod (environments.prod.deployers: everyone)', 'D0AVERY001'],
      [
        'Nico',
        'U0NICO0001',
        'a guest account, listed nowhere: refused where an environment is protected',
        'D0NICO0001',
      ],
    ]);
    expect(workspace.notes).toEqual([
      'No environment asks for a second person’s approval (approval: true under an environment).',
      'No admins: this configuration lists none under admins.',
    ]);
    expect(workspace.channels.map((c) => c.name)).toEqual(['#deploys', '#alerts', '#notices']);
    expect(withoutToken.status).toBe(403);
  });

  it('signs what the page sends as the person it names: Nico, a guest, is refused prod; Dana is asked to confirm', async () => {
    // Act
    const asNico = await page('/local/send', { text: '/deploy web prod v1.8.2', user: 'U0NICO0001' });
    const asDana = await page('/local/send', { text: '/deploy web prod v1.8.2', user: 'U0YOU00001' });
    await settle();

    // Assess
    expect([asNico.status, asDana.status]).toEqual([200, 200]);
    expect(said('U0NICO0001')).toEqual(['Guest accounts are not allowed to change prod.']);
    const card = local.standIn?.messages.find((m) => m.text === 'Confirm: Deploy web v1.8.2 to prod?');
    expect(JSON.stringify(card?.blocks)).toContain('Requested by <@U0YOU00001>. Only they can confirm.');
  });

  it('refuses with 400 a person it does not offer, someone else’s DM, and a click on what only someone else sees', async () => {
    // Prepare: the question Dana is asked, which only she sees
    await page('/local/send', { text: '/deploy web' });
    await settle();
    const asked = local.standIn?.messages.find((m) => m.ephemeral && m.user === 'U0YOU00001') as StandInMessage;
    const before = local.standIn?.messages.length;

    // Act
    const stranger = await page('/local/send', { text: '/deploy web prod v1.8.2', user: 'U0EVIL0001' });
    const notAnId = await page('/local/click', {
      ts: asked.ts,
      action_id: 'opsbot.choose',
      user: { id: 'U0YOU00001' },
    });
    const othersDm = await page('/local/send', { text: 'hello', user: 'U0NICO0001', channel: 'D0YOU00001' });
    const othersQuestion = await page('/local/click', { ts: asked.ts, action_id: 'opsbot.choose', user: 'U0AVERY001' });
    await settle();

    // Assess: each refused, saying what to send instead, and nothing reached the bot or the channel
    expect([stranger.status, notAnId.status, othersDm.status, othersQuestion.status]).toEqual([400, 400, 400, 400]);
    expect(await stranger.text()).toBe(
      '"user" must be one of the people this page acts as: U0YOU00001 (Dana), U0AVERY001 (Avery), U0NICO0001 (Nico).',
    );
    expect(await othersDm.text()).toBe(
      '"channel" must be one of C0DEPLOYS01, C0ALERTS001, C0NOTICES01, D0NICO0001 (Nico\'s DM is D0NICO0001).',
    );
    expect(await othersQuestion.text()).toBe(`no button opsbot.choose on message ${asked.ts}`);
    expect(local.standIn?.messages.length).toBe(before);
  });
});

describe('npm start: the local page’s people where a rule names only a user group', () => {
  it('puts the deployer it makes up in that group, as Slack would list its members, so that prod takes her deploy', async () => {
    // Prepare: prod's deployers are one user group, and the admins another
    const world = parseYaml(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
    world.admins = ['S0ADMINS01'];
    world.environments.prod.deployers = ['S0DEPLOYS1'];
    const local = await startExample(stringifyYaml(world));
    try {
      const workspace = (await (
        await fetch(`${local.url}/local/workspace`, { headers: { 'x-opsbot-token': local.token } })
      ).json()) as { people: Array<{ id: string; name: string; role: string }> };
      const dana = workspace.people.find((p) => p.name === 'Dana');

      // Act
      await fetch(`${local.url}/local/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-opsbot-token': local.token },
        body: JSON.stringify({ text: '/deploy web prod v1.8.2', user: dana?.id }),
      });
      await (local.deps.edge.jobs as InProcessJobQueue<Job>).drain();

      // Assess
      expect(workspace.people.map((p) => [p.name, p.role])).toEqual([
        ['Dana', 'deploys to prod (environments.prod.deployers)'],
        ['Avery', 'also deploys to prod (environments.prod.deployers)'],
        ['Alex', 'an admin (admins)'],
        ['Nico', 'listed nowhere in the configuration'],
      ]);
      expect(local.standIn?.groups.get('S0DEPLOYS1')).toEqual([dana?.id, 'U0AVERY001']);
      expect(local.standIn?.messages.map((m) => m.text)).toContain('Confirm: Deploy web v1.8.2 to prod?');
    } finally {
      await local.close();
    }
  });
});

describe('npm start: a deploy on the local page moves by itself', () => {
  it('updates the deploy message as the sandbox clock runs, polled by the watcher without anyone asking', async () => {
    // Prepare: the page's own calls, with its token
    const local = await startExample();
    const page = (path: string, body: unknown) =>
      fetch(`${local.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-opsbot-token': local.token },
        body: JSON.stringify(body),
      });
    const messages = () => local.standIn?.messages ?? [];
    const settle = () => (local.deps.edge.jobs as InProcessJobQueue<Job>).drain();
    try {
      await page('/local/send', { text: '/deploy web staging v1.8.2', channel: 'C0DEPLOYS01' });
      await settle();
      const card = messages().find((m) => JSON.stringify(m.blocks ?? []).includes('opsbot.confirm')) as StandInMessage;
      await page('/local/click', { ts: card.ts, action_id: 'opsbot.confirm' });
      await settle();
      const live = messages().find((m) => m.from === 'bot' && m.text.startsWith('web ')) as StandInMessage;
      const before = live.text;

      // Act: two sandbox minutes pass; nobody sends anything
      await page('/local/sandbox/advance', { minutes: 2 });
      const deadline = Date.now() + 5_000;
      while (live.text === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

      // Assess
      expect(before).toContain('Installing the new task set (green)');
      expect(live.text).toContain('Shifting production traffic');
    } finally {
      await local.close();
    }
  });
});

describe('npm start with a broken configuration', () => {
  it('exits non-zero before serving, naming the key and what was expected', () => {
    // Act
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bot', 'local', 'start.ts')],
      {
        encoding: 'utf8',
        env: { ...process.env, PORT: '0', OPSBOT_CONFIG: join(ROOT, 'test', 'events', 'config', 'invalid.yaml') },
        timeout: 20_000,
      },
    );

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('environments.prod.protected: Invalid input: expected boolean');
    expect(result.stdout).not.toContain('opsbot is running');
  });
});

describe('npm start with SLACK_API_URL set and no bot token', () => {
  it('says at start that it ignores SLACK_API_URL, since it serves the Slack Web API itself for the local page', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-start-'));
    const { SLACK_BOT_TOKEN: _bot, SLACK_APP_TOKEN: _app, ...env } = process.env;
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bot', 'local', 'start.ts')],
      {
        env: { ...env, PORT: '0', OPSBOT_DATA_DIR: dataDir, SLACK_API_URL: 'http://127.0.0.1:9/api/' },
      },
    );

    // Act: what it prints until it says how to reach the page
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start said only: ${out}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('AWS:')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');

    // Assess
    expect(out).toContain('opsbot is running');
    expect(out).toContain(
      'SLACK_API_URL is ignored: without SLACK_BOT_TOKEN, npm start serves the Slack Web API itself',
    );
  }, 30_000);
});

describe('npm start: connections that never finish', () => {
  it('closes connections that stall in their headers or their body within the timeouts, and logs no error', () => {
    // Prepare / Act: 40 clients that stop halfway, against the server with short timeouts, in a process of its own
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'test', 'support', 'stalled-clients.ts')],
      { encoding: 'utf8', timeout: 30_000 },
    );
    const { closedAfterMs, errors } = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as {
      closedAfterMs: number[];
      errors: unknown[];
    };

    // Assess: every one closed by the server within a few seconds; nothing logged as an error
    expect(closedAfterMs).toHaveLength(40);
    expect(closedAfterMs.filter((ms) => ms < 0 || ms > 5_000)).toEqual([]);
    expect(errors).toEqual([]);
  }, 40_000);
});
