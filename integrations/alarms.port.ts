export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  readonly name: string;
  readonly state: AlarmStateValue;
  readonly reason?: string;
  readonly updatedAt?: number;
}

/** CloudWatch alarms, shaped to what rollback needs. */
export interface Alarms {
  /** Current states of the named alarms; unknown names are left out. */
  states(names: readonly string[]): Promise<AlarmState[]>;
}
