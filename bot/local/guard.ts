import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';

/** The header (or `token` query parameter) that carries the local page's per-run token. */
export const TOKEN_HEADER = 'x-opsbot-token';

/**
 * The local page's token, in `<data dir>/local-token` (readable by you alone) for scripts: the one a previous run left
 * there, so a page open across a restart keeps working, or a fresh one. The page gets it as Jupyter's does: from the
 * URL `npm start` prints, then a cookie. A page on another site cannot read it, so it cannot drive the bot.
 */
export function createLocalToken(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'local-token');
  const kept = (() => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return '';
    }
  })();
  const token = /^[A-Za-z0-9_-]{32,}$/.test(kept) ? kept : randomBytes(24).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}

/** A peer on this machine (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6). */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (address === undefined) return false;
  return /^(::ffff:)?127(\.\d{1,3}){3}$/.test(address) || address === '::1';
}

/** `127.0.0.1:3000`, `localhost`, `[::1]:3000`: names that can only mean this machine. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return /^127(\.\d{1,3}){3}$/.test(name) || name.toLowerCase() === 'localhost' || name === '[::1]';
}

export type LocalVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 403 | 415; readonly message: string };

/** The cookie that carries the token for the page on `port` (cookies do not tell ports apart: the name does). */
export function tokenCookieName(port: string | number): string {
  return `opsbot_token_${port}`;
}

/** The Set-Cookie of the page's token: sent back to this server only, never to a script or another site. */
export function tokenCookie(port: string | number, token: string): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** What a request without the token is told: what to do, in the page and from a script, naming no file path. */
const TOKEN_MISSING =
  "This page's token is missing or out of date (opsbot may have restarted with a new one): reload this page, or open " +
  `the link npm start printed. Scripts send the token in the ${TOKEN_HEADER} header (the local-token file in ` +
  "opsbot's data directory).";

/**
 * The local page's routes (`/`, `/local/*`, the Web API stand-in) are served to this machine only: the peer must be
 * on loopback and the Host a loopback name (a DNS-rebinding name is refused); a POST that says it comes from another
 * origin is refused; a POST to `/local/*` must be JSON (a cross-site form or `text/plain` post is refused before
 * any work); and the page and every `/local/*` route, reads too, need the run's token (header, `token` query, or the
 * page's cookie, named `cookie`: {@link tokenCookieName}). The bot's own `response_url` posts are exempt from the token:
 * their ids are secret.
 */
export function checkLocalRequest(req: IncomingMessage, path: string, token: string, cookie: string): LocalVerdict {
  const host = req.headers.host;
  // This machine only: by the peer's address (whatever it claims), and by the Host name (against DNS rebinding).
  if (!isLoopbackPeer(req.socket.remoteAddress) || !isLoopbackHost(host)) {
    return {
      ok: false,
      status: 403,
      message: 'The local page answers only on a loopback address (127.0.0.1 or localhost).',
    };
  }
  // A browser says where a POST comes from: anything but the page itself is refused, the Web API stand-in included.
  const origin = req.headers.origin;
  if (req.method === 'POST' && origin !== undefined && origin !== `http://${host}`) {
    return { ok: false, status: 403, message: 'Requests from other sites are refused.' };
  }
  if (path !== '/' && !path.startsWith('/local/')) return { ok: true };
  if (req.method === 'POST') {
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      return { ok: false, status: 415, message: 'Send JSON (Content-Type: application/json).' };
    }
  }
  if (path.startsWith('/local/response/')) return { ok: true };
  const given = tokensOf(req, cookie);
  if (!given.some((t) => same(t, token))) return { ok: false, status: 403, message: TOKEN_MISSING };
  return { ok: true };
}

/** The tokens a request carries: its header, its `token` query parameter, its cookie. */
function tokensOf(req: IncomingMessage, cookie: string): string[] {
  const header = req.headers[TOKEN_HEADER];
  const query = new URL(req.url ?? '/', 'http://local').searchParams.get('token');
  const fromCookie = (req.headers.cookie ?? '')
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${cookie}=`))
    ?.slice(cookie.length + 1);
  return [typeof header === 'string' ? header : undefined, query ?? undefined, fromCookie].filter(
    (t): t is string => t !== undefined && t !== '',
  );
}

/** Whether the request brings the token in its URL (the link `npm start` printed): the page then sets its cookie. */
export function tokenInUrl(req: IncomingMessage, token: string): boolean {
  const query = new URL(req.url ?? '/', 'http://local').searchParams.get('token');
  return query !== null && same(query, token);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
