import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH } from '../../bot/config';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import { AUDIT_PREFIX } from '../../integrations/store-audit';
import { ALICE, allText, BOB, click, FORM, type Harness, harness, slash } from '../support/harness';
import { signedEvent, slashCommandBody } from '../support/slack';

/** prod changed by the platform team's user group only; the example's other environments by everyone. */
const GROUP_CONFIG = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace(
  'deployers: everyone # or Slack user and user-group ids; a protected environment must say which',
  'deployers: [S0PLATFORM1]',
);
const GUEST = 'U0GUEST0001';

describe('who may do what, through signed Slack requests and the Web API stand-in', () => {
  let h: Harness;
  let store: MemoryStore;
  beforeEach(async () => {
    store = new MemoryStore();
    h = await harness({ store }, GROUP_CONFIG);
    h.standIn.groups.set('S0PLATFORM1', [ALICE, GUEST]);
    h.standIn.people.set(GUEST, { guest: 'multi-channel' });
  });
  afterEach(async () => {
    await h.close();
  });

  const audited = async () =>
    Promise.all(
      store
        .keys()
        .filter((k) => k.startsWith(AUDIT_PREFIX))
        .map((k) => store.get<{ action: string; reason: string; actor: { userId: string } }>(k)),
    );

  it('lets a member of the configured user group deploy to prod, asking Slack for the group once', async () => {
    // Act
    const first = (await slash(h, 'web prod v1.8.2', ALICE)).ack as StandInMessage;
    await slash(h, 'api prod v1.4.2', ALICE);

    // Assess
    expect(allText(first)).toContain('Deploy *web* `v1.8.2` to *prod*?');
    expect(h.standIn.calls.filter((c) => c.method === 'usergroups.users.list')).toHaveLength(1);
    expect(await audited()).toEqual([]);
  });

  it('refuses someone outside the group, says who can, and writes the refusal down', async () => {
    // Act
    const { ack } = await slash(h, 'web prod v1.8.2', BOB);

    // Assess
    expect(allText(ack as StandInMessage)).toContain('You are not allowed to change *prod*.');
    expect(allText(ack as StandInMessage)).toContain('Only <!subteam^S0PLATFORM1> can.');
    expect(await audited()).toEqual([
      expect.objectContaining({
        action: 'Deploy',
        reason: 'not-listed',
        actor: expect.objectContaining({ userId: BOB }),
      }),
    ]);
  });

  it('refuses a guest on the protected environment even through the group, and lets them deploy to staging', async () => {
    // Act
    const prod = (await slash(h, 'web prod v1.8.2', GUEST)).ack as StandInMessage;
    const staging = (await slash(h, 'web staging v1.8.2', GUEST)).ack as StandInMessage;

    // Assess
    expect(allText(prod)).toContain('Guest accounts are not allowed to change *prod*.');
    expect(allText(staging)).toContain('Deploy *web* `v1.8.2` to *staging*?');
    expect(await audited()).toEqual([expect.objectContaining({ reason: 'guest' })]);
  });

  it('checks again at Confirm: someone removed from the group since is refused there, once the group is read again', async () => {
    // Prepare
    const card = (await slash(h, 'web prod v1.8.2', ALICE)).ack as StandInMessage;
    h.standIn.groups.set('S0PLATFORM1', [GUEST]);
    // The group's members are cached for five minutes: the click comes six minutes later.
    const later = Date.now() + 6 * 60 * 1000;
    jest.spyOn(Date, 'now').mockImplementation(() => later);

    // Act
    await h.sendAndSettle(click(h, card, 'opsbot.confirm', ALICE));

    // Assess
    jest.restoreAllMocks();
    expect(h.bot().map(allText).join('\n')).toContain('You are not allowed to change *prod*.');
    expect(h.standIn.calls.filter((c) => c.method === 'usergroups.users.list')).toHaveLength(2);
    expect(await audited()).toEqual([expect.objectContaining({ action: 'Deploy', reason: 'not-listed' })]);
  });

  it('writes down a request from a workspace opsbot does not serve, and a Confirm pressed by someone else', async () => {
    // Prepare: only the local workspace is served
    await h.close();
    h = await harness(
      { store },
      GROUP_CONFIG.replace('  botId: B0OPSBOT01\n', '  botId: B0OPSBOT01\n  teams: [T0LOCAL001]\n'),
    );
    h.standIn.groups.set('S0PLATFORM1', [ALICE]);
    const foreign = new URLSearchParams(
      slashCommandBody('web prod v1.8.2', { user: 'U0STRANGER1', responseUrl: 'http://127.0.0.1:9/r' }),
    );
    foreign.set('team_id', 'T0OTHER001');
    const card = (await slash(h, 'web prod v1.8.2', ALICE)).ack as StandInMessage;

    // Act
    const answered = await h.sendAndSettle(signedEvent(foreign.toString(), FORM));
    await h.sendAndSettle(click(h, card, 'opsbot.confirm', BOB));

    // Assess
    expect(JSON.parse(answered.body).text).toContain("opsbot isn't set up for this workspace");
    expect(await audited()).toEqual([
      expect.objectContaining({
        action: 'Request',
        reason: 'other-workspace',
        actor: expect.objectContaining({ userId: 'U0STRANGER1', teamId: 'T0OTHER001' }),
      }),
      expect.objectContaining({
        action: 'Confirm',
        reason: 'not-the-requester',
        actor: expect.objectContaining({ userId: BOB }),
      }),
    ]);
  });
});
