import { GetCalendarStateCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CalendarState, ChangeCalendars } from '../calendars.port';
import { OpsbotError } from '../errors';
import { retryRead } from './aws-calls';
import type { AwsAccount } from './clients';

/** An environment's change calendar, where it lives. */
export interface CalendarPlace {
  readonly environment: string;
  /** The calendar document's name or ARN. */
  readonly calendar: string;
  readonly account: AwsAccount;
  readonly region: string;
}

/** Change Calendars through `ssm:GetCalendarState`, each in its own account and region. */
export class SsmChangeCalendars implements ChangeCalendars {
  constructor(
    private readonly places: readonly CalendarPlace[],
    private readonly client: (place: CalendarPlace) => SSMClient,
  ) {}

  async state(environment: string): Promise<CalendarState | undefined> {
    const place = this.places.find((p) => p.environment === environment);
    if (place === undefined) return undefined;
    try {
      const answer = await retryRead(() =>
        this.client(place).send(new GetCalendarStateCommand({ CalendarNames: [place.calendar] })),
      );
      const next = answer.NextTransitionTime !== undefined ? Date.parse(answer.NextTransitionTime) : Number.NaN;
      return {
        calendar: place.calendar,
        // Anything but OPEN is read as closed: a freeze is never assumed away.
        state: answer.State === 'OPEN' ? 'OPEN' : 'CLOSED',
        ...(!Number.isNaN(next) && { nextTransitionAt: next }),
      };
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      throw new OpsbotError(
        'CALENDAR_UNREADABLE',
        `I couldn't read the change calendar ${place.calendar} in ${place.account.name} (${place.region}): ${name}.`,
        name === 'AccessDeniedException'
          ? 'opsbot needs ssm:GetCalendarState on that calendar (the stacks grant it for configured calendars).'
          : 'Try again in a minute; an admin may deploy anyway with `override: <why>`.',
      );
    }
  }
}
