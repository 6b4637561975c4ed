/** Wall-clock time in a time zone, and back: shared by the capabilities that speak in the team's time zone. */

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A wall-clock reading of an instant in a time zone. */
export interface Local {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Minutes since local midnight. */
  readonly minutes: number;
  readonly weekday: (typeof DAYS)[number];
}

export function local(at: number, timeZone: string): Local {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekday: String(parts.weekday).toLowerCase().slice(0, 3) as Local['weekday'],
  };
}

/** The instant a wall-clock time in a time zone names (the zone's offset read at that time, so DST is right). */
export function zonedInstant(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  const offset = (at: number) => {
    const l = local(at, timeZone);
    return Date.UTC(l.year, l.month - 1, l.day, 0, l.minutes) - Math.floor(at / 60_000) * 60_000;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}
