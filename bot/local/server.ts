import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPReceiver } from '@slack/bolt';
import { LocalWorkspace } from '../../integrations/slack/local-workspace';
import { SlackStandIn } from '../../integrations/slack/stand-in';
import { unfinishedRuns } from '../../intents';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import { boltLogger, createApp } from '../app';
import type { OpsbotConfig } from '../config';
import { createDeps, type Deps, type DepsOverrides } from '../deps';
import { MAX_BODY_BYTES } from '../edge/lambda-edge';
import { auditRefusedWorkspace, checkPayload } from '../edge/payload';
import { checkSlackRequest } from '../edge/verify';
import type { Settings } from '../settings';
import { handleWorkerInput } from '../worker/router';
import { readCapped, tooLarge } from './body';
import { checkLocalRequest, createLocalToken, tokenCookie, tokenCookieName, tokenInUrl } from './guard';
import { pageRoutes } from './page';
import { localPeople } from './people';

/** The Slack request URL path, locally and behind API Gateway. */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface LocalServer {
  readonly url: string;
  readonly server: Server;
  readonly deps: Deps;
  /** The Slack Web API stand-in, when opsbot talks to no real Slack workspace. */
  readonly standIn?: SlackStandIn;
  /** Slack's part for the local page: delivers what the person types, signed, to the request URL. */
  readonly workspace?: LocalWorkspace;
  /** This run's token for the local page's POST routes (also in `<data dir>/local-token`). */
  readonly token: string;
  close(): Promise<void>;
}

/**
 * Runs opsbot on one local port: the Slack request URL (Bolt's HTTP receiver behind the same strict checks as
 * the Lambda edge) and, unless a real bot token is set, a stand-in of the Slack Web API that the bot posts to.
 * Socket Mode (a real workspace without a public URL) is `startSocketMode` in `socket.ts`.
 */
/**
 * What `npm start` says of `SLACK_API_URL` when it serves the Slack Web API itself (no `SLACK_BOT_TOKEN`: the local
 * page's stand-in), where the variable cannot apply; nothing when it applies (a real bot token) or is not set.
 */
export function ignoredSlackApiUrl(settings: Pick<Settings, 'slackApiUrl'>, usesStandIn: boolean): string | undefined {
  if (!usesStandIn || settings.slackApiUrl === undefined) return undefined;
  return 'SLACK_API_URL is ignored: without SLACK_BOT_TOKEN, npm start serves the Slack Web API itself (for the local page); set SLACK_BOT_TOKEN to send Slack calls to SLACK_API_URL';
}

/** Connections the local server keeps open at once; more are refused until some close. */
const MAX_CONNECTIONS = 256;

export async function startLocalServer(
  settings: Settings,
  config: OpsbotConfig,
  options: {
    host?: string;
    useStandIn?: boolean;
    overrides?: DepsOverrides;
    /** How long a connection may take to send its headers, and its whole request (tests shorten them). */
    timeouts?: { readonly headersMs: number; readonly requestMs: number };
  } = {},
): Promise<LocalServer> {
  const host = options.host ?? settings.host;
  let route: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  // A connection that never finishes its headers or its body is closed after a few seconds (checked every second),
  // and no more than MAX_CONNECTIONS are open at once: a stalled client cannot hold the server.
  const timeouts = options.timeouts ?? { headersMs: 5_000, requestMs: 10_000 };
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
      keepAliveTimeout: 5_000,
    },
    (req, res) => route(req, res),
  );
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve) => server.listen(settings.port, host, resolve));
  // Listening on every address still serves this machine at 127.0.0.1: the stand-in's URLs and the page use it.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${reachable}:${port}`;

  const useStandIn = options.useStandIn ?? true;
  // The stand-in's bot token is new each run, so nothing but this bot can post as it.
  const localToken = settings.botTokenIsDefault ? `xoxb-local-${randomBytes(16).toString('hex')}` : settings.botToken;
  const standIn = useStandIn ? new SlackStandIn(url, localToken) : undefined;
  const effective: Settings =
    standIn === undefined ? settings : { ...settings, botToken: localToken, slackApiUrl: `${url}/api/` };
  const deps = createDeps(effective, config, options.overrides);
  const log = deps.edge.log;

  // The people the page can act as, with the rights the configuration gives them; what Slack says of them (a guest
  // account, a user group's members) is said by the stand-in, as Slack would answer users.info and usergroups.
  const cast = localPeople(config);
  for (const person of cast.people) {
    if (person.guest === true) standIn?.people.set(person.id, { guest: 'multi-channel' });
    for (const group of person.groups ?? [])
      standIn?.groups.set(group, [...(standIn.groups.get(group) ?? []), person.id]);
  }
  const workspace =
    standIn === undefined
      ? undefined
      : new LocalWorkspace(standIn, {
          requestUrl: `${url}${SLACK_EVENTS_PATH}`,
          signingSecret: settings.signingSecret,
          botUserId: deps.edge.botUserId,
          command: deps.edge.command,
          ...(config.slack !== undefined && { channel: config.slack.channels.deploys }),
          ...(cast.people[0] !== undefined && { user: cast.people[0].id }),
        });
  const token = createLocalToken(settings.dataDir);
  const page =
    standIn !== undefined && workspace !== undefined
      ? pageRoutes({
          standIn,
          workspace,
          channels: Object.entries(config.slack?.channels ?? { deploys: workspace.channel }).map(([name, id]) => ({
            id,
            name: `#${name}`,
          })),
          cast,
          deliver: async (event) => {
            await handleWorkerInput(event as EventBridgeEvent, deps.worker);
          },
          ...(deps.sandbox !== undefined && { sandbox: deps.sandbox }),
        })
      : undefined;

  const receiver = new HTTPReceiver({
    signingSecret: settings.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    logger: boltLogger(log),
  });
  createApp(deps.edge, {
    receiver,
    botToken: effective.botToken,
    ...(effective.slackApiUrl !== undefined && { slackApiUrl: effective.slackApiUrl }),
  });

  route = (req, res) => {
    void serve(req, res).catch((error: unknown) => {
      // A client that went away (or was timed out) mid-request is no failure of opsbot's.
      const code = (error as NodeJS.ErrnoException).code;
      if (
        req.destroyed ||
        code === 'ECONNRESET' ||
        code === 'ERR_STREAM_PREMATURE_CLOSE' ||
        (error as Error).message === 'aborted'
      ) {
        log.debug('local.request_aborted', { code: String(code ?? 'aborted') });
        return;
      }
      log.error('local.request_failed', { error: (error as Error).message });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    if (path === SLACK_EVENTS_PATH && req.method === 'POST') {
      const raw = await readCapped(req, MAX_BODY_BYTES);
      if (raw === undefined) {
        log.warn('slack.request_rejected', { reason: 'too-large' });
        tooLarge(res);
        return;
      }
      const check = checkSlackRequest({
        signingSecret: settings.signingSecret,
        body: raw.toString('utf8'),
        header: (name) => {
          const v = req.headers[name];
          return Array.isArray(v) ? v[0] : v;
        },
      });
      if (check.kind !== 'verified') {
        if (check.kind === 'rejected') log.warn('slack.request_rejected', { reason: check.reason });
        res.writeHead(check.kind === 'ssl-check' ? 200 : 401).end();
        return;
      }
      const verdict = checkPayload(check.contentType, raw.toString('utf8'), deps.edge.command, config.slack?.teams);
      if (verdict.kind !== 'handle' && verdict.refused === true && verdict.from !== undefined) {
        await auditRefusedWorkspace(deps.edge.audit, verdict.from);
      }
      if (verdict.kind === 'ignore') {
        if (verdict.refused === true) log.warn('slack.request_rejected', { reason: verdict.reason });
        else log.debug('slack.payload_ignored', { reason: verdict.reason });
        res.writeHead(200).end();
        return;
      }
      if (verdict.kind === 'answer') {
        if (verdict.refused === true) log.warn('slack.request_rejected', { reason: verdict.reason });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(verdict.body);
        return;
      }
      // Hand Bolt the buffered body and a Content-Type without parameters (it compares the whole header).
      if (check.contentType !== undefined) req.headers['content-type'] = check.contentType;
      Object.assign(req, { rawBody: raw });
      receiver.requestListener(req, res);
      return;
    }
    const local = checkLocalRequest(req, path, token, tokenCookieName(port));
    if (!local.ok) {
      res.writeHead(local.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(local.message);
      return;
    }
    if (req.method === 'GET' && path === '/' && tokenInUrl(req, token)) {
      // As Jupyter: the link's token becomes the page's cookie, and leaves the address bar (and the history).
      res.writeHead(302, { Location: '/', 'Set-Cookie': tokenCookie(port, token), 'Cache-Control': 'no-store' }).end();
      return;
    }
    if (standIn !== undefined && (await standIn.handle(req, res))) return;
    if (page !== undefined && (await page(req, res))) return;
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  }

  const stopWatching = await watchDeploysLocally(deps);

  return {
    url,
    server,
    deps,
    ...(standIn !== undefined && { standIn }),
    ...(workspace !== undefined && { workspace }),
    token,
    async close() {
      stopWatching();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Watches deploys on the clock, as there is no Step Functions locally: their messages move by themselves, and deploys
 * a previous run left unfinished (their records are in the local Store) are watched again. Returns the stop.
 */
export async function watchDeploysLocally(deps: Deps): Promise<() => void> {
  const watcher = deps.watcher;
  if (watcher === undefined) return () => undefined;
  const log = deps.edge.log;
  const ticking = setInterval(() => {
    void (async () => {
      await watcher.tick();
      // A retried pipeline stage ends on the sandbox clock: its events reach the worker as EventBridge delivers them.
      for (const event of deps.sandbox?.pipelines.dueEvents() ?? [])
        await handleWorkerInput(event as EventBridgeEvent, deps.worker);
    })().catch((error: unknown) => log.warn('deploy.tick_failed', { error: String(error) }));
  }, 1000);
  ticking.unref();
  for (const run of await unfinishedRuns(deps.worker.ports).catch(() => [])) await watcher.watch(run.id);
  return () => clearInterval(ticking);
}
