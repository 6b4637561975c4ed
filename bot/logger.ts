import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';

import type { Log } from '../integrations/log.port';

export type { Log };

/** The request being handled: the Slack delivery (event_id, trigger_id), the EventBridge event id, the run polled. */
const correlation = new AsyncLocalStorage<string>();

/** Runs `work` with `id` as the correlation id of every entry it logs (and of the work it starts). */
export function withCorrelation<T>(id: string | undefined, work: () => T): T {
  return id === undefined || id === '' ? work() : correlation.run(id.slice(0, 200), work);
}

/** The correlation id of the request being handled, if any. */
export function correlationId(): string | undefined {
  return correlation.getStore();
}

const REDACTED = '[redacted]';
/** Keys whose values are never logged, whatever they hold. */
const SECRET_KEY = /token|secret|signature|password|authorization|cookie|credential|^x-slack-/i;
/** Slack tokens (bot, user, app-level, refresh, configuration) wherever they appear in text. */
const SLACK_TOKEN = /\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+/g;
/** AWS secret access keys and session tokens are never passed to the log; access key ids would be: masked. */
const AWS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;

function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(SLACK_TOKEN, REDACTED).replace(AWS_KEY_ID, REDACTED);
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * A log entry's fields without secrets: values under secret-sounding keys, Slack tokens, AWS access key ids and the
 * configured secrets' values anywhere in text are replaced. Depth and size are bounded (an entry is never huge).
 */
export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value.length > 4000 ? `${value.slice(0, 4000)}…` : value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 6) return '[…]';
  if (value instanceof Error) return redactText(`${value.name}: ${value.message}`, secrets);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>).slice(0, 100)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(v, secrets, depth + 1);
  }
  return out;
}

/**
 * Powertools' JSON logger (CloudWatch-friendly, one line per entry), with the request's correlation id on every
 * entry and secrets redacted: `secrets` returns the values never to be written (the signing secret, the bot token).
 */
export function createLogger(
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR',
  serviceName = 'opsbot',
  secrets: () => readonly string[] = () => [],
): Log {
  const logger = new Logger({ serviceName, logLevel: level });
  const entry = (message: string, extra: Record<string, unknown> | undefined) => {
    const known = secrets();
    const fields = (extra === undefined ? {} : redact(extra, known)) as Record<string, unknown>;
    const id = correlation.getStore();
    return [redactText(message, known), id === undefined ? fields : { ...fields, correlation_id: id }] as const;
  };
  return {
    debug: (m, e) => logger.debug(...entry(m, e)),
    info: (m, e) => logger.info(...entry(m, e)),
    warn: (m, e) => logger.warn(...entry(m, e)),
    error: (m, e) => logger.error(...entry(m, e)),
  };
}

/** A logger that keeps entries in memory, for tests that assert on what was (and was not) logged. */
export function createMemoryLog(): Log & {
  readonly entries: Array<{ level: string; message: string; extra?: Record<string, unknown> }>;
} {
  const entries: Array<{ level: string; message: string; extra?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    entries.push({ level, message, ...(extra !== undefined && { extra }) });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
