import { isAdmin } from '../access';
import type { Actor, Freeze, IntentPorts, Refusal } from '../define-intent';
import { code, notice, strong } from '../reply';

import { DAYS, type Local, local, zonedInstant, localTime as zonedLocalTime } from '../zoned-time';

export { zonedInstant };

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** `2026-12-24` or `2026-12-24T18:00`, in the time zone; a date alone is its midnight (`end`: the next midnight). */
function datedInstant(text: string, timeZone: string, end: boolean): number {
  const [date, time] = text.split('T');
  const [y, m, d] = (date ?? '').split('-').map(Number);
  if (time === undefined) return zonedInstant(y ?? 1970, m ?? 1, (d ?? 1) + (end ? 1 : 0), 0, timeZone);
  return zonedInstant(y ?? 1970, m ?? 1, d ?? 1, minutesOf(time), timeZone);
}

/** The freeze in force at an instant, with when it ends; undefined when none is. */
export function activeFreeze(
  freezes: readonly Freeze[],
  at: number,
  timeZone: string,
): { readonly freeze: Freeze; readonly endsAt: number } | undefined {
  const now = local(at, timeZone);
  for (const freeze of freezes) {
    if ('start' in freeze) {
      const start = datedInstant(freeze.start, timeZone, false);
      const end = datedInstant(freeze.end, timeZone, true);
      if (start <= at && at < end) return { freeze, endsAt: end };
      continue;
    }
    const from = minutesOf(freeze.from);
    const to = freeze.to === '24:00' ? 24 * 60 : minutesOf(freeze.to);
    const today = freeze.days.includes(now.weekday);
    const yesterday = freeze.days.includes(DAYS[(DAYS.indexOf(now.weekday) + 6) % 7] as Local['weekday']);
    const at0 = (days: number, minutes: number) => zonedInstant(now.year, now.month, now.day + days, minutes, timeZone);
    if (from < to) {
      if (today && from <= now.minutes && now.minutes < to) return { freeze, endsAt: at0(0, to) };
    } else {
      // Overnight: from `from` on a listed day until `to` the next morning.
      if (today && now.minutes >= from) return { freeze, endsAt: at0(1, to) };
      if (yesterday && now.minutes < to) return { freeze, endsAt: at0(0, to) };
    }
  }
  return undefined;
}

/** "Fri 28 Nov 18:00 (Europe/Berlin)": a time in the team's time zone, named. */
export const localTime = (at: number, timeZone: string): string => zonedLocalTime(at, timeZone, 'name');

/**
 * A deploy into a freeze window is refused with the reason and when it ends — unless an admin overrides it with a
 * stated reason (`override: …`), which the deploy's audit record and message keep. Rollbacks are never frozen.
 */
export async function freezeRefusal(
  slots: {
    readonly service?: string;
    readonly environment?: string;
    readonly version?: string;
    readonly override?: string;
  },
  actor: Actor,
  ports: IntentPorts,
): Promise<Refusal | undefined> {
  if (slots.environment === undefined) return undefined;
  const active = await currentFreeze(slots.environment, ports);
  if (active === undefined) return undefined;
  const until = active.endsAt !== undefined ? ` until ${localTime(active.endsAt, ports.rules.timeZone)}` : '';
  if (slots.override !== undefined && slots.override.trim() !== '') {
    const admin = await isAdmin(actor, ports);
    if (admin) return undefined;
    return {
      reason: 'frozen',
      reply: notice(
        'refused',
        [strong(slots.environment), ` is frozen${until}: ${active.freeze.reason}. Only an admin may override it.`],
        ['The admins are listed under ', code('admins'), ' in the configuration.'],
      ),
    };
  }
  return {
    reason: 'frozen',
    reply: notice(
      'refused',
      [strong(slots.environment), ` is frozen${until}: ${active.freeze.reason}. Nothing was deployed.`],
      [
        'Deploy after it ends. An admin may override with a reason: ',
        code(
          `/deploy ${slots.service ?? '<service>'} ${slots.environment} ${slots.version ?? '<version>'} override: <why>`,
        ),
        '. Rollbacks are never frozen.',
      ],
    ),
  };
}

/** The freeze in force in an environment now: a configured window, or its change calendar CLOSED. */
export async function currentFreeze(
  environment: string,
  ports: Pick<IntentPorts, 'rules' | 'clock' | 'calendars'>,
): Promise<{ readonly freeze: Pick<Freeze, 'reason'>; readonly endsAt?: number } | undefined> {
  const freezes = ports.rules.environment(environment)?.freezes ?? [];
  return activeFreeze(freezes, ports.clock.now(), ports.rules.timeZone) ?? (await calendarFreeze(environment, ports));
}

/**
 * The override a request may carry, when it counts: a freeze is in force and an admin asked. Anything else is
 * dropped, so no deploy claims an override it did not need or was not allowed.
 */
export async function overrideInForce(
  slots: Readonly<Record<string, string | undefined>>,
  actor: Actor,
  ports: IntentPorts,
): Promise<string | undefined> {
  const override = overrideOf(slots);
  if (override === undefined || slots.environment === undefined) return undefined;
  if ((await currentFreeze(slots.environment, ports)) === undefined) return undefined;
  const admin = await isAdmin(actor, ports);
  return admin ? override : undefined;
}

/** Whether a freeze is in force in an environment now. */
export async function frozen(environment: string, ports: IntentPorts): Promise<boolean> {
  return (await currentFreeze(environment, ports)) !== undefined;
}

/**
 * The environment's AWS Systems Manager Change Calendar, when it follows one: CLOSED is a freeze, ending when the
 * calendar next opens. A calendar that cannot be read freezes too (with why): a freeze is never assumed away.
 */
async function calendarFreeze(
  environment: string,
  ports: Pick<IntentPorts, 'calendars'>,
): Promise<{ readonly freeze: Pick<Freeze, 'reason'>; readonly endsAt?: number } | undefined> {
  let state: Awaited<ReturnType<IntentPorts['calendars']['state']>>;
  try {
    state = await ports.calendars.state(environment);
  } catch (error) {
    const why = (error as { userMessage?: string }).userMessage ?? 'its change calendar is unreadable';
    return { freeze: { reason: why.replace(/\.$/, '') } };
  }
  if (state === undefined || state.state === 'OPEN') return undefined;
  return {
    freeze: { reason: `the change calendar ${state.calendar} is CLOSED` },
    ...(state.nextTransitionAt !== undefined && { endsAt: state.nextTransitionAt }),
  };
}

/** The freeze override a request carries (not a declared slot: only `override: …` in the text sets it). */
export function overrideOf(slots: Readonly<Record<string, string | undefined>>): string | undefined {
  return slots.override;
}
