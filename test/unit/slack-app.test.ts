import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { App, type Receiver } from '@slack/bolt';
import { createApp } from '../../bot/app';
import { MANIFEST_FILES, manifestText, runManifest } from '../../bot/cli/manifest';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { createDeps } from '../../bot/deps';
import { createMemoryLog } from '../../bot/logger';
import {
  BUTTON_ACTION_IDS,
  botScopes,
  EVENT_SUBSCRIPTIONS,
  PLACEHOLDER_REQUEST_URL,
  SLASH_COMMAND,
  type SlackManifest,
  slackManifest,
  WEB_API_METHODS,
} from '../../bot/slack-app';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { testSettings } from '../support/harness';

const ROOT = resolve(__dirname, '..', '..');

/**
 * What Slack requires, from its reference pages (docs.slack.dev/reference/methods/<method>, …/events/<event>,
 * …/scopes/<scope>): the oracle the declarations in bot/slack-app.ts are held to. A method reading conversations
 * takes "the relevant *:history scope" of the conversation's kind; opsbot posts in all four kinds, so it needs all.
 */
const HISTORY = ['channels:history', 'groups:history', 'im:history', 'mpim:history'];
const METHOD_SCOPES: Record<string, { token: 'bot' | 'app'; scopes: string[] }> = {
  'chat.postMessage': { token: 'bot', scopes: ['chat:write'] },
  'chat.update': { token: 'bot', scopes: ['chat:write'] },
  // "Required scopes: No scope required" (docs.slack.dev/reference/methods/views.publish).
  'views.publish': { token: 'bot', scopes: [] },
  'chat.delete': { token: 'bot', scopes: ['chat:write'] },
  'chat.postEphemeral': { token: 'bot', scopes: ['chat:write'] },
  'conversations.history': { token: 'bot', scopes: HISTORY },
  'conversations.replies': { token: 'bot', scopes: HISTORY },
  'users.info': { token: 'bot', scopes: ['users:read'] },
  'usergroups.users.list': { token: 'bot', scopes: ['usergroups:read'] },
  'auth.test': { token: 'bot', scopes: [] },
  // The app-level token's connections:write, given when the token is generated: no bot scope.
  'apps.connections.open': { token: 'app', scopes: [] },
};
/** Each Events API subscription: the event type it delivers to a Bolt listener, and the scope it requires. */
const SUBSCRIPTIONS: Record<string, { delivers: string; scope: string }> = {
  app_mention: { delivers: 'app_mention', scope: 'app_mentions:read' },
  'message.im': { delivers: 'message', scope: 'im:history' },
  'message.channels': { delivers: 'message', scope: 'channels:history' },
  'message.groups': { delivers: 'message', scope: 'groups:history' },
  'message.mpim': { delivers: 'message', scope: 'mpim:history' },
  // "This event doesn't require any scopes" (docs.slack.dev/reference/events/app_home_opened).
  app_home_opened: { delivers: 'app_home_opened', scope: '' },
};
/** A slash command needs this scope. */
const COMMAND_SCOPE = 'commands';

interface Registered {
  readonly commands: string[];
  readonly events: string[];
  readonly actions: unknown[];
  /** Interactivity opsbot does not declare (shortcuts, views, options, functions, assistants). */
  readonly other: string[];
}

/** What the app's listeners register on Bolt, recorded as `createApp` builds the app every runtime uses. */
function registeredListeners(): Registered {
  const registered: Registered = { commands: [], events: [], actions: [], other: [] };
  const spies = [
    jest.spyOn(App.prototype, 'command').mockImplementation(function (this: App, name) {
      registered.commands.push(String(name));
      return this;
    }),
    jest.spyOn(App.prototype, 'event').mockImplementation(function (this: App, name) {
      registered.events.push(String(name));
      return this;
    }),
    // `app.message()` listens to the event type `message`.
    jest.spyOn(App.prototype, 'message').mockImplementation(function (this: App) {
      registered.events.push('message');
      return this;
    }),
    jest.spyOn(App.prototype, 'action').mockImplementation(function (this: App, constraint) {
      registered.actions.push(constraint);
      return this;
    }),
    ...(['shortcut', 'view', 'options', 'function', 'assistant'] as const).map((kind) =>
      jest.spyOn(App.prototype, kind).mockImplementation(function (this: App) {
        registered.other.push(kind);
        return this;
      }),
    ),
  ];
  try {
    const settings = testSettings();
    const deps = createDeps(settings, parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')), {
      store: new MemoryStore(),
      log: createMemoryLog(),
    });
    const receiver: Receiver = { init: () => undefined, start: async () => undefined, stop: async () => undefined };
    createApp(deps.edge, { receiver, botToken: settings.botToken });
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return registered;
}

/** Every Web API method the code calls through a WebClient (`client.chat.postMessage(…)`), in bot/ and integrations/. */
function calledMethods(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) visit(path);
      else if (name.endsWith('.ts')) {
        const text = readFileSync(join(ROOT, path), 'utf8');
        for (const match of text.matchAll(/\bclient\.((?:[a-z]+\.)+[a-zA-Z]+)\s*\(|\.apiCall\(\s*'([^']+)'/g)) {
          const method = (match[1] ?? match[2]) as string;
          found.set(method, [...(found.get(method) ?? []), path]);
        }
      }
    }
  };
  visit('bot');
  visit('integrations');
  return found;
}

const manifest: SlackManifest = slackManifest({
  requestUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/slack/events',
});
const manifestScopes = manifest.oauth_config?.scopes?.bot ?? [];
const manifestEvents: string[] = manifest.settings?.event_subscriptions?.bot_events ?? [];

describe('the Slack app manifest (bot/slack-app.ts)', () => {
  it('declares the slash command its listener registers, with the commands scope', () => {
    // Act
    const { commands } = registeredListeners();

    // Assess
    expect(commands).toEqual([SLASH_COMMAND.command]);
    for (const command of commands) {
      expect(manifest.features?.slash_commands?.map((c) => c.command)).toContain(command);
    }
    expect(manifestScopes).toContain(COMMAND_SCOPE);
  });

  it('subscribes to the events every listener hears, each with the scope Slack requires for it', () => {
    // Act
    const { events } = registeredListeners();

    // Assess
    expect(events.sort()).toEqual(['app_home_opened', 'app_mention', 'message']);
    for (const type of events) {
      const delivering = manifestEvents.filter((e) => SUBSCRIPTIONS[e]?.delivers === type);
      expect({ type, delivering: delivering.length > 0 }).toEqual({ type, delivering: true });
    }
    // The message listener answers direct messages and replies in channel threads.
    expect(manifestEvents).toEqual(expect.arrayContaining(['message.im', 'message.channels']));
    for (const event of manifestEvents) {
      expect({ event, documented: SUBSCRIPTIONS[event] !== undefined }).toEqual({ event, documented: true });
      const documented = SUBSCRIPTIONS[event]?.scope;
      const declared = EVENT_SUBSCRIPTIONS.find((s) => s.subscription === event)?.scope;
      if (documented === '') expect({ event, declared }).toEqual({ event, declared: undefined });
      else {
        expect(manifestScopes).toContain(documented);
        expect(declared).toBe(documented);
      }
    }
    // The Home tab it publishes is turned on.
    expect(manifest.features?.app_home?.home_tab_enabled).toBe(true);
  });

  it('subscribes to no event that no listener hears', () => {
    // Act
    const { events } = registeredListeners();

    // Assess
    const unheard = manifestEvents.filter((e) => !events.includes(SUBSCRIPTIONS[e]?.delivers ?? e));
    expect(unheard).toEqual([]);
    expect(EVENT_SUBSCRIPTIONS.filter((s) => !events.includes(s.listener)).map((s) => s.subscription)).toEqual([]);
  });

  it('turns interactivity on for the buttons the action listener answers, and declares nothing else interactive', () => {
    // Act
    const { actions, other } = registeredListeners();

    // Assess
    expect(actions.length).toBeGreaterThan(0);
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
    for (const id of BUTTON_ACTION_IDS) {
      expect({ id, answered: actions.some((a) => a instanceof RegExp && a.test(id)) }).toEqual({ id, answered: true });
    }
    expect(other).toEqual([]);
    expect(manifest.features?.shortcuts).toBeUndefined();
  });

  it('declares every Web API method the code calls, with the token and scopes Slack documents for it', () => {
    // Act
    const called = calledMethods();

    // Assess
    expect(called.size).toBeGreaterThan(0);
    for (const [method, where] of called) {
      expect({ method, where, declared: WEB_API_METHODS[method] !== undefined }).toEqual({
        method,
        where,
        declared: true,
      });
      expect({
        method,
        token: WEB_API_METHODS[method]?.token,
        scopes: [...(WEB_API_METHODS[method]?.scopes ?? [])],
      }).toEqual({ method, token: METHOD_SCOPES[method]?.token, scopes: METHOD_SCOPES[method]?.scopes });
      const needed = METHOD_SCOPES[method]?.token === 'bot' ? (METHOD_SCOPES[method]?.scopes ?? []) : [];
      expect(manifestScopes).toEqual(expect.arrayContaining(needed));
    }
  });

  it('declares no Web API method the code does not call', () => {
    // Act
    const called = calledMethods();

    // Assess
    expect(Object.keys(WEB_API_METHODS).filter((m) => !called.has(m))).toEqual([]);
  });

  it('requests no bot scope that neither a listener nor a method the code calls needs', () => {
    // Prepare
    const registered = registeredListeners();
    const called = calledMethods();

    // Act
    const justified = new Set<string>([
      ...(registered.commands.length > 0 ? [COMMAND_SCOPE] : []),
      ...manifestEvents
        .filter((e) => registered.events.includes(SUBSCRIPTIONS[e]?.delivers ?? ''))
        .map((e) => SUBSCRIPTIONS[e]?.scope ?? ''),
      ...[...called.keys()].flatMap((m) => (METHOD_SCOPES[m]?.token === 'bot' ? (METHOD_SCOPES[m]?.scopes ?? []) : [])),
    ]);

    // Assess
    expect(manifestScopes.filter((scope) => !justified.has(scope))).toEqual([]);
    expect(manifestScopes).toEqual(botScopes());
  });

  it.each([
    ['placeholder', MANIFEST_FILES.placeholder, { requestUrl: PLACEHOLDER_REQUEST_URL }],
    ['socket', MANIFEST_FILES.socket, { socketMode: true }],
  ] as const)('commits %s as npm run manifest writes it (%s)', (_kind, file, options) => {
    // Act
    const committed = readFileSync(join(ROOT, file), 'utf8');

    // Assess
    expect(JSON.parse(committed)).toEqual(slackManifest(options));
    expect(committed).toBe(manifestText(options));
  });

  it('sends everything to the one request URL over HTTP, and has no request URL in Socket Mode', () => {
    // Act
    const socket = slackManifest({ socketMode: true });

    // Assess
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/slack/events';
    expect(manifest.features?.slash_commands?.[0]?.url).toBe(url);
    expect(manifest.settings?.event_subscriptions?.request_url).toBe(url);
    expect(manifest.settings?.interactivity?.request_url).toBe(url);
    expect(manifest.settings?.socket_mode_enabled).toBe(false);
    expect(socket.settings?.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toMatch(/"(url|request_url)"/);
    expect({ ...socket, features: undefined, settings: undefined }).toEqual({
      ...manifest,
      features: undefined,
      settings: undefined,
    });
    expect(manifest.settings).toEqual(
      expect.objectContaining({ org_deploy_enabled: false, token_rotation_enabled: false }),
    );
  });

  it("fits Slack's manifest limits", () => {
    // Assess (limits from Slack's manifest reference, as @slack/web-api documents them)
    const info = manifest.display_information;
    expect(info.name.length).toBeLessThanOrEqual(35);
    expect(info.description?.length ?? 0).toBeLessThanOrEqual(140);
    expect(info.long_description?.length ?? 174).toBeGreaterThanOrEqual(174);
    expect(info.long_description?.length ?? 0).toBeLessThanOrEqual(4000);
    expect(info.background_color).toMatch(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i);
    expect(manifest.features?.bot_user?.display_name).toMatch(/^[a-z0-9._-]{1,80}$/);
    for (const command of manifest.features?.slash_commands ?? []) {
      expect(command.command).toMatch(/^\/[a-z0-9_-]{1,31}$/);
      expect(command.description.length).toBeLessThanOrEqual(2000);
      expect(command.usage_hint?.length ?? 0).toBeLessThanOrEqual(1000);
    }
    // Direct messages need the Messages tab open for writing.
    expect(manifest.features?.app_home).toEqual(
      expect.objectContaining({ messages_tab_enabled: true, messages_tab_read_only_enabled: false }),
    );
  });
});

describe('npm run manifest', () => {
  function run(argv: string[], cwd = mkdtempSync(join(tmpdir(), 'opsbot-manifest-'))) {
    const out = new PassThrough();
    const err = new PassThrough();
    const code = runManifest(argv, { out, err, cwd });
    return { code, out: String(out.read() ?? ''), err: String(err.read() ?? ''), cwd };
  }

  it('writes the placeholder manifest and says how to get one with the request URL', () => {
    // Act
    const result = run([]);

    // Assess
    expect(result.code).toBe(0);
    expect(readFileSync(join(result.cwd, 'slack', 'manifest.json'), 'utf8')).toBe(
      manifestText({ requestUrl: PLACEHOLDER_REQUEST_URL }),
    );
    expect(result.out).toContain('Wrote slack/manifest.json');
    expect(result.out).toContain('npm run manifest -- --outputs cdk-outputs.json');
  });

  it("fills the request URL from the stack's outputs file, and names the secrets to set", () => {
    // Prepare
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-manifest-'));
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/slack/events';
    writeFileSync(
      join(cwd, 'cdk-outputs.json'),
      JSON.stringify({
        Opsbot: { SlackRequestUrl: url, SlackBotTokenSecret: 'opsbot/bot-token', SlackSigningSecretName: 'opsbot/sig' },
        'OpsbotAccess-prod': {},
      }),
    );

    // Act
    const result = run(['--outputs', 'cdk-outputs.json'], cwd);

    // Assess
    expect(result.code).toBe(0);
    const written = JSON.parse(readFileSync(join(cwd, MANIFEST_FILES.deployed), 'utf8'));
    expect(written).toEqual(slackManifest({ requestUrl: url }));
    expect(result.out).toContain(`request URL ${url}`);
    expect(result.out).toContain('--secret-id opsbot/bot-token --secret-string xoxb-');
    expect(result.out).toContain('--secret-id opsbot/sig');
  });

  it('writes the Socket Mode variant with --socket, and any variant where --out says', () => {
    // Act
    const result = run(['--socket', '--out=elsewhere/app.json']);

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(result.cwd, 'elsewhere', 'app.json'), 'utf8'))).toEqual(
      slackManifest({ socketMode: true }),
    );
    expect(result.out).toContain('SLACK_APP_TOKEN');
  });

  it.each([
    [['--outputs', 'missing.json'], 'missing.json does not exist. Write it with: npx cdk deploy --outputs-file'],
    [['--url', 'http://abc.example/slack/events'], 'Slack needs an https:// request URL'],
    [['--url', 'not a url'], 'is not a URL'],
    [['--url'], '--url needs a value'],
    [['--socket', '--url', 'https://abc.example/slack/events'], 'give one of --outputs, --url and --socket'],
    [['--frobnicate'], 'unknown argument "--frobnicate"'],
  ])('refuses %j with a clear message and exit code 1', (argv, message) => {
    // Act
    const result = run(argv);

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain(message);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(readdirSync(result.cwd)).toEqual([]);
  });

  it('refuses an outputs file that is not JSON, or has no SlackRequestUrl, naming what it found', () => {
    // Prepare
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-manifest-'));
    writeFileSync(join(cwd, 'garbled.json'), '{"Opsbot": ');
    writeFileSync(join(cwd, 'other.json'), JSON.stringify({ 'OpsbotAccess-prod': { RoleArn: 'arn' } }));

    // Act
    const garbled = run(['--outputs', 'garbled.json'], cwd);
    const other = run(['--outputs', 'other.json'], cwd);

    // Assess
    expect(garbled).toEqual(
      expect.objectContaining({ code: 1, err: expect.stringContaining('garbled.json is not JSON') }),
    );
    expect(other.code).toBe(1);
    expect(other.err).toContain('has no Opsbot.SlackRequestUrl output (stacks in it: OpsbotAccess-prod)');
  });

  it('exits non-zero through npm with the message and no stack trace', () => {
    // Act
    const result = spawnSync('npm', ['run', '--silent', 'manifest', '--', '--outputs', 'no-such-outputs.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('manifest: no-such-outputs.json does not exist');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
