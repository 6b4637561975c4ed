import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkHomeView, checkMessage } from './block-kit';

/** One message in the stand-in's channel, as its latest update left it. */
export interface StandInMessage {
  ts: string;
  channel: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  /** Visible only to `user`. */
  ephemeral: boolean;
  user?: string;
  /** Who wrote it: the bot, or a person (messages typed on the local page). */
  from: 'bot' | 'person';
  /** How many times it was updated in place. */
  updates: number;
  /** The message's metadata, as `chat.postMessage` took it. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** The local workspace's team id. */
const LOCAL_TEAM = 'T0LOCAL001';

/** An account the stand-in's `users.info` describes. */
export interface StandInPerson {
  /** Another workspace's (a Slack Connect partner). */
  readonly teamId?: string;
  readonly guest?: 'multi-channel' | 'single-channel';
  readonly deleted?: boolean;
  /** False: Slack knows no such user. */
  readonly exists?: boolean;
}

/** A failure the stand-in plays for a Web API call (see {@link SlackStandIn.failNext}). */
export type StandInFault =
  | { readonly error: string }
  | {
      readonly status: number;
      readonly retryAfter?: number;
      readonly afterDoing?: boolean;
      /** The call is carried out this long after its failed answer: Slack received it after the client gave up. */
      readonly landsAfterMs?: number;
    };

interface ResponseTarget {
  readonly channel: string;
  readonly user: string;
  /** The message the interaction came from (a button's card, a command's acknowledgement): `replace_original` and `delete_original` act on it. */
  messageTs?: string;
  readonly threadTs?: string;
  uses: number;
  /** An answer replaced or deleted the original before it was shown (a fast worker): it is never shown then. */
  superseded?: boolean;
}

/**
 * A local stand-in of the Slack Web API: `chat.postMessage`, `chat.update`, `chat.postEphemeral`, `auth.test`,
 * `users.info`, `usergroups.users.list` and `response_url`s it mints. It keeps the channel as a list of messages, served as JSON at
 * `GET /local/messages`, so tests and the local page read what the bot said exactly as Slack would show it.
 * It refuses what Slack would refuse: a message that breaks Slack's Block Kit limits is never shown (see
 * {@link checkMessage}).
 */
export class SlackStandIn {
  readonly messages: StandInMessage[] = [];
  /** Every Web API call, in order, for assertions. */
  readonly calls: Array<{ method: string; args: Record<string, unknown> }> = [];
  /**
   * The workspace's accounts as `users.info` answers: a user id not listed here is a full member of the local
   * workspace (`T0LOCAL001`); tests list guests, partners from other workspaces and deactivated accounts.
   */
  readonly people = new Map<string, StandInPerson>();
  /** User groups as `usergroups.users.list` answers; a group not listed here does not exist. */
  readonly groups = new Map<string, string[]>();
  /**
   * Block types this workspace does not show (a plan or client without charts): Slack refuses a message holding one
   * (`invalid_blocks`, "unsupported type"), as it refuses a type it does not know. Empty: every type it models.
   */
  readonly unsupportedBlocks = new Set<string>();
  /** Each person's Home tab, as `views.publish` last set it (with Slack's view id and the publication's count). */
  readonly homeViews = new Map<string, { id: string; view: Record<string, unknown>; publications: number }>();
  private readonly responseTargets = new Map<string, ResponseTarget>();
  private readonly faults: Array<{ method: string; fault: StandInFault }> = [];
  private lastTs = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    /** Base URL the stand-in is reachable at (`http://127.0.0.1:3000`), for the response_urls it mints. */
    public baseUrl: string,
    private readonly botToken?: string,
  ) {}

  /** Calls `listener` whenever the channel changes (the local page's live updates). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Mints a response_url for an interaction, as Slack does for commands and button clicks. */
  mintResponseUrl(target: Omit<ResponseTarget, 'uses'>): string {
    // Secret, as Slack's are: whoever holds a response_url can post with it.
    const id = randomBytes(12).toString('base64url');
    this.responseTargets.set(id, { ...target, uses: 0 });
    return `${this.baseUrl}/local/response/${id}`;
  }

  /** Adds a message a person wrote (from the local page). */
  addPersonMessage(channel: string, user: string, text: string, threadTs?: string): StandInMessage {
    return this.append({
      channel,
      text,
      ephemeral: false,
      user,
      from: 'person',
      ...(threadTs !== undefined && { thread_ts: threadTs }),
    });
  }

  /**
   * Shows an acknowledgement's message (a slash command's immediate answer) as Slack does: only to `user`. With the
   * command's response_url, later `replace_original` / `delete_original` posts to it act on this message.
   */
  addAcknowledgement(
    channel: string,
    user: string,
    message: { text?: string; blocks?: unknown[]; response_type?: string },
    responseUrl?: string,
  ): StandInMessage {
    const ephemeral = message.response_type !== 'in_channel';
    const target =
      responseUrl === undefined ? undefined : this.responseTargets.get(responseUrl.split('/').at(-1) ?? '');
    const ack = {
      channel,
      text: message.text ?? '',
      ephemeral,
      from: 'bot',
      ...(ephemeral && { user }),
      ...(message.blocks !== undefined && { blocks: message.blocks }),
    } as const;
    if (target?.superseded === true) return { ...ack, ts: this.nextTs(), updates: 0 };
    const shown = this.append(ack);
    if (target !== undefined) target.messageTs = shown.ts;
    return shown;
  }

  /** The channel as JSON: every message in order, with its latest content. */
  snapshot(): StandInMessage[] {
    return this.messages.map((m) => ({ ...m }));
  }

  /** Serves the stand-in's routes; false when the request is not one of them. */
  async handle(req: IncomingMessage, res: ServerResponse, rawBody?: string): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'GET' && url.pathname === '/local/messages') {
      send(res, 200, this.snapshot());
      return true;
    }
    if (req.method === 'GET' && url.pathname === '/local/home') {
      // A person's Home tab as last published: its blocks, or none yet.
      const shown = this.homeViews.get(url.searchParams.get('user') ?? '');
      send(res, 200, shown === undefined ? { published: false } : { published: true, ...shown });
      return true;
    }
    const responseMatch = /^\/local\/response\/([A-Za-z0-9_-]{1,64})$/.exec(url.pathname);
    const apiMatch = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || (responseMatch === null && apiMatch === null)) return false;
    const raw = rawBody ?? (await readBody(req));
    if (raw === undefined) {
      // The rest of the body is never read: the connection is closed with the answer.
      res.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end('payload_too_large', () => res.socket?.destroy());
      return true;
    }
    if (responseMatch !== null) {
      const body = parseBody(req.headers['content-type'], raw);
      const answer = this.respond(responseMatch[1] as string, body);
      if (answer.status === 400) sendText(res, 400, answer.error);
      else send(res, answer.status, answer.status === 200 ? { ok: true } : { ok: false, error: 'expired_url' });
      return true;
    }
    if (apiMatch !== null) {
      const method = apiMatch[1] as string;
      const args = parseBody(req.headers['content-type'], raw);
      const auth = req.headers.authorization ?? (typeof args.token === 'string' ? `Bearer ${args.token}` : undefined);
      const fault = this.takeFault(method);
      if (fault === undefined) {
        send(res, 200, this.call(method, args, auth));
      } else if ('error' in fault) {
        this.calls.push({ method, args });
        send(res, 200, { ok: false, error: fault.error });
      } else {
        // An outage: the call is refused before it is carried out, or carried out and its answer lost.
        if (fault.afterDoing === true) this.call(method, args, auth);
        else if (fault.landsAfterMs !== undefined) setTimeout(() => this.call(method, args, auth), fault.landsAfterMs);
        else this.calls.push({ method, args });
        res.writeHead(fault.status, {
          'Content-Type': 'text/plain',
          ...(fault.retryAfter !== undefined && { 'Retry-After': String(fault.retryAfter) }),
        });
        res.end(fault.status === 429 ? 'ratelimited' : 'upstream unavailable');
      }
      return true;
    }
    return false;
  }

  /**
   * Makes the next call to `method` fail as Slack can: an error answer (`{ error: 'missing_scope' }`), an HTTP status
   * (429 with `retryAfter` seconds, 500, 503), or — `afterDoing` — the call carried out and its answer lost.
   */
  failNext(method: string, fault: StandInFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ method, fault });
  }

  /** Slack is back: no more failures. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  private takeFault(method: string): StandInFault | undefined {
    const index = this.faults.findIndex((f) => f.method === method);
    if (index < 0) return undefined;
    const [taken] = this.faults.splice(index, 1);
    return taken?.fault;
  }

  private call(method: string, args: Record<string, unknown>, auth: string | undefined): Record<string, unknown> {
    this.calls.push({ method, args });
    if (auth === undefined || !auth.startsWith('Bearer xox')) return { ok: false, error: 'not_authed' };
    if (this.botToken !== undefined && auth !== `Bearer ${this.botToken}`) return { ok: false, error: 'invalid_auth' };
    const blocks = parseBlocks(args.blocks);
    if (blocks === null) return { ok: false, error: 'invalid_blocks' };
    const text = typeof args.text === 'string' ? args.text : '';
    const channel = typeof args.channel === 'string' ? args.channel : '';
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'U0OPSBOT01', bot_id: 'B0OPSBOT01', team_id: LOCAL_TEAM };
      case 'users.info': {
        const id = typeof args.user === 'string' ? args.user : '';
        const known = this.people.get(id);
        if (!/^[UW][A-Z0-9]{2,}$/.test(id) || known?.exists === false) return { ok: false, error: 'user_not_found' };
        // The fields of Slack's user object that opsbot reads, as users.info returns them.
        return {
          ok: true,
          user: {
            id,
            team_id: known?.teamId ?? LOCAL_TEAM,
            name: id.toLowerCase(),
            deleted: known?.deleted === true,
            is_bot: false,
            is_restricted: known?.guest !== undefined,
            is_ultra_restricted: known?.guest === 'single-channel',
          },
        };
      }
      case 'usergroups.users.list': {
        const members = this.groups.get(typeof args.usergroup === 'string' ? args.usergroup : '');
        return members === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users: [...members] };
      }
      case 'views.publish': {
        // "A view payload. This must be a JSON-encoded string" (the Web API client sends it so).
        const user = typeof args.user_id === 'string' ? args.user_id : '';
        const view = typeof args.view === 'string' ? safeJson(args.view) : args.view;
        if (!/^[UW][A-Z0-9]{2,}$/.test(user)) {
          return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['invalid `user_id`'] } };
        }
        const problems = checkHomeView(view);
        if (problems.includes('view_too_large [json-pointer:/view]')) return { ok: false, error: 'view_too_large' };
        if (problems.length > 0) {
          return {
            ok: false,
            error: 'invalid_arguments',
            response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
          };
        }
        const previous = this.homeViews.get(user);
        const id = previous?.id ?? `V0HOME${String(this.homeViews.size + 1).padStart(4, '0')}`;
        this.homeViews.set(user, {
          id,
          view: view as Record<string, unknown>,
          publications: (previous?.publications ?? 0) + 1,
        });
        this.changed();
        return { ok: true, view: { id, team_id: LOCAL_TEAM, type: 'home', ...(view as object) } };
      }
      case 'chat.postMessage': {
        if (channel === '') return { ok: false, error: 'channel_not_found' };
        const refused = refusal(text, blocks, this.unsupportedBlocks);
        if (refused !== undefined) return refused;
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
        const metadata = parseMetadata(args.metadata);
        if (metadata === null) return { ok: false, error: 'invalid_metadata_format' };
        const m = this.append({
          channel,
          text,
          ephemeral: false,
          from: 'bot',
          ...(blocks && { blocks }),
          ...(threadTs && { thread_ts: threadTs }),
          ...(metadata !== undefined && { metadata }),
        });
        return { ok: true, channel, ts: m.ts, message: { text, ts: m.ts } };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        // What everyone sees: history newest first, a thread's replies oldest first (the parent with them).
        // `oldest` is exclusive unless `inclusive`; pages of `limit` messages follow `response_metadata.next_cursor`.
        const oldest = Number(typeof args.oldest === 'string' ? args.oldest : 0);
        const inclusive = args.inclusive === true || args.inclusive === 'true';
        const thread = method === 'conversations.replies' ? String(args.ts ?? '') : undefined;
        if (thread !== undefined && !this.messages.some((m) => m.ts === thread && m.channel === channel)) {
          return { ok: false, error: 'thread_not_found' };
        }
        const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
        const shown = this.messages.filter(
          (m) =>
            m.channel === channel &&
            !m.ephemeral &&
            (inclusive ? Number(m.ts) >= oldest : Number(m.ts) > oldest) &&
            (thread === undefined ? m.thread_ts === undefined : m.ts === thread || m.thread_ts === thread),
        );
        const ordered = thread === undefined ? shown.reverse() : shown;
        const limit = Math.min(999, Math.max(1, Number(args.limit ?? 100) || 100));
        const from = Number(typeof args.cursor === 'string' ? args.cursor.replace(/^page:/, '') : 0) || 0;
        const page = ordered.slice(from, from + limit).map((m) => ({
          type: 'message',
          ts: m.ts,
          text: m.text,
          ...(m.thread_ts !== undefined && { thread_ts: m.thread_ts }),
          ...(m.from === 'bot' ? { bot_id: 'B0OPSBOT01' } : { user: m.user }),
          ...(withMetadata && m.metadata !== undefined && { metadata: m.metadata }),
        }));
        const more = from + limit < ordered.length;
        return {
          ok: true,
          messages: page,
          has_more: more,
          response_metadata: { next_cursor: more ? `page:${from + limit}` : '' },
        };
      }
      case 'chat.postEphemeral': {
        const user = typeof args.user === 'string' ? args.user : undefined;
        if (channel === '' || user === undefined) return { ok: false, error: 'channel_not_found' };
        const refused = refusal(text, blocks, this.unsupportedBlocks);
        if (refused !== undefined) return refused;
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
        const m = this.append({
          channel,
          text,
          ephemeral: true,
          user,
          from: 'bot',
          ...(blocks && { blocks }),
          ...(threadTs && { thread_ts: threadTs }),
        });
        return { ok: true, message_ts: m.ts };
      }
      case 'chat.delete': {
        // A bot deletes its own messages with chat:write, as Slack allows.
        const target = this.messages.find((m) => m.ts === args.ts && m.channel === channel && !m.ephemeral);
        if (target === undefined) return { ok: false, error: 'message_not_found' };
        if (target.from !== 'bot') return { ok: false, error: 'cant_delete_message' };
        this.deleteMessage(target.ts);
        return { ok: true, channel, ts: target.ts };
      }
      case 'chat.update': {
        const target = this.messages.find((m) => m.ts === args.ts && m.channel === channel && !m.ephemeral);
        if (target === undefined) return { ok: false, error: 'message_not_found' };
        const refused = refusal(text, blocks, this.unsupportedBlocks);
        if (refused !== undefined) return refused;
        this.replace(target, text, blocks);
        return { ok: true, channel, ts: target.ts, text };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private respond(id: string, body: Record<string, unknown>): { status: 200 | 404 } | { status: 400; error: string } {
    const target = this.responseTargets.get(id);
    // Slack allows five uses of a response_url.
    if (target === undefined || target.uses >= 5) return { status: 404 };
    const parsed = parseBlocks(body.blocks);
    const blocks = parsed ?? undefined;
    const text = typeof body.text === 'string' ? body.text : '';
    const original = target.messageTs === undefined ? undefined : this.messages.find((m) => m.ts === target.messageTs);
    // A delete carries no message to judge. Anything else is judged as Slack judges a response_url post, which answers
    // like an incoming webhook: HTTP 400 with the bare error as its body, `invalid_blocks` for bad blocks (as quoted
    // in slackapi/java-slack-sdk#1017 and sourcegraph/sourcegraph-public-snapshot#49979) and, we assume, the
    // webhook's `missing_text_or_fallback_or_attachments` for an empty message. A refused post shows nothing, so it
    // is not counted as one of the five uses.
    if (body.delete_original !== true) {
      if (parsed === null) return { status: 400, error: 'invalid_blocks' };
      const refused = refusal(text, blocks, this.unsupportedBlocks);
      if (refused?.error === 'no_text') return { status: 400, error: 'missing_text_or_fallback_or_attachments' };
      if (refused !== undefined) return { status: 400, error: refused.error };
    }
    target.uses++;
    if ((body.delete_original === true || body.replace_original === true) && target.messageTs === undefined) {
      target.superseded = true;
    }
    if (body.delete_original === true && original !== undefined) {
      this.messages.splice(this.messages.indexOf(original), 1);
      this.changed();
      return { status: 200 };
    }
    if (body.replace_original === true && original !== undefined) {
      this.replace(original, text, blocks);
      return { status: 200 };
    }
    const ephemeral = body.response_type !== 'in_channel';
    // Slack takes a thread_ts on a response_url post; without one, a message from a thread stays in it.
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : target.threadTs;
    this.append({
      channel: target.channel,
      text,
      ephemeral,
      from: 'bot',
      ...(ephemeral && { user: target.user }),
      ...(blocks && { blocks }),
      ...(threadTs !== undefined && { thread_ts: threadTs }),
    });
    return { status: 200 };
  }

  /** A person deletes a message (its replies stay): from here on `chat.update` of it answers `message_not_found`. */
  deleteMessage(ts: string): void {
    const i = this.messages.findIndex((m) => m.ts === ts);
    if (i >= 0) {
      this.messages.splice(i, 1);
      this.changed();
    }
  }

  private append(m: Omit<StandInMessage, 'ts' | 'updates'>): StandInMessage {
    const message: StandInMessage = { ...m, ts: this.nextTs(), updates: 0 };
    this.messages.push(message);
    this.changed();
    return message;
  }

  private replace(message: StandInMessage, text: string, blocks: unknown[] | undefined): void {
    message.text = text;
    if (blocks === undefined) delete message.blocks;
    else message.blocks = blocks;
    message.updates++;
    this.changed();
  }

  private nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * Slack's answer to a message it will not show: `no_text` when it has neither text nor blocks, else `invalid_blocks`
 * with every problem, in `errors` and again in `response_metadata.messages`, as Slack sends them
 * (slackapi/bolt-python#1016). A problem in the top-level `text` (a lone surrogate) is answered the same way.
 */
function refusal(
  text: string,
  blocks: unknown[] | undefined,
  unsupported: ReadonlySet<string> = new Set(),
): { ok: false; error: string; errors?: string[]; response_metadata?: { messages: string[] } } | undefined {
  if (text === '' && (blocks === undefined || blocks.length === 0)) return { ok: false, error: 'no_text' };
  const problems = checkMessage({ text, blocks });
  // A workspace without a block type yet answers as Slack does for a type it does not know.
  (blocks ?? []).forEach((block, i) => {
    const type = (block as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && unsupported.has(type))
      problems.push(`unsupported type: ${type} [json-pointer:/blocks/${i}/type]`);
  });
  if (problems.length === 0) return undefined;
  return {
    ok: false,
    error: 'invalid_blocks',
    errors: problems,
    response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
  };
}

/** A message's metadata (`event_type` and `event_payload`), sent as JSON; null when it is not that shape. */
function parseMetadata(
  value: unknown,
): { event_type: string; event_payload: Record<string, unknown> } | undefined | null {
  if (value === undefined) return undefined;
  const parsed = (typeof value === 'string' ? safeJson(value) : value) as Record<string, unknown> | undefined;
  if (
    typeof parsed?.event_type !== 'string' ||
    typeof parsed.event_payload !== 'object' ||
    parsed.event_payload === null
  ) {
    return null;
  }
  return { event_type: parsed.event_type, event_payload: parsed.event_payload as Record<string, unknown> };
}

function parseBlocks(value: unknown): unknown[] | undefined | null {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? safeJson(value) : value;
  return Array.isArray(parsed) ? parsed : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) {
    const parsed = safeJson(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/** More than any message the bot sends (50 blocks of 3,000 characters): a larger body is not buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The request body, or undefined (having stopped reading) when it is larger than the stand-in takes. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}
