import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpLambdaEvent } from '../../bot/edge/lambda-edge';
import { signSlackRequest } from '../../bot/edge/verify';
import { SlackStandIn } from '../../integrations/slack/stand-in';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEST_BOT_TOKEN = 'xoxb-test-000-opsbot';

/** A Lambda Function URL event (payload 2.0) carrying a Slack request, as Slack and AWS deliver it. */
export function functionUrlEvent(
  body: string,
  headers: Record<string, string>,
  options: { base64?: boolean } = {},
): HttpLambdaEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers: { 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...headers },
    requestContext: { http: { method: 'POST', path: '/slack/events' }, timeEpoch: Date.now() },
    body: options.base64 === true ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 === true,
  };
}

export interface SignOptions {
  readonly secret?: string;
  /** Seconds to shift the signed timestamp by (negative: older). */
  readonly skewSeconds?: number;
  readonly contentType?: string;
  readonly base64?: boolean;
  readonly extraHeaders?: Record<string, string>;
}

/** Signs `body` as Slack does and wraps it in a Function URL event. */
export function signedEvent(body: string, contentType: string, options: SignOptions = {}): HttpLambdaEvent {
  const ts = Math.floor(Date.now() / 1000) + (options.skewSeconds ?? 0);
  return functionUrlEvent(
    body,
    {
      'content-type': options.contentType ?? contentType,
      ...signSlackRequest(options.secret ?? TEST_SIGNING_SECRET, body, ts),
      ...options.extraHeaders,
    },
    { base64: options.base64 === true },
  );
}

let counter = 0;
const nextId = (prefix: string) =>
  `${prefix}${Date.now().toString(36).toUpperCase()}${(counter++).toString(36).toUpperCase()}`;

/** A slash command body (form-encoded), shaped like Slack's. */
export function slashCommandBody(
  text: string,
  fields: { user?: string; channel?: string; responseUrl: string },
): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0LOCAL001',
    team_domain: 'opsbot-test',
    channel_id: fields.channel ?? 'C0DEPLOYS01',
    channel_name: 'deploys',
    user_id: fields.user ?? 'U0ALICE001',
    user_name: 'alice',
    command: '/deploy',
    text,
    api_app_id: 'A0OPSBOT01',
    response_url: fields.responseUrl,
    trigger_id: nextId('trigger.'),
  }).toString();
}

/** An Events API envelope around `event`. */
export function eventBody(event: Record<string, unknown>, eventId: string = nextId('Ev')): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0LOCAL001',
    api_app_id: 'A0OPSBOT01',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0LOCAL001', user_id: 'U0OPSBOT01', is_bot: true, is_enterprise_install: false }],
  });
}

/** A signed app_mention of the bot by Alice in #deploys, a new message (a fresh ts) each time. */
export function signedMention(question: string): HttpLambdaEvent {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  return signedEvent(
    eventBody({
      type: 'app_mention',
      user: 'U0ALICE001',
      text: `<@U0OPSBOT01> ${question}`,
      ts,
      channel: 'C0DEPLOYS01',
    }),
    'application/json',
  );
}

/** A block_actions body (form-encoded `payload=`), as Slack sends a button click. */
export function buttonClickBody(input: {
  user: string;
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  responseUrl: string;
  /** The workspace the click claims; T0LOCAL001 by default. */
  team?: string;
}): string {
  const team = input.team ?? 'T0LOCAL001';
  const payload = {
    type: 'block_actions',
    user: { id: input.user, username: input.user.toLowerCase(), team_id: team },
    api_app_id: 'A0OPSBOT01',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    trigger_id: nextId('trigger.'),
    team: { id: team, domain: 'opsbot-test' },
    channel: { id: input.channel, name: 'deploys' },
    message: {
      type: 'message',
      ts: input.messageTs,
      ...(input.threadTs !== undefined && { thread_ts: input.threadTs }),
    },
    response_url: input.responseUrl,
    actions: [
      {
        action_id: input.actionId,
        block_id: 'b',
        type: 'button',
        value: input.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The Slack Web API stand-in, served over real HTTP on loopback. */
export async function startStandIn(
  botToken = TEST_BOT_TOKEN,
): Promise<{ standIn: SlackStandIn; url: string; close(): Promise<void> }> {
  const standIn = new SlackStandIn('http://127.0.0.1:0', botToken);
  const server: Server = createServer((req, res) => {
    void standIn.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.baseUrl = url;
  return {
    standIn,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
