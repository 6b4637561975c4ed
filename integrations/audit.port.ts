/** Who asked, as an audit record keeps it. */
export interface AuditActor {
  readonly userId: string;
  readonly teamId?: string;
  readonly channelId?: string;
}

/** One thing someone asked opsbot to change, and what became of it. */
export interface AuditEntry {
  /** What was asked: the intent (`Deploy`, `Rollback`) or the action (`RetryStage`, `Approve`). */
  readonly action: string;
  readonly outcome: 'refused';
  /** Why, for a refusal: `not-listed`, `guest`, `other-workspace`, `wrong-channel`, `mutable-tag`, … */
  readonly reason: string;
  readonly actor: AuditActor;
  /** What it was about: service, environment, version, pipeline, stage. */
  readonly target: Readonly<Record<string, string>>;
}

/** A stored audit record. */
export interface AuditRecord extends AuditEntry {
  /** When, as an ISO timestamp. */
  readonly at: string;
}

/** Where opsbot writes down what people asked it to change, refusals included. */
export interface Audit {
  record(entry: AuditEntry): Promise<void>;
}
