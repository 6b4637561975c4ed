import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../integrations/log.port';
import { correlationId } from './correlation';

export type { Log };

const REDACTED = '[redacted]';
/** Keys whose values are never logged, whatever they hold (a response_url can post for 30 minutes). */
const SECRET_KEY =
  /token|secret|signature|password|authorization|cookie|credential|response_?url|external_?id|^x-slack-/i;
/** Slack tokens (bot, user, app-level, refresh, configuration) wherever they appear in text. */
const SLACK_TOKEN = /\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+/g;
/** AWS secret access keys and session tokens are never passed to the log; access key ids would be: masked. */
const AWS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
/** An entry's bounds: characters a string keeps, and values (objects, arrays, scalars) an entry holds at most. */
const MAX_STRING = 4000;
const MAX_VALUES = 2000;

function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(SLACK_TOKEN, REDACTED).replace(AWS_KEY_ID, REDACTED);
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  // Cut after redacting, so a secret across the cut is never half-kept.
  return out.length > MAX_STRING ? `${out.slice(0, MAX_STRING)}…` : out;
}

/**
 * A log entry's fields without secrets: values under secret-sounding keys, Slack tokens, AWS access key ids and the
 * configured secrets' values anywhere in text are replaced. The entry stays small whatever it is given: strings are
 * cut, depth and the number of values are bounded, a value met twice (a cycle) is written once, and a getter that
 * throws is written as such.
 */
export function redact(value: unknown, secrets: readonly string[] = []): unknown {
  const seen = new WeakSet<object>();
  let budget = MAX_VALUES;
  const walk = (v: unknown, depth: number): unknown => {
    if (--budget < 0) return '[…]';
    if (typeof v === 'string') return redactText(v, secrets);
    if (v === null || typeof v !== 'object') return typeof v === 'function' ? '[function]' : v;
    if (depth >= 6 || seen.has(v)) return '[…]';
    seen.add(v);
    if (v instanceof Error) return redactText(`${v.name}: ${v.message}`, secrets);
    if (Array.isArray(v)) return v.slice(0, 50).map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).slice(0, 100)) {
      if (SECRET_KEY.test(key)) {
        out[key] = REDACTED;
        continue;
      }
      try {
        out[key] = walk((v as Record<string, unknown>)[key], depth + 1);
      } catch {
        out[key] = '[unreadable]';
      }
    }
    return out;
  };
  return walk(value, 0);
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
  // Built at the first entry: a Lambda cold start that logs nothing (the acknowledgement at ERROR level) never pays
  // for it.
  let made: Logger | undefined;
  const logger = () => {
    made ??= new Logger({ serviceName, logLevel: level });
    return made;
  };
  const entry = (message: string, extra: Record<string, unknown> | undefined) => {
    const id = correlationId();
    const tag = id === undefined ? {} : { correlation_id: id };
    try {
      const known = secrets();
      const fields = (extra === undefined ? {} : redact(extra, known)) as Record<string, unknown>;
      return [redactText(String(message), known), { ...fields, ...tag }] as const;
    } catch {
      // Logging never throws: an entry that cannot be read is written as that.
      return ['log.entry_unreadable', tag] as const;
    }
  };
  return {
    debug: (m, e) => logger().debug(...entry(m, e)),
    info: (m, e) => logger().info(...entry(m, e)),
    warn: (m, e) => logger().warn(...entry(m, e)),
    error: (m, e) => logger().error(...entry(m, e)),
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

/** An error's name and message, without request payloads or tokens that SDK errors may carry. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.replace(/xox[a-z]-[A-Za-z0-9-]+/g, 'xox?-***');
  return String(error);
}
