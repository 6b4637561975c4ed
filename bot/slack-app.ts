import type { AppsManifestCreateArguments } from '@slack/web-api';
import { ACTIONS } from './views/buttons';

/**
 * The Slack app opsbot is, declared once: the slash command, the events its listeners hear, its buttons, and every
 * Web API method it calls, each with the scope Slack requires for it. The app manifest is
 * generated from this ({@link slackManifest}, `npm run manifest`), the command listener registers the command named
 * here, and a unit test checks that what the listeners register and what the code calls is all declared here, and
 * nothing more — so a scope is requested only while something needs it.
 */

/** Slack's app manifest, as the Web API's `apps.manifest.create` takes it (so scope and event names are checked). */
export type SlackManifest = AppsManifestCreateArguments['manifest'];
type ManifestSettings = NonNullable<SlackManifest['settings']>;
/** A bot token scope, by Slack's name. */
export type BotScope = NonNullable<NonNullable<NonNullable<SlackManifest['oauth_config']>['scopes']>['bot']>[number];
/** An Events API subscription, by Slack's name (`message.im`, not the event type `message`). */
export type BotEvent = NonNullable<NonNullable<ManifestSettings['event_subscriptions']>['bot_events']>[number];

/** Who the app is, as Slack shows it. */
export const SLACK_APP_IDENTITY = {
  name: 'opsbot',
  description: 'ChatOps for containers on AWS: pipelines, blue/green deploys, rollbacks and maintenance.',
  longDescription:
    'opsbot answers from, and acts on, your AWS accounts. Ask whether a CodePipeline pipeline is green, deploy ' +
    'an image tag to an ECS service blue/green (CodeDeploy or ECS) with a Confirm button, locks, approvals and an ' +
    'audit trail, roll back by hand or when a CloudWatch alarm fires, and read a daily digest of AWS scheduled ' +
    'maintenance. Use /deploy, mention @opsbot, or send it a direct message.',
  backgroundColor: '#1d3c5a',
  botDisplayName: 'opsbot',
} as const;

/** A slash command as the manifest declares it, and the scope it needs. */
export interface SlashCommand {
  readonly command: string;
  readonly description: string;
  readonly usageHint: string;
  readonly shouldEscape: boolean;
  readonly scope: BotScope;
}

/** The slash command: its listener (`command.listener.ts`) registers this name. */
export const SLASH_COMMAND = {
  command: '/deploy',
  description: 'Deploy, roll back, lock, and ask about deploys, pipelines and AWS maintenance',
  usageHint: '[service] [environment] [version] · rollback · status · locks · pipelines · maintenance · help',
  // The grammar reads plain names; escaped, a #channel or @person would arrive as Slack ids instead of words.
  shouldEscape: false,
  scope: 'commands',
} as const satisfies SlashCommand;

/** One Events API subscription: what Slack sends, which Bolt listener hears it, and the scope Slack requires. */
export interface EventSubscription {
  readonly subscription: BotEvent;
  /** The event type the Bolt listener registers for: `app.event(type)`; `app.message()` hears `message`. */
  readonly listener: 'app_mention' | 'message' | 'app_home_opened';
  /** None for `app_home_opened`, which Slack sends without one. */
  readonly scope?: BotScope;
  readonly why: string;
}

/** The events the listeners hear: `message.listener.ts` (mentions, DMs, thread replies) and `home.listener.ts`. */
export const EVENT_SUBSCRIPTIONS: readonly EventSubscription[] = [
  {
    subscription: 'app_mention',
    listener: 'app_mention',
    scope: 'app_mentions:read',
    why: 'a question or request that mentions @opsbot, in any conversation it is in',
  },
  { subscription: 'message.im', listener: 'message', scope: 'im:history', why: 'direct messages to opsbot' },
  {
    subscription: 'message.channels',
    listener: 'message',
    scope: 'channels:history',
    why: 'the answer to a question opsbot asked in a thread of a public channel',
  },
  {
    subscription: 'message.groups',
    listener: 'message',
    scope: 'groups:history',
    why: 'the answer to a question opsbot asked in a thread of a private channel',
  },
  {
    subscription: 'message.mpim',
    listener: 'message',
    scope: 'mpim:history',
    why: 'the answer to a question opsbot asked in a thread of a group DM',
  },
  {
    subscription: 'app_home_opened',
    listener: 'app_home_opened',
    why: 'someone opened opsbot’s Home tab: what runs where is published for them (home.listener.ts)',
  },
];

/** The buttons `action.listener.ts` answers (Slack sends their clicks as interactivity). */
export const BUTTON_ACTION_IDS: readonly string[] = Object.values(ACTIONS);

/** A Web API method opsbot calls, the token it calls it with, the scopes Slack requires for it, and who calls it. */
export interface WebApiMethod {
  /** `bot`: the bot token (`xoxb-`), whose scopes the manifest requests; `app`: the app-level token (`xapp-`). */
  readonly token: 'bot' | 'app';
  /** Every bot scope the calls need: a method reading conversations needs the history scope of each kind. */
  readonly scopes: readonly BotScope[];
  /** The app-level token's scope, which is given when the token is generated, not in the manifest. */
  readonly appScope?: 'connections:write';
  readonly why: string;
}

/** Every Web API method the code calls (the test finds each `client.<method>(` in bot/ and integrations/). */
export const WEB_API_METHODS: Readonly<Record<string, WebApiMethod>> = {
  'chat.postMessage': {
    token: 'bot',
    scopes: ['chat:write'],
    why: 'answers, cards and deploy messages (SlackWebApiChat.post)',
  },
  'chat.update': {
    token: 'bot',
    scopes: ['chat:write'],
    why: 'a deploy message updated in place (SlackWebApiChat.update)',
  },
  'chat.delete': {
    token: 'bot',
    scopes: ['chat:write'],
    why: 'a copy of a post that Slack received after opsbot gave up on it and posted again (SlackWebApiChat.post)',
  },
  'chat.postEphemeral': {
    token: 'bot',
    scopes: ['chat:write'],
    why: 'refusals and errors for one person in a conversation (SlackWebApiChat.postEphemeral, guard.middleware)',
  },
  'conversations.history': {
    token: 'bot',
    scopes: ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
    why: 'after a Slack outage, whether a post landed before it is posted again (SlackWebApiChat.findPosted)',
  },
  'conversations.replies': {
    token: 'bot',
    scopes: ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
    why: 'the same, for a post in a thread',
  },
  'users.info': {
    token: 'bot',
    scopes: ['users:read'],
    why: 'guests and other workspaces are refused (SlackWebApiPeople.person)',
  },
  'usergroups.users.list': {
    token: 'bot',
    scopes: ['usergroups:read'],
    why: 'rules may name user groups (SlackWebApiPeople.groupMembers)',
  },
  'views.publish': {
    token: 'bot',
    scopes: [],
    why: 'a person’s Home tab: what runs where (SlackWebApiChat.publishHome)',
  },
  'auth.test': {
    token: 'bot',
    scopes: [],
    why: 'Socket Mode checks SLACK_BOT_TOKEN and learns the bot ids at start-up (bot/local/socket.ts)',
  },
  'apps.connections.open': {
    token: 'app',
    scopes: [],
    appScope: 'connections:write',
    why: 'Socket Mode checks SLACK_APP_TOKEN before Bolt opens the connection (bot/local/socket.ts)',
  },
};

/** The request URL the committed manifest carries until the stack's is filled in (`.invalid`: never resolves). */
export const PLACEHOLDER_REQUEST_URL = 'https://opsbot.invalid/slack/events';

/** The bot scopes the app requests: those of the command, the events and the methods, once each, sorted. */
export function botScopes(): BotScope[] {
  const scopes = new Set<BotScope>([
    SLASH_COMMAND.scope,
    ...EVENT_SUBSCRIPTIONS.flatMap((e) => (e.scope !== undefined ? [e.scope] : [])),
    ...Object.values(WEB_API_METHODS)
      .filter((m) => m.token === 'bot')
      .flatMap((m) => m.scopes),
  ]);
  return [...scopes].sort();
}

export type ManifestOptions =
  /** Slack sends commands, events and clicks over HTTPS to `requestUrl` (the stack's `SlackRequestUrl`). */
  | { readonly socketMode?: false; readonly requestUrl: string }
  /** Slack sends them over the Socket Mode connection: no request URLs. */
  | { readonly socketMode: true };

/**
 * The Slack app manifest (https://docs.slack.dev/reference/app-manifest), from the declarations above.
 * @example
 * slackManifest({ requestUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/slack/events' });
 * slackManifest({ socketMode: true });
 */
export function slackManifest(options: ManifestOptions): SlackManifest {
  const url = options.socketMode === true ? undefined : options.requestUrl;
  const withUrl = (key: 'url' | 'request_url') => (url === undefined ? {} : { [key]: url });
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: SLACK_APP_IDENTITY.name,
      description: SLACK_APP_IDENTITY.description,
      long_description: SLACK_APP_IDENTITY.longDescription,
      background_color: SLACK_APP_IDENTITY.backgroundColor,
    },
    features: {
      // The Home tab shows what runs where; the Messages tab, open for writing, is where people send opsbot direct
      // messages (and where what the Home tab's buttons start is answered).
      app_home: { home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
      bot_user: { display_name: SLACK_APP_IDENTITY.botDisplayName, always_online: true },
      slash_commands: [
        {
          command: SLASH_COMMAND.command,
          ...withUrl('url'),
          description: SLASH_COMMAND.description,
          usage_hint: SLASH_COMMAND.usageHint,
          should_escape: SLASH_COMMAND.shouldEscape,
        },
      ],
    },
    oauth_config: { scopes: { bot: botScopes() } },
    settings: {
      event_subscriptions: {
        ...withUrl('request_url'),
        bot_events: [...new Set(EVENT_SUBSCRIPTIONS.map((e) => e.subscription))],
      },
      interactivity: { is_enabled: BUTTON_ACTION_IDS.length > 0, ...withUrl('request_url') },
      org_deploy_enabled: false,
      socket_mode_enabled: options.socketMode === true,
      token_rotation_enabled: false,
    },
  };
}
