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

/**
 * "Wed 26 Nov 03:00 (UTC+1)" or "Fri 28 Nov 18:00 (Europe/Berlin)": an instant as the team reads it, followed by
 * the zone as its UTC offset on that day (`offset`: DST shows) or as its name (`name`).
 */
export function localTime(at: number, timeZone: string, zone: 'offset' | 'name'): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(new Date(at));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', 'UTC');
  const said = zone === 'name' ? timeZone : /^UTC([+-]0+(:00)?)?$/.test(offset) ? 'UTC' : offset;
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('hour')}:${get('minute')} (${said})`;
}
