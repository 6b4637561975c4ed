import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isOpsbotError } from '../../integrations/errors';
import type { SandboxAccount } from '../../integrations/sandbox/account';
import type { LocalWorkspace } from '../../integrations/slack/local-workspace';
import type { SlackStandIn } from '../../integrations/slack/stand-in';
import { readCapped, tooLarge } from './body';

/** What the page posts is a line of text or a click: far less than this. */
const MAX_PAGE_BODY_BYTES = 64 * 1024;

const PAGE_DIR = join(__dirname, 'page');

/**
 * The local channel page and its small API: what the person types goes to the {@link LocalWorkspace} (which
 * delivers it to the bot as Slack would), the channel comes from the stand-in, and the panel drives the sandbox.
 */
export function pageRoutes(parts: {
  readonly standIn: SlackStandIn;
  readonly workspace: LocalWorkspace;
  readonly sandbox?: SandboxAccount;
  /** The channels the page lists (the configured ones, and a DM with the bot). */
  readonly channels: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  /** Hands an event to the worker as EventBridge would (the sandbox's pipeline runs). */
  readonly deliver: (event: unknown) => Promise<void>;
}) {
  // The page carries no token: its cookie does (set from the link npm start printed), sent with each of its requests.
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
  const script = readFileSync(join(PAGE_DIR, 'page.js'), 'utf8');

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (req.method === 'GET' && path === '/') return send(res, 200, html, 'text/html; charset=utf-8');
    if (req.method === 'GET' && path === '/local/page.js')
      return send(res, 200, script, 'text/javascript; charset=utf-8');
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
        channels: parts.channels,
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
          const channel = parts.channels.find((c) => c.id === body.channel)?.id;
          await parts.workspace.send(
            String(body.text ?? ''),
            typeof body.thread_ts === 'string' ? body.thread_ts : undefined,
            channel,
          );
          return json(res, 200, { ok: true });
        }
        case '/local/click':
          await parts.workspace.click(String(body.ts), String(body.action_id));
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
