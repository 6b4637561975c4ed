/** What an AWS Systems Manager Change Calendar says now: OPEN, or CLOSED (changes are frozen), and until when. */
export interface CalendarState {
  /** The calendar as configured (its name or ARN). */
  readonly calendar: string;
  readonly state: 'OPEN' | 'CLOSED';
  /** When it next changes state, if it says. */
  readonly nextTransitionAt?: number;
}

/** The change calendars environments follow (`environments.<name>.changeCalendar`). */
export interface ChangeCalendars {
  /** The state of the environment's calendar; undefined when the environment follows none. */
  state(environment: string): Promise<CalendarState | undefined>;
}
