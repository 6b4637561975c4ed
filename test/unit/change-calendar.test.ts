import { GetCalendarStateCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmChangeCalendars } from '../../integrations/aws/ssm-change-calendar.adapter';
import { isOpsbotError } from '../../integrations/errors';

const PLACE = {
  environment: 'prod',
  calendar: 'prod-changes',
  account: { name: 'prod', id: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/opsbot' },
  region: 'eu-west-1',
};

describe('AWS Systems Manager Change Calendar (aws-sdk-client-mock)', () => {
  afterEach(() => mockClient(SSMClient).restore());
  const calendars = () => new SsmChangeCalendars([PLACE], () => new SSMClient({ region: 'eu-west-1' }));

  it('reads CLOSED with when it opens again, OPEN as open, and nothing for an environment without one', async () => {
    // Prepare: GetCalendarState's documented response shape
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetCalendarStateCommand)
      .resolvesOnce({ State: 'CLOSED', AtTime: '2026-11-23T09:00:00Z', NextTransitionTime: '2026-11-23T17:00:00Z' })
      .resolvesOnce({ State: 'OPEN', AtTime: '2026-11-23T18:00:00Z' });

    // Act
    const closed = await calendars().state('prod');
    const open = await calendars().state('prod');
    const none = await calendars().state('staging');

    // Assess
    expect(ssm.commandCalls(GetCalendarStateCommand)[0]?.args[0].input).toEqual({ CalendarNames: ['prod-changes'] });
    expect(closed).toEqual({
      calendar: 'prod-changes',
      state: 'CLOSED',
      nextTransitionAt: Date.parse('2026-11-23T17:00:00Z'),
    });
    expect(open).toEqual({ calendar: 'prod-changes', state: 'OPEN' });
    expect(none).toBeUndefined();
  });

  it('names the calendar and the missing permission when it cannot be read', async () => {
    // Prepare
    mockClient(SSMClient)
      .on(GetCalendarStateCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    // Act
    const error = await calendars()
      .state('prod')
      .catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(error) && error.code).toBe('CALENDAR_UNREADABLE');
    expect(isOpsbotError(error) && error.userMessage).toBe(
      "I couldn't read the change calendar prod-changes in prod (eu-west-1): AccessDeniedException.",
    );
    expect(isOpsbotError(error) && String(error.hint)).toContain('ssm:GetCalendarState');
  });
});
