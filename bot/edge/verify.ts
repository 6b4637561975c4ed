import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's window for request timestamps, in both directions. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing-signature' | 'bad-timestamp' | 'stale' | 'future' | 'mismatch' };

/**
 * Verifies a Slack request signature (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`), rejecting timestamps more
 * than five minutes old *or* in the future: a replayed request cannot be re-dated, and a request dated ahead
 * could otherwise be replayed for longer than Slack intends.
 */
export function verifySlackSignature(input: {
  readonly signingSecret: string;
  /** The body exactly as sent, decoded as UTF-8. */
  readonly body: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly nowMs?: number;
}): Verdict {
  if (input.signature === undefined || input.signature === '') return { ok: false, reason: 'missing-signature' };
  if (input.timestamp === undefined || !/^\d{1,12}$/.test(input.timestamp))
    return { ok: false, reason: 'bad-timestamp' };
  const now = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const ts = Number(input.timestamp);
  if (now - ts > TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' };
  if (ts - now > TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'future' };
  const expected = Buffer.from(
    `v0=${createHmac('sha256', input.signingSecret).update(`v0:${input.timestamp}:${input.body}`, 'utf8').digest('hex')}`,
  );
  const given = Buffer.from(input.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}

export { signSlackRequest } from '../../integrations/slack/signing';

/** The media type without parameters: `application/x-www-form-urlencoded; charset=utf-8` → `application/x-www-form-urlencoded`. */
export function baseContentType(value: string | undefined): string | undefined {
  return value?.split(';')[0]?.trim().toLowerCase();
}

/** Slack's SSL check for slash command URLs: answered 200 and never dispatched. */
export function isSslCheck(contentType: string | undefined, body: string): boolean {
  return contentType === 'application/x-www-form-urlencoded' && new URLSearchParams(body).get('ssl_check') === '1';
}

/** What the edge does with a request: answer Slack's SSL check, refuse it, or pass it on. */
export type SlackRequestCheck =
  | { readonly kind: 'ssl-check' }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'verified'; readonly contentType: string | undefined };

/**
 * The one check in front of every receiver (Lambda and local HTTP): Slack's SSL check is answered without
 * dispatch; anything else must carry a valid signature within the timestamp window. The Content-Type comes back
 * without parameters, as Bolt's receivers need it.
 */
export function checkSlackRequest(input: {
  readonly signingSecret: string;
  readonly body: string;
  readonly header: (name: string) => string | undefined;
  readonly nowMs?: number;
}): SlackRequestCheck {
  const contentType = baseContentType(input.header('content-type'));
  if (isSslCheck(contentType, input.body)) return { kind: 'ssl-check' };
  const verdict = verifySlackSignature({
    signingSecret: input.signingSecret,
    body: input.body,
    timestamp: input.header('x-slack-request-timestamp'),
    signature: input.header('x-slack-signature'),
    ...(input.nowMs !== undefined && { nowMs: input.nowMs }),
  });
  return verdict.ok ? { kind: 'verified', contentType } : { kind: 'rejected', reason: verdict.reason };
}
