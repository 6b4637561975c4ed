import { WebClient } from '@slack/web-api';
import { isOpsbotError } from '../../integrations/errors';
import { SlackWebApiPeople } from '../../integrations/slack/web-api-people.adapter';
import { startStandIn, TEST_BOT_TOKEN } from '../support/slack';

describe('people over the Slack Web API (users.info, usergroups.users.list on the stand-in)', () => {
  let stand: Awaited<ReturnType<typeof startStandIn>>;
  let now: number;
  let people: SlackWebApiPeople;
  beforeEach(async () => {
    stand = await startStandIn();
    now = 0;
    people = new SlackWebApiPeople(
      new WebClient(TEST_BOT_TOKEN, { slackApiUrl: `${stand.url}/api/`, retryConfig: { retries: 0 } }),
      () => now,
    );
  });
  afterEach(() => stand.close());
  const calls = (method: string) => stand.standIn.calls.filter((c) => c.method === method).length;

  it('reads guests, partners and deactivated accounts from users.info, and an unknown user as nobody', async () => {
    // Prepare
    stand.standIn.people.set('U0GUEST0001', { guest: 'single-channel' });
    stand.standIn.people.set('U0PARTNER01', { teamId: 'T0OTHER001' });
    stand.standIn.people.set('U0GONE00001', { deleted: true });
    stand.standIn.people.set('U0NOBODY001', { exists: false });

    // Act
    const [guest, partner, gone, nobody, member] = await Promise.all(
      ['U0GUEST0001', 'U0PARTNER01', 'U0GONE00001', 'U0NOBODY001', 'U0MEMBER001'].map((id) => people.person(id)),
    );

    // Assess
    expect(guest).toEqual({ id: 'U0GUEST0001', teamId: 'T0LOCAL001', guest: true, deleted: false });
    expect(partner).toEqual(expect.objectContaining({ teamId: 'T0OTHER001', guest: false }));
    expect(gone?.deleted).toBe(true);
    expect(nobody).toBeUndefined();
    expect(member).toEqual(expect.objectContaining({ guest: false, deleted: false }));
  });

  it('asks Slack once per person and group for a few minutes, then again', async () => {
    // Prepare
    stand.standIn.groups.set('S0PLATFORM1', ['U0ANA00001']);

    // Act
    await Promise.all([people.person('U0ANA00001'), people.person('U0ANA00001')]);
    await people.groupMembers('S0PLATFORM1');
    now += 4 * 60 * 1000;
    const cached = await people.groupMembers('S0PLATFORM1');
    stand.standIn.groups.set('S0PLATFORM1', ['U0BEN00001']);
    now += 2 * 60 * 1000;
    const reread = await people.groupMembers('S0PLATFORM1');

    // Assess
    expect(calls('users.info')).toBe(1);
    expect(cached).toEqual(['U0ANA00001']);
    expect(reread).toEqual(['U0BEN00001']);
    expect(calls('usergroups.users.list')).toBe(2);
  });

  it('reads a group Slack does not know as empty', async () => {
    expect(await people.groupMembers('S0UNKNOWN01')).toEqual([]);
  });

  it('says which scope is missing, and does not remember a failure', async () => {
    // Prepare
    stand.standIn.failNext('usergroups.users.list', { error: 'missing_scope' });
    stand.standIn.groups.set('S0PLATFORM1', ['U0ANA00001']);

    // Act
    const failed = await people.groupMembers('S0PLATFORM1').catch((e: unknown) => e);
    const next = await people.groupMembers('S0PLATFORM1');

    // Assess
    expect(isOpsbotError(failed) && failed.code).toBe('PEOPLE_UNAVAILABLE');
    expect(isOpsbotError(failed) && failed.userMessage).toContain('`usergroups:read` scope');
    expect(next).toEqual(['U0ANA00001']);
  });

  it('turns Slack being down into a clear "try again", not a crash', async () => {
    // Prepare
    stand.standIn.failNext('users.info', { status: 503 });

    // Act
    const failed = await people.person('U0ANA00001').catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(failed) && failed.userMessage).toContain("I couldn't check who may do this");
  });
});
