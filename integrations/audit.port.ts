/** Who asked, as an audit record keeps it. */
export interface AuditActor {
  readonly userId: string;
  readonly teamId?: string;
  readonly channelId?: string;
}

/**
 * What became of a request: refused (and why), waiting for a second person, started, and how it ended. A change
 * that runs a while (a deploy) is one record whose outcome moves on.
 */
export type AuditOutcome =
  | 'refused'
  | 'awaiting-approval'
  | 'started'
  | 'succeeded'
  | 'failed'
  | 'stopped'
  | 'rejected'
  | 'expired'
  | 'cancelled'
  | 'done';

/** One thing someone asked opsbot to change, and what became of it. */
export interface AuditEntry {
  /** What was asked: the intent (`Deploy`, `Rollback`, `Lock`) or the action (`RetryStage`, `Approve`, `Cancel`). */
  readonly action: string;
  readonly outcome: AuditOutcome;
  /** Why, for a refusal: `not-listed`, `guest`, `other-workspace`, `wrong-channel`, `mutable-tag`, `frozen`, … */
  readonly reason?: string;
  readonly actor: AuditActor;
  /** What it was about: service, environment, version, pipeline, stage. */
  readonly target: Readonly<Record<string, string>>;
  /** The AWS deployment it started (CodeDeploy `d-…`, or the ECS service deployment ARN). */
  readonly deploymentId?: string;
  /** Who approved it, where a second person had to. */
  readonly approvedBy?: string;
  /** Who stopped or rejected it. */
  readonly endedBy?: string;
  /** What the person said with it: a lock's or a freeze override's reason, an engine's error. */
  readonly note?: string;
  /** When it ended (ms since the epoch). */
  readonly endedAt?: number;
}

/** A stored audit record. */
export interface AuditRecord extends AuditEntry {
  /** Its id (`<ISO time>:<uuid>`, so ids sort by time). */
  readonly id: string;
  /** When it was asked, as an ISO timestamp. */
  readonly at: string;
}

/** Which records to read: since when, and about which service or environment. */
export interface AuditQuery {
  readonly since: number;
  readonly until?: number;
  readonly service?: string;
  readonly environment?: string;
  readonly action?: string;
  readonly limit?: number;
}

/** What changes on a record as its request goes on. */
export type AuditChange = Partial<
  Pick<AuditEntry, 'outcome' | 'reason' | 'deploymentId' | 'approvedBy' | 'endedBy' | 'note' | 'endedAt'>
>;

/** Where opsbot writes down what people asked it to change, refusals included. */
export interface Audit {
  /** Writes a record; its id, to move its outcome on later. */
  record(entry: AuditEntry): Promise<string>;
  update(id: string, change: AuditChange): Promise<void>;
  /** Records matching the query, newest first. */
  list(query: AuditQuery): Promise<AuditRecord[]>;
}
