import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { isOpsbotError } from '../../integrations/errors';
import type { SandboxAccount } from '../../integrations/sandbox/account';
import type { LocalWorkspace } from '../../integrations/slack/local-workspace';
import type { SlackStandIn } from '../../integrations/slack/stand-in';
import { readCapped, tooLarge } from './body';
import type { LocalCast, LocalPerson } from './people';

/** What the page posts is a line of text or a click: far less than this. */
const MAX_PAGE_BODY_BYTES = 64 * 1024;

const PAGE_DIR = join(__dirname, 'page');

/**
 * Chart.js's UMD build, from node_modules: the page draws Slack's data visualization blocks with it, served by this
 * server (no CDN: the page needs no network). Its package exports only its module builds, so the UMD file is found
 * beside the CommonJS one.
 */
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');

/**
 * The local channel page and its small API: what a person types goes to the {@link LocalWorkspace} (which
 * delivers it to the bot as Slack would, signed as the person the page acts as), the channel comes from the stand-in,
 * and the panel drives the sandbox. Opening the Home tab, and a click in it, reach the bot as Slack's `app_home_opened`
 * and a view's `block_actions`; the view itself comes from the stand-in (`GET /local/home`), as `views.publish` set it.
 */
export function pageRoutes(parts: {
  readonly standIn: SlackStandIn;
  readonly workspace: LocalWorkspace;
  readonly sandbox?: SandboxAccount;
  /** The configured channels the page lists; each person's DM with the bot is listed for them alone. */
  readonly channels: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  /** The people the page can act as (the first when a request names nobody), and the roles nobody has. */
  readonly cast: LocalCast;
  /** Hands an event to the worker as EventBridge would (the sandbox's pipeline runs). */
  readonly deliver: (event: unknown) => Promise<void>;
}) {
  // The page carries no token: its cookie does (set from the link npm start printed), sent with each of its requests.
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
  const script = readFileSync(join(PAGE_DIR, 'page.js'), 'utf8');
  const chartLibrary = readFileSync(CHART_JS, 'utf8');
  const { people } = parts.cast;

  /** The person a request acts as: one the page offers, never an id taken on trust; the first when it names nobody. */
  const personOf = (body: Record<string, unknown>): LocalPerson => {
    const first = people[0] as LocalPerson;
    if (body.user === undefined) return first;
    const person = people.find((p) => p.id === body.user);
    if (person === undefined) {
      throw new Error(
        `"user" must be one of the people this page acts as: ${people.map((p) => `${p.id} (${p.name})`).join(', ')}.`,
      );
    }
    return person;
  };
  /** A channel the page shows to this person: a configured one, or their own DM; the deploys channel when unnamed. */
  const channelOf = (body: Record<string, unknown>, person: LocalPerson): string => {
    if (body.channel === undefined) return parts.workspace.channel;
    const channel =
      parts.channels.find((c) => c.id === body.channel)?.id ?? (body.channel === person.dm ? person.dm : undefined);
    if (channel === undefined) {
      throw new Error(
        `"channel" must be one of ${[...parts.channels.map((c) => c.id), person.dm].join(', ')} (${person.name}'s DM is ${person.dm}).`,
      );
    }
    return channel;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (req.method === 'GET' && path === '/') return send(res, 200, html, 'text/html; charset=utf-8');
    if (req.method === 'GET' && path === '/local/page.js')
      return send(res, 200, script, 'text/javascript; charset=utf-8');
    if (req.method === 'GET' && path === '/local/vendor/chart.js')
      return send(res, 200, chartLibrary, 'text/javascript; charset=utf-8');
    if (req.method === 'GET' && path === '/local/stream') {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      const stop = parts.standIn.onChange(() => res.write('data: changed\n\n'));
      req.on('close', stop);
      return true;
    }
    if (req.method === 'GET' && path === '/local/workspace') {
      return json(res, 200, { channels: parts.channels, people, notes: parts.cast.notes });
    }
    if (req.method === 'GET' && path === '/local/sandbox') {
      const sandbox = parts.sandbox;
      const alarms = sandbox === undefined ? [] : sandbox.alarms.all();
      const pipelines = sandbox === undefined ? [] : await sandbox.pipelines.list();
      const targets = sandbox === undefined ? [] : sandbox.deployments.targets();
      return json(res, 200, {
        now: sandbox?.clock.now() ?? Date.now(),
        alarms,
        pipelines,
        targets,
      });
    }
    if (req.method !== 'POST' || !path.startsWith('/local/')) return false;

    const raw = await readCapped(req, MAX_PAGE_BODY_BYTES);
    if (raw === undefined) {
      tooLarge(res);
      return true;
    }
    const body = parseJson(raw.toString('utf8'));
    try {
      switch (path) {
        case '/local/send': {
          const person = personOf(body);
          await parts.workspace.send(String(body.text ?? ''), {
            channel: channelOf(body, person),
            user: person.id,
            ...(typeof body.thread_ts === 'string' && { threadTs: body.thread_ts }),
          });
          return json(res, 200, { ok: true });
        }
        case '/local/click':
          await parts.workspace.click(String(body.ts), String(body.action_id), personOf(body).id);
          return json(res, 200, { ok: true });
        case '/local/home/open': {
          // Slack's app_home_opened, as when the person opens opsbot's Home tab; the bot answers with views.publish.
          const person = personOf(body);
          await parts.workspace.openHome(person.id, person.dm);
          return json(res, 200, { ok: true });
        }
        case '/local/home/click':
          await parts.workspace.clickHome(String(body.action_id), personOf(body).id);
          return json(res, 200, { ok: true });
        case '/local/sandbox/alarm': {
          // The change reaches the worker as CloudWatch's EventBridge event would: the same reaction acts on it.
          const name = String(body.name);
          const events =
            (body.state === 'ALARM' ? parts.sandbox?.alarms.trip(name) : parts.sandbox?.alarms.clear(name)) ?? [];
          for (const event of events) await parts.deliver(event);
          return json(res, 200, { ok: true, events: events.length });
        }
        case '/local/sandbox/advance':
          parts.sandbox?.clock.advance(Math.max(0, Number(body.minutes ?? 0)) * 60_000);
          return json(res, 200, { ok: true, now: parts.sandbox?.clock.now() });
        case '/local/sandbox/pipeline': {
          // A pipeline run whose events reach the worker as EventBridge would deliver them: the same reaction posts.
          const events =
            parts.sandbox?.pipelines.run(String(body.name), body.outcome === 'succeed' ? 'succeed' : 'fail') ?? [];
          for (const event of events) await parts.deliver(event);
          return json(res, 200, { ok: true, events: events.length });
        }
        case '/local/sandbox/deploy-fail':
          parts.sandbox?.deployments.failNext(String(body.service), String(body.environment));
          return json(res, 200, { ok: true });
        case '/local/sandbox/deploy-gate':
          parts.sandbox?.deployments.gateNext(String(body.service), String(body.environment));
          return json(res, 200, { ok: true });
        case '/local/sandbox/digest': {
          // The event the daily schedule delivers, for the sandbox's current day: the same reaction posts it.
          const now = parts.sandbox?.clock.now() ?? Date.now();
          await parts.deliver({
            version: '0',
            id: `local-${now}`,
            'detail-type': 'Maintenance Digest',
            source: 'opsbot.scheduler',
            account: 'local',
            time: new Date(now).toISOString(),
            region: 'local',
            resources: [],
            detail: {},
          });
          return json(res, 200, { ok: true });
        }
        case '/local/sandbox/reset':
          parts.sandbox?.reset();
          return json(res, 200, { ok: true });
        default:
          return false;
      }
    } catch (error) {
      return send(
        res,
        400,
        isOpsbotError(error) ? error.userMessage : (error as Error).message,
        'text/plain; charset=utf-8',
      );
    }
  };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function send(res: ServerResponse, status: number, body: string, type: string): true {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
  return true;
}

function json(res: ServerResponse, status: number, body: unknown): true {
  return send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}
