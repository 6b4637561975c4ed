import type { CalendarState, ChangeCalendars } from '../calendars.port';
import type { Clock } from '../clock.port';

/**
 * Change calendars in the sandbox: every configured calendar OPEN until closed (tests), until the time given, as
 * `GetCalendarState` answers for a calendar with an event in progress.
 */
export class SandboxCalendars implements ChangeCalendars {
  private readonly closed = new Map<string, number | undefined>();

  constructor(
    private readonly calendars: ReadonlyMap<string, string>,
    private readonly clock: Clock,
  ) {}

  async state(environment: string): Promise<CalendarState | undefined> {
    const calendar = this.calendars.get(environment);
    if (calendar === undefined) return undefined;
    const until = this.closed.get(calendar);
    // A closed calendar opens again at its transition, as AWS's does.
    if (until !== undefined && this.clock.now() >= until) this.closed.delete(calendar);
    if (!this.closed.has(calendar)) return { calendar, state: 'OPEN' };
    return { calendar, state: 'CLOSED', ...(until !== undefined && { nextTransitionAt: until }) };
  }

  /** Closes a calendar (an event in it begins), until a time if given. */
  close(calendar: string, until?: number): void {
    this.closed.set(calendar, until);
  }

  open(calendar: string): void {
    this.closed.delete(calendar);
  }

  reset(): void {
    this.closed.clear();
  }

  snapshot(): unknown {
    // JSON has no undefined: a calendar closed with no end is saved with null.
    return { closed: [...this.closed].map(([calendar, until]) => [calendar, until ?? null]) };
  }

  restore(saved: unknown): void {
    this.closed.clear();
    for (const [calendar, until] of (saved as { closed: Array<[string, number | null]> }).closed)
      this.closed.set(calendar, until ?? undefined);
  }
}
