import { randomUUID } from 'node:crypto';
import type { Audit, AuditEntry, AuditRecord } from './audit.port';
import type { Log } from './log.port';
import type { Store } from './store.port';

/** How long audit records are kept: a year. */
export const AUDIT_TTL_SECONDS = 365 * 24 * 60 * 60;

/** The key prefix of audit records in the Store: `audit:<ISO time>:<id>`, so they sort by time. */
export const AUDIT_PREFIX = 'audit:';

/**
 * The audit trail in the Store: one record per entry. Writing it never stands in the way of the answer: a record
 * that cannot be written is logged (without the person's text) and the request goes on.
 */
export class StoreAudit implements Audit {
  constructor(
    private readonly store: Store,
    private readonly log: Pick<Log, 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const record: AuditRecord = { at, ...entry };
    try {
      await this.store.put(`${AUDIT_PREFIX}${at}:${randomUUID()}`, record, AUDIT_TTL_SECONDS);
    } catch (error) {
      this.log.warn('audit.write_failed', {
        action: entry.action,
        outcome: entry.outcome,
        error: (error as Error).name,
      });
    }
  }
}
