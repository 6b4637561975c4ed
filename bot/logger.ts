import { Logger } from '@aws-lambda-powertools/logger';

import type { Log } from '../integrations/log.port';

export type { Log };

/** Powertools' JSON logger (CloudWatch-friendly, one line per entry). */
export function createLogger(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', serviceName = 'opsbot'): Log {
  const logger = new Logger({ serviceName, logLevel: level });
  return {
    debug: (m, e) => logger.debug(m, e ?? {}),
    info: (m, e) => logger.info(m, e ?? {}),
    warn: (m, e) => logger.warn(m, e ?? {}),
    error: (m, e) => logger.error(m, e ?? {}),
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
