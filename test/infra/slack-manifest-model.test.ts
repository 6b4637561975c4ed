import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILES, manifestText } from '../../bot/cli/manifest';
import { type ManifestOptions, PLACEHOLDER_REQUEST_URL } from '../../bot/slack-app';
import { checkManifestLimits, type NamedManifest, typeCheckManifests } from '../support/published-models';

const ROOT = join(__dirname, '..', '..');
const committed = (file: string): unknown => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
/** A manifest as `npm run manifest` writes it. */
const generated = (options: ManifestOptions): unknown => JSON.parse(manifestText(options));

/** The committed manifests and freshly generated ones: HTTP (placeholder and a deployed URL) and Socket Mode. */
const MANIFESTS: readonly NamedManifest[] = [
  { name: MANIFEST_FILES.placeholder, manifest: committed(MANIFEST_FILES.placeholder) },
  { name: MANIFEST_FILES.socket, manifest: committed(MANIFEST_FILES.socket) },
  { name: 'generated, placeholder URL', manifest: generated({ requestUrl: PLACEHOLDER_REQUEST_URL }) },
  {
    name: 'generated, deployed URL',
    manifest: generated({ requestUrl: 'https://abc123def4.execute-api.eu-west-1.amazonaws.com/slack/events' }),
  },
  { name: 'generated, Socket Mode', manifest: generated({ socketMode: true }) },
];

/** The committed manifest's JSON, typed loosely enough for the tests to break it. */
interface ManifestJson {
  display_information: Record<string, unknown>;
  features: { bot_user: Record<string, unknown>; slash_commands: Array<Record<string, unknown>> };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: Record<string, unknown>;
    socket_mode_enabled: boolean;
  };
}

/** A copy of the committed HTTP manifest, changed by `change`. */
function brokenManifest(change: (m: ManifestJson) => void): ManifestJson {
  const manifest = structuredClone(committed(MANIFEST_FILES.placeholder)) as ManifestJson;
  change(manifest);
  return manifest;
}

/** The manifest's slash command. */
const deploy = (m: ManifestJson) => m.features.slash_commands[0] as Record<string, unknown>;

describe('the Slack app manifests opsbot generates, against the published manifest types', () => {
  it('type-check as SchemaStore’s SlackAppManifest and as @slack/web-api’s apps.manifest.create manifest', () => {
    // Prepare
    const manifests = MANIFESTS;

    // Act
    const diagnostics = typeCheckManifests(manifests);

    // Assess
    expect(diagnostics).toEqual([]);
  });

  it('fail the type-check with an unknown or mistyped property, a missing one, or an unknown scope or event', () => {
    // Prepare
    const manifests: NamedManifest[] = [
      { name: 'excess', manifest: brokenManifest((m) => Object.assign(m.display_information, { colour: '#fff' })) },
      {
        name: 'mistyped',
        manifest: brokenManifest((m) => Object.assign(deploy(m), { should_escape: 'no' })),
      },
      { name: 'nameless', manifest: brokenManifest((m) => delete m.display_information.name) },
      { name: 'scope', manifest: brokenManifest((m) => m.oauth_config.scopes.bot.push('chat:write.everything')) },
      { name: 'event', manifest: brokenManifest((m) => m.settings.event_subscriptions.bot_events.push('message.all')) },
    ];

    // Act
    const diagnostics = typeCheckManifests(manifests);

    // Assess
    const schemaStore = 'as SlackAppManifest';
    const webApi = "as AppsManifestCreateArguments['manifest']";
    expect(diagnostics).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^excess ${schemaStore}: "colour": "#fff" — Object literal may only specify known properties`),
        ),
        expect.stringContaining(
          `excess ${webApi}: "colour": "#fff" — Object literal may only specify known properties`,
        ),
        expect.stringContaining(`mistyped ${schemaStore}: "should_escape": "no" — Type 'string' is not assignable`),
        expect.stringContaining(`mistyped ${webApi}: "should_escape": "no" — Type 'string' is not assignable`),
        expect.stringMatching(/^nameless as SlackAppManifest: .*Property 'name' is missing/),
        expect.stringContaining(
          `scope ${webApi}: "chat:write.everything" — Type '"chat:write.everything"' is not assignable to type 'BotScope'`,
        ),
        expect.stringContaining(
          `event ${webApi}: "message.all" — Type '"message.all"' is not assignable to type 'ManifestEvent'`,
        ),
      ]),
    );
    // Every manifest is caught by at least one of the two types.
    for (const { name } of manifests) expect(diagnostics.some((d) => d.startsWith(`${name} as `))).toBe(true);
  });
});

describe('the Slack app manifests opsbot generates, against the limits Slack documents', () => {
  it.each(MANIFESTS.map((m) => [m.name, m.manifest] as const))('%s is within them', (_, manifest) => {
    // Prepare
    const socketMode = (manifest as { settings: { socket_mode_enabled: boolean } }).settings.socket_mode_enabled;

    // Act
    const check = checkManifestLimits(manifest);

    // Assess
    expect(check.violations).toEqual([]);
    // Socket Mode's manifest has no request URLs to check.
    expect(check.constraints).toBeGreaterThanOrEqual(socketMode ? 30 : 36);
  });

  it.each<[string, (m: ManifestJson) => void, string[]]>([
    [
      'an app name over 35 characters',
      (m) => {
        m.display_information.name = 'opsbot, the ChatOps bot of the platform';
      },
      ['display_information.name: 39 characters, Slack allows <= 35'],
    ],
    [
      'a description over 140 characters',
      (m) => {
        m.display_information.description = 'd'.repeat(141);
      },
      ['display_information.description: 141 characters, Slack allows <= 140'],
    ],
    [
      'a long description under 175 characters',
      (m) => {
        m.display_information.long_description = 'ChatOps for containers on AWS.';
      },
      ['display_information.long_description: 30 characters, Slack requires >= 175'],
    ],
    [
      'a background colour that is not hex',
      (m) => {
        m.display_information.background_color = 'navy';
      },
      ['display_information.background_color: "navy" is not a 3- or 6-digit hex colour'],
    ],
    [
      'a bot display name with capitals and a space',
      (m) => {
        m.features.bot_user.display_name = 'Ops Bot';
      },
      ['features.bot_user.display_name: "Ops Bot" has characters other than a-z 0-9 - _ .'],
    ],
    [
      'a command without its slash, and one over 32 characters',
      (m) => {
        deploy(m).command = 'deploy';
        m.features.slash_commands.push({ ...deploy(m), command: `/${'d'.repeat(32)}` });
      },
      [
        'features.slash_commands[0].command: "deploy" does not start with /',
        'features.slash_commands[1].command: 33 characters, Slack allows <= 32',
      ],
    ],
    [
      'a usage hint over 1000 characters',
      (m) => {
        deploy(m).usage_hint = 'u'.repeat(1001);
      },
      ['features.slash_commands[0].usage_hint: 1001 characters, Slack allows <= 1000'],
    ],
    [
      'an http request URL',
      (m) => {
        m.settings.event_subscriptions.request_url = 'http://opsbot.invalid/slack/events';
      },
      ['settings.event_subscriptions.request_url: "http://opsbot.invalid/slack/events" is not an https URL'],
    ],
    [
      'a scope and a bot event asked for twice',
      (m) => {
        m.oauth_config.scopes.bot.push('chat:write');
        m.settings.event_subscriptions.bot_events.push('app_mention');
      },
      [
        'oauth_config.scopes.bot: repeated: chat:write',
        'settings.event_subscriptions.bot_events: repeated: app_mention',
      ],
    ],
    [
      'no request URLs while Socket Mode is off',
      (m) => {
        delete deploy(m).url;
        delete m.settings.event_subscriptions.request_url;
        delete m.settings.interactivity.request_url;
      },
      [
        'features.slash_commands[0].url: missing, and Socket Mode is off',
        'settings.event_subscriptions.request_url: missing, and Socket Mode is off',
        'settings.interactivity.request_url: missing, and Socket Mode is off',
      ],
    ],
  ])('reports %s', (_, change, lines) => {
    // Prepare
    const manifest = brokenManifest(change);

    // Act
    const { violations } = checkManifestLimits(manifest);

    // Assess
    expect(violations).toEqual(lines);
  });
});
