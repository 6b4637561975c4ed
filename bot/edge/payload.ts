import type { Audit } from '../../integrations/audit.port';
import { ACTIONS } from '../views/buttons';
import { array, looseObject, nullable, oneOf, optional, string } from './shape';

/**
 * What passes the signature check can still be null, huge, mistyped or crafted. Every payload is validated here,
 * before Bolt or any listener sees it: the shapes opsbot handles go on, a command it does not have gets a short
 * answer, and anything else is acknowledged with 200 and dropped (Slack never waits, retries or sees an error).
 * Listeners can rely on what is validated here; what is optional here is optional for them too.
 */

/** Slack ids: users, channels, teams, enterprises (`U0123ABCD`, `D024BE91L`, `T0001`, `E111`). */
const id = string({ pattern: /^[A-Z0-9]{2,32}$/ });
/** Message timestamps (`1795433183.023000`; Slack's own docs have one without the dot). */
const ts = string({ pattern: /^\d{1,20}(\.\d{1,8})?$/ });
/** Past Slack's own limits (40,000 characters a message), bounded by the body cap: too long is answered, not dropped. */
const text = string({ max: 200_000 });
const deliveryId = string({ pattern: /^[A-Za-z0-9._-]{1,128}$/ });
const url = string({ max: 2048, pattern: /^https?:\/\/\S+$/ });

const messageEvent = looseObject({
  type: oneOf('app_mention', 'message'),
  channel: id,
  ts,
  user: optional(id),
  text: optional(text),
  thread_ts: optional(ts),
  channel_type: optional(string({ max: 32 })),
  bot_id: optional(string({ max: 64 })),
  subtype: optional(string({ max: 64 })),
});

const eventCallback = looseObject({
  type: oneOf('event_callback'),
  event_id: deliveryId,
  team_id: optional(id),
  event: messageEvent,
});

/** Someone opened opsbot's Home tab (or its Messages tab, which is nothing to answer). */
const homeOpened = looseObject({
  type: oneOf('event_callback'),
  event_id: deliveryId,
  team_id: optional(id),
  event: looseObject({ type: oneOf('app_home_opened'), user: id, channel: id, tab: oneOf('home', 'messages') }),
});

const urlVerification = looseObject({
  type: oneOf('url_verification'),
  challenge: string({ min: 1, max: 512 }),
});

const slashCommand = looseObject({
  command: string({ pattern: /^\/[a-z0-9_-]{1,32}$/i }),
  text: optional(text),
  user_id: id,
  channel_id: id,
  team_id: optional(id),
  response_url: url,
  // Slack sends one, but a command without it is still a command (bolt-js's own fixture has none): answered, just
  // without a delivery id (Slack does not redeliver commands).
  trigger_id: optional(deliveryId),
});

const OUR_ACTION = new RegExp(`^(${Object.values(ACTIONS).join('|').replace(/\./g, '\\.')})(\\.\\d+)?$`);

const blockActions = looseObject({
  type: oneOf('block_actions'),
  user: looseObject({ id }),
  team: optional(nullable(looseObject({ id: optional(id) }))),
  channel: optional(looseObject({ id })),
  container: optional(looseObject({ channel_id: optional(id), message_ts: optional(ts) })),
  message: optional(looseObject({ ts: optional(ts), thread_ts: optional(ts) })),
  // A click in a Home tab comes from a view, without one.
  response_url: optional(url),
  trigger_id: optional(deliveryId),
  actions: array(
    looseObject({
      type: oneOf('button'),
      action_id: string({ pattern: OUR_ACTION }),
      value: optional(string({ max: 2000 })),
    }),
    { min: 1, max: 25 },
  ),
});

export type PayloadVerdict =
  /** A shape opsbot handles: on to Bolt and the listeners. */
  | { readonly kind: 'handle' }
  /** Answered here with a 200 and this JSON body (`refused`: a command from a workspace opsbot does not serve). */
  | {
      readonly kind: 'answer';
      readonly body: string;
      readonly refused?: boolean;
      readonly reason?: string;
      readonly from?: RequestFrom;
    }
  /** Acknowledged with an empty 200 and dropped; `refused` when it came from a workspace opsbot does not serve. */
  | { readonly kind: 'ignore'; readonly reason: string; readonly refused?: boolean; readonly from?: RequestFrom };

/** Who a refused request came from, for the audit. */
export interface RequestFrom {
  readonly userId?: string;
  readonly teamId?: string;
  readonly channelId?: string;
}

function parseJson(textBody: string): unknown {
  try {
    return JSON.parse(textBody) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Decides what happens to a verified Slack request by its payload.
 * @param command the slash command opsbot answers (`/deploy`).
 */
export function checkPayload(
  contentType: string | undefined,
  body: string,
  command: string,
  /** The workspaces opsbot serves (`slack.teams`); any, when not configured. */
  teams?: readonly string[],
): PayloadVerdict {
  const verdict = checkShape(contentType, body, command);
  if (verdict.kind === 'ignore' || teams === undefined) return verdict;
  const [team, enterprise] = teamOf(contentType, body);
  // An Enterprise Grid organization listed by its id (`E…`) takes every workspace in it.
  if ((team !== undefined && teams.includes(team)) || (enterprise !== undefined && teams.includes(enterprise))) {
    return verdict;
  }
  const from = senderOf(contentType, body);
  const refusal: PayloadVerdict = {
    kind: 'ignore',
    reason: `other-workspace:${String(team).slice(0, 32)}`,
    refused: true,
    from,
  };
  if (contentType !== 'application/x-www-form-urlencoded' || new URLSearchParams(body).has('payload')) return refusal;
  return {
    kind: 'answer',
    refused: true,
    reason: refusal.reason,
    from,
    body: JSON.stringify({
      response_type: 'ephemeral',
      text: "opsbot isn't set up for this workspace, so nothing was done. Ask whoever runs opsbot to add it under slack.teams.",
    }),
  };
}

/** Who sent a (well-formed) payload: user, workspace and channel ids, as far as they are ids. */
function senderOf(contentType: string | undefined, body: string): RequestFrom {
  const id = (value: unknown) => (typeof value === 'string' && /^[A-Z0-9]{2,32}$/.test(value) ? value : undefined);
  let user: unknown;
  let team: unknown;
  let channel: unknown;
  if (contentType === 'application/json') {
    const json = parseJson(body) as { team_id?: unknown; event?: { user?: unknown; channel?: unknown } } | undefined;
    [user, team, channel] = [json?.event?.user, json?.team_id, json?.event?.channel];
  } else {
    const form = new URLSearchParams(body);
    const payload = form.get('payload');
    if (payload === null) {
      [user, team, channel] = [form.get('user_id'), form.get('team_id'), form.get('channel_id')];
    } else {
      const json = parseJson(payload) as
        | { user?: { id?: unknown }; team?: { id?: unknown }; channel?: { id?: unknown } }
        | undefined;
      [user, team, channel] = [json?.user?.id, json?.team?.id, json?.channel?.id];
    }
  }
  const [userId, teamId, channelId] = [id(user), id(team), id(channel)];
  return {
    ...(userId !== undefined && { userId }),
    ...(teamId !== undefined && { teamId }),
    ...(channelId !== undefined && { channelId }),
  };
}

/** The workspace and Enterprise Grid organization a (well-formed) payload comes from. */
function teamOf(contentType: string | undefined, body: string): [string | undefined, string | undefined] {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  if (contentType === 'application/json') {
    const json = parseJson(body) as { team_id?: unknown; enterprise_id?: unknown } | undefined;
    return [text(json?.team_id), text(json?.enterprise_id)];
  }
  const form = new URLSearchParams(body);
  const payload = form.get('payload');
  if (payload === null) return [form.get('team_id') ?? undefined, form.get('enterprise_id') ?? undefined];
  const json = parseJson(payload) as
    | { team?: { id?: unknown }; user?: { team_id?: unknown }; enterprise?: { id?: unknown } | null }
    | undefined;
  return [text(json?.team?.id ?? json?.user?.team_id), text(json?.enterprise?.id)];
}

function checkShape(contentType: string | undefined, body: string, command: string): PayloadVerdict {
  if (contentType === 'application/json') {
    const json = parseJson(body);
    if (eventCallback(json)) {
      // A channel message outside any thread is never for opsbot (a mention arrives as app_mention): it is dropped
      // here, before any Store write or worker invoke.
      const e = json.event;
      const direct = e.channel_type === 'im' || (e.channel_type === undefined && e.channel.startsWith('D'));
      if (e.type === 'message' && !direct && e.thread_ts === undefined)
        return { kind: 'ignore', reason: 'channel-message' };
      return { kind: 'handle' };
    }
    if (homeOpened(json)) {
      return json.event.tab === 'home' ? { kind: 'handle' } : { kind: 'ignore', reason: 'messages-tab-opened' };
    }
    if (urlVerification(json)) return { kind: 'handle' };
    return { kind: 'ignore', reason: `json:${describe(json)}` };
  }
  if (contentType === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(body);
    const keys = [...form.keys()];
    // Bolt reads a repeated key as an array, this check would read one value: a form with a repeated key (or a
    // click's payload beside other fields) is not one Slack sends, and is never handed on.
    if (new Set(keys).size !== keys.length) return { kind: 'ignore', reason: 'form:repeated-key' };
    const payload = form.get('payload');
    if (payload !== null) {
      if (keys.length !== 1) return { kind: 'ignore', reason: 'form:payload-with-fields' };
      const json = parseJson(payload);
      if (!blockActions(json)) return { kind: 'ignore', reason: `interactivity:${describe(json)}` };
      // Only a click in a Home tab (from a view) comes without a response_url.
      const fromView = (json.container as { type?: unknown } | undefined)?.type === 'view';
      return json.response_url !== undefined || fromView
        ? { kind: 'handle' }
        : { kind: 'ignore', reason: `interactivity:${describe(json)}` };
    }
    const fields = Object.fromEntries(form);
    if (!slashCommand(fields)) return { kind: 'ignore', reason: 'form:unreadable' };
    if (fields.command !== command) {
      return {
        kind: 'answer',
        body: JSON.stringify({
          response_type: 'ephemeral',
          text: `opsbot answers ${command}; it has no ${fields.command}. Try ${command} help.`,
        }),
      };
    }
    return { kind: 'handle' };
  }
  return { kind: 'ignore', reason: `content-type:${String(contentType).slice(0, 40)}` };
}

/** A payload's kind for the log, never its content. */
function describe(json: unknown): string {
  if (json === undefined) return 'unreadable';
  if (typeof json !== 'object' || json === null) return json === null ? 'null' : typeof json;
  const type = (json as Record<string, unknown>).type;
  const event = (json as Record<string, unknown>).event;
  const eventType = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).type : undefined;
  const name = (v: unknown) => (typeof v === 'string' ? v.replace(/[^\w.-]/g, '').slice(0, 40) : typeof v);
  return eventType === undefined ? name(type) : `${name(type)}/${name(eventType)}`;
}

/** A request from a workspace opsbot does not serve, written down where every refusal is. */
export async function auditRefusedWorkspace(audit: Audit, from: RequestFrom): Promise<void> {
  await audit.record({
    action: 'Request',
    outcome: 'refused',
    reason: 'other-workspace',
    actor: { userId: from.userId ?? 'unknown', ...from },
    target: {},
  });
}
