import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';

/** The header (or `token` query parameter) that carries the local page's per-run token. */
export const TOKEN_HEADER = 'x-opsbot-token';

/**
 * A fresh token for this run of `npm start`, written to `<data dir>/local-token` (readable by you alone) for scripts;
 * the page gets it from the server. Like Jupyter's: a page on another site cannot read it, so it cannot drive the bot.
 */
export function createLocalToken(dataDir: string): string {
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'local-token');
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

/**
 * The local page's routes (`/`, `/local/*`, the Web API stand-in) are served to this machine only: the peer must be
 * on loopback and the Host a loopback name (a DNS-rebinding name is refused); a POST that says it comes from another
 * origin is refused; and a POST to `/local/*` must be JSON (a cross-site form or `text/plain` post is refused before
 * any work) and carry the run's token. The bot's own `response_url` posts are exempt from the token: their ids are
 * secret.
 */
export function checkLocalRequest(req: IncomingMessage, path: string, token: string): LocalVerdict {
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
  if (req.method !== 'POST' || !path.startsWith('/local/')) return { ok: true };
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return { ok: false, status: 415, message: 'Send JSON (Content-Type: application/json).' };
  }
  if (path.startsWith('/local/response/')) return { ok: true };
  const given = tokenOf(req);
  if (given === undefined || !same(given, token)) {
    return {
      ok: false,
      status: 403,
      message: `Send the run's token in the ${TOKEN_HEADER} header: it is in .opsbot/local-token and in the URL npm start printed.`,
    };
  }
  return { ok: true };
}

function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string') return header;
  return new URL(req.url ?? '/', 'http://local').searchParams.get('token') ?? undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
