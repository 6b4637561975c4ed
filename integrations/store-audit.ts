import { randomUUID } from 'node:crypto';
import type { Audit, AuditChange, AuditEntry, AuditQuery, AuditRecord } from './audit.port';
import type { Log } from './log.port';
import type { Store } from './store.port';

/** How long audit records are kept by default: a year. */
export const AUDIT_TTL_SECONDS = 365 * 24 * 60 * 60;

/** The key prefix of audit records in the Store: `audit:<ISO time>:<id>`. */
export const AUDIT_PREFIX = 'audit:';

/** The Store collection the records are listed in, by time. */
const COLLECTION = 'audit';

/**
 * The audit trail in the Store: one record per request, listed by time. Writing it never stands in the way of the
 * answer: a record that cannot be written is logged (without the person's text) and the request goes on.
 */
export class StoreAudit implements Audit {
  private written = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Pick<Log, 'warn'>,
    private readonly now: () => number = Date.now,
    private readonly ttlSeconds: number = AUDIT_TTL_SECONDS,
  ) {}

  async record(entry: AuditEntry): Promise<string> {
    const at = new Date(this.now()).toISOString();
    // Records of one instant keep the order they were written in (a counter), and ids from two writers never clash.
    const id = `${at}:${String(this.written++).padStart(8, '0')}-${randomUUID()}`;
    await this.write({ id, at, ...entry });
    return id;
  }

  async update(id: string, change: AuditChange): Promise<void> {
    try {
      const record = await this.store.get<AuditRecord>(`${AUDIT_PREFIX}${id}`);
      if (record !== undefined) await this.write({ ...record, ...change });
    } catch (error) {
      this.log.warn('audit.update_failed', { outcome: change.outcome, error: (error as Error).name });
    }
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    const records = await this.store.list<AuditRecord>(COLLECTION, {
      from: new Date(query.since).toISOString(),
      ...(query.until !== undefined && { to: `${new Date(query.until).toISOString()}~` }),
      newestFirst: true,
    });
    const matching = records.filter(
      (r) =>
        (query.service === undefined || r.target.service === query.service) &&
        (query.environment === undefined || r.target.environment === query.environment) &&
        (query.action === undefined || r.action === query.action),
    );
    return matching.slice(0, query.limit ?? matching.length);
  }

  private async write(record: AuditRecord): Promise<void> {
    try {
      await this.store.put(`${AUDIT_PREFIX}${record.id}`, record, this.ttlSeconds, {
        collection: COLLECTION,
        order: record.id,
      });
    } catch (error) {
      this.log.warn('audit.write_failed', {
        action: record.action,
        outcome: record.outcome,
        error: (error as Error).name,
      });
    }
  }
}
