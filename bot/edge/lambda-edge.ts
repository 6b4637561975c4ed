import { checkPayload, type RequestFrom } from './payload';
import { checkSlackRequest } from './verify';

/**
 * The largest request body opsbot reads: Slack's own payloads stay well under it (the biggest, a button click
 * carrying a 50-block message, is a few hundred KB URL-encoded). Anything larger is refused with 413 unread.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The parts of an API Gateway (REST v1 or HTTP v2) or Function URL event the Slack edge reads. */
export interface HttpLambdaEvent {
  readonly headers?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly [key: string]: unknown;
}

export interface HttpLambdaResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

export type BoltLambdaHandler = (event: HttpLambdaEvent, context: unknown) => Promise<HttpLambdaResult>;

/**
 * Wraps Bolt's Lambda handler with what it lacks: strict signature checks (future timestamps refused),
 * base64 bodies decoded as UTF-8 (Bolt decodes ASCII and breaks non-ASCII text and its signature), and
 * `Content-Type` parameters such as `; charset=utf-8` (Bolt throws on them).
 */
export function slackLambdaEdge(options: {
  readonly signingSecret: () => string;
  readonly bolt: BoltLambdaHandler;
  /** The slash command opsbot answers. */
  readonly command: string;
  /** The workspaces opsbot serves (`slack.teams`); any, when not configured. */
  readonly teams?: readonly string[];
  readonly onRejected?: (reason: string) => void;
  /** Writes down a request refused because its workspace is not served (awaited: the audit is kept). */
  readonly onRefusedWorkspace?: (from: RequestFrom) => Promise<void>;
  /** A verified payload opsbot does not handle, acknowledged and dropped. */
  readonly onIgnored?: (reason: string) => void;
  readonly now?: () => number;
}) {
  return async (event: HttpLambdaEvent, context: unknown): Promise<HttpLambdaResult> => {
    const raw = typeof event.body === 'string' ? event.body : '';
    const size = event.isBase64Encoded === true ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw, 'utf8');
    if (size > MAX_BODY_BYTES) {
      options.onRejected?.('too-large');
      return { statusCode: 413, body: '' };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const body = event.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const check = checkSlackRequest({
      signingSecret: options.signingSecret(),
      body,
      header: (name) => headers[name],
      ...(options.now !== undefined && { nowMs: options.now() }),
    });
    if (check.kind === 'ssl-check') return { statusCode: 200, body: '' };
    if (check.kind === 'rejected') {
      options.onRejected?.(check.reason);
      return { statusCode: 401, body: '' };
    }
    const verdict = checkPayload(check.contentType, body, options.command, options.teams);
    if (verdict.kind !== 'handle' && verdict.refused === true && verdict.from !== undefined) {
      await options.onRefusedWorkspace?.(verdict.from);
    }
    if (verdict.kind === 'ignore') {
      if (verdict.refused === true) options.onRejected?.(verdict.reason);
      else options.onIgnored?.(verdict.reason);
      return { statusCode: 200, body: '' };
    }
    if (verdict.kind === 'answer') {
      if (verdict.refused === true) options.onRejected?.(verdict.reason ?? 'refused');
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: verdict.body };
    }
    if (check.contentType !== undefined) headers['content-type'] = check.contentType;
    return options.bolt({ ...event, headers, body, isBase64Encoded: false }, context);
  };
}
