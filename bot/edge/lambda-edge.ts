import { checkSlackRequest } from './verify';

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
  readonly onRejected?: (reason: string) => void;
  readonly now?: () => number;
}) {
  return async (event: HttpLambdaEvent, context: unknown): Promise<HttpLambdaResult> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
    const body =
      event.body == null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
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
    if (check.contentType !== undefined) headers['content-type'] = check.contentType;
    return options.bolt({ ...event, headers, body, isBase64Encoded: false }, context);
  };
}
