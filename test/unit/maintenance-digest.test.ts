import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { Claims } from '../../integrations/claims';
import type { MaintenanceNotice } from '../../integrations/maintenance.port';
import type { IntentPorts } from '../../intents/define-intent';
import { changeConfirmation } from '../../intents/deploys/deploy.policy';
import { runDigest } from '../../intents/maintenance/digest';
import { maintenanceDigest } from '../../intents/maintenance/maintenance-digest.handler';
import { localTime } from '../../intents/maintenance/notices';
import { spanOf, upcomingMaintenance } from '../../intents/maintenance/upcoming';
import { plainText, type Reply } from '../../intents/reply';
import { sandboxPorts } from '../support/ports';

const DAY = 86_400_000;

function text(reply: Reply | undefined): string {
  return [plainText(reply?.summary ?? ''), ...(reply?.sections ?? []).flat().map(plainText)].join('\n');
}

function setup(timeZone = 'Europe/Berlin') {
  const config = parseConfig(`timeZone: ${timeZone}\n${readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')}`);
  return sandboxPorts(config);
}

/** The digests posted to #notices (top-level posts), newest last. */
function digests(announcer: ReturnType<typeof setup>['announcer']) {
  return announcer.messages().filter((m) => m.to === 'C0NOTICES1');
}

describe('the daily maintenance digest (the sandbox’s maintenance, the team’s time zone)', () => {
  it('posts what is new, grouped by urgency then account, in the team’s time zone with its UTC offset', async () => {
    // Prepare
    const { ports, announcer } = setup();

    // Act
    await runDigest(ports);

    // Assess
    const [digest] = digests(announcer);
    const body = text(digest?.reply);
    expect(plainText(digest?.reply.summary ?? '')).toBe('AWS maintenance: 3 new.');
    expect(body).toContain('In the next 7 days · prod');
    expect(body).toContain('Later · tools');
    expect(body.indexOf('system-reboot')).toBeLessThan(body.indexOf('system-update'));
    expect(body).toContain('New · Thu 26 Nov 03:00 (UTC+1)');
    expect(body).toContain('affects web');
  });

  it('posts nothing again the next run of the same day: a quiet line only', async () => {
    // Prepare
    const { ports, announcer } = setup();
    await runDigest(ports);

    // Act
    await runDigest(ports);

    // Assess
    const [, second] = digests(announcer);
    expect(plainText(second?.reply.summary ?? '')).toBe('No new or changed AWS maintenance in the next 14 days.');
    expect(second?.reply.sections?.length).toBe(1);
  });

  it('posts nothing at all on a quiet day when configured so', async () => {
    // Prepare
    const config = parseConfig(
      readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace('quietDays: line', 'quietDays: nothing'),
    );
    const { ports, announcer } = sandboxPorts(config);
    await runDigest(ports);

    // Act
    const quiet = await runDigest(ports);

    // Assess
    expect(quiet.skipped).toBe('quiet');
    expect(announcer.messages()).toHaveLength(1);
  });

  it('says what changed the next day: a moved start and a new notice, and nothing unchanged', async () => {
    // Prepare
    const { ports, announcer, clock } = setup();
    await runDigest(ports);

    // Act
    clock.advance(DAY);
    await runDigest(ports);

    // Assess
    const body = text(digests(announcer)[1]?.reply);
    expect(plainText(digests(announcer)[1]?.reply.summary ?? '')).toBe('AWS maintenance: 1 new, 1 changed.');
    expect(body).toContain('Changed · Wed 25 Nov 05:00 (UTC+1)');
    expect(body).toContain('Moved from Thu 26 Nov 03:00 (UTC+1)');
    expect(body).toContain('New · ');
    expect(body).toContain('OpenSearch');
    expect(body).not.toContain('system-update');
  });

  it('reminds once when a known notice starts within 24 hours', async () => {
    // Prepare: the digest of day 0 told the RDS update (day 5, 03:00 UTC)
    const { ports, announcer, clock } = setup();
    await runDigest(ports);

    // Act: day 4, 09:00 UTC — the update is 18 hours away
    clock.advance(4 * DAY);
    await runDigest(ports);
    await runDigest(ports);

    // Assess
    const [reminder, after] = digests(announcer)
      .slice(1)
      .map((m) => text(m.reply));
    expect(reminder).toContain('Starts within 24 h · Sat 28 Nov 04:00 (UTC+1)');
    expect(reminder).toContain('In the next 24 hours · prod');
    expect(after).not.toContain('system-update');
  });

  it('names an account that could not be read, and posts the rest', async () => {
    // Prepare
    const { ports, announcer, sandbox } = setup();
    sandbox.maintenance.withoutSupportPlan('111111111111');

    // Act
    await runDigest(ports);

    // Assess
    const body = text(digests(announcer)[0]?.reply);
    expect(body).toContain(
      'Not read: tools (111111111111) · AWS Health: AWS Health’s API needs a Business, Enterprise On-Ramp or Enterprise support plan',
    );
    expect(body).toContain('system-reboot');
    expect(body.match(/Not read/g)).toHaveLength(1);
  });

  it('says an account whose role cannot be assumed in one line, and an account’s denied region in one more', async () => {
    // Prepare
    const { ports, announcer } = setup();
    const prod = { id: '222222222222', name: 'prod' };
    const tools = { id: '111111111111', name: 'tools' };
    const role = 'opsbot can’t assume the role arn:aws:iam::222222222222:role/opsbot in account prod.';
    const failing: IntentPorts = {
      ...ports,
      maintenance: {
        upcoming: async () => ({
          notices: [],
          failures: [
            { account: prod, source: 'health', reason: 'role', message: role },
            ...(['ec2', 'rds', 'elasticache', 'opensearch'] as const).flatMap((source) =>
              ['eu-west-1', 'us-east-1'].map((region) => ({
                account: prod,
                region,
                source,
                reason: 'role' as const,
                message: role,
              })),
            ),
            {
              account: tools,
              region: 'us-east-1',
              source: 'ec2',
              reason: 'access-denied',
              message: 'access denied (UnauthorizedOperation)',
            },
            {
              account: tools,
              region: 'us-east-1',
              source: 'rds',
              reason: 'access-denied',
              message: 'access denied (UnauthorizedOperation)',
            },
          ],
        }),
      },
    };

    // Act
    await runDigest(failing);

    // Assess
    const lines = text(digests(announcer)[0]?.reply)
      .split('\n')
      .filter((l) => l.includes('Not read'));
    expect(lines).toEqual([
      ` Not read: prod (222222222222): ${role}`,
      ' Not read: tools (111111111111), us-east-1 · EC2 scheduled event, RDS pending maintenance: access denied (UnauthorizedOperation)',
    ]);
  });

  it('collapses a long list: the first 8 in the digest, the rest in its thread', async () => {
    // Prepare: 20 EC2 reboots
    const { ports, announcer, clock } = setup();
    const notices: MaintenanceNotice[] = Array.from({ length: 20 }, (_, i) => ({
      id: `ec2:${i}`,
      source: 'ec2',
      account: { id: '222222222222', name: 'prod' },
      region: 'eu-west-1',
      service: 'EC2',
      kind: 'system-reboot',
      resources: [{ id: `i-${String(i).padStart(17, '0')}` }],
      startsAt: clock.now() + (i + 2) * DAY,
      says: 'The instance is scheduled for a reboot',
      options: [],
      console: 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Events:',
    }));
    const many: IntentPorts = { ...ports, maintenance: { upcoming: async () => ({ notices, failures: [] }) } };

    // Act
    const result = await runDigest(many);

    // Assess
    const [digest] = digests(announcer);
    const thread = announcer.posts.filter((p) => p.thread === digest?.ts);
    expect(result.entries).toHaveLength(20);
    expect(text(digest?.reply)).toContain('And 12 more in the thread.');
    expect(text(digest?.reply).match(/system-reboot/g)).toHaveLength(8);
    expect(thread.map((p) => p.reply.sections?.length)).toEqual([10, 2]);
  });

  it('posts once for a schedule EventBridge Scheduler delivered twice', async () => {
    // Prepare
    const { ports, announcer, store, clock } = setup();
    const event = {
      version: '0',
      id: 'c1',
      'detail-type': 'Maintenance Digest',
      source: 'opsbot.scheduler',
      account: '111111111111',
      time: new Date(clock.now()).toISOString(),
      region: 'eu-west-1',
      resources: [],
      detail: {},
    };

    // Act
    await maintenanceDigest.handle(event, { ...ports, claims: new Claims(store) });
    await maintenanceDigest.handle({ ...event, id: 'c2' }, { ...ports, claims: new Claims(store) });

    // Assess
    expect(digests(announcer)).toHaveLength(1);
  });

  it('writes times across a DST change with the offset of each', () => {
    expect(localTime(Date.parse('2026-10-24T23:00:00Z'), 'Europe/Berlin')).toBe('Sun 25 Oct 01:00 (UTC+2)');
    expect(localTime(Date.parse('2026-10-25T02:00:00Z'), 'Europe/Berlin')).toBe('Sun 25 Oct 03:00 (UTC+1)');
    expect(localTime(Date.parse('2026-03-08T10:30:00Z'), 'America/New_York')).toBe('Sun 8 Mar 06:30 (UTC-4)');
    expect(localTime(Date.parse('2026-03-08T10:30:00Z'), 'UTC')).toBe('Sun 8 Mar 10:30 (UTC)');
  });
});

describe('maintenance on demand: the period, service and account asked about', () => {
  const NOW = Date.parse('2026-11-24T09:00:00Z'); // a Tuesday

  it.each([
    ['today', '2026-11-24T09:00:00Z', '2026-11-24T23:00:00Z', 'today (Tue 24 Nov)'],
    ['tomorrow', '2026-11-24T23:00:00Z', '2026-11-25T23:00:00Z', 'tomorrow (Wed 25 Nov)'],
    ['this-week', '2026-11-24T09:00:00Z', '2026-11-29T23:00:00Z', 'this week (to Sun 29 Nov)'],
    ['next-week', '2026-11-29T23:00:00Z', '2026-12-06T23:00:00Z', 'next week (Mon 30 Nov to Sun 6 Dec)'],
    ['next-month', '2026-11-30T23:00:00Z', '2026-12-31T23:00:00Z', 'next month (December 2026)'],
    ['3-days', '2026-11-24T09:00:00Z', '2026-11-27T09:00:00Z', 'the next 3 days'],
    [undefined, '2026-11-24T09:00:00Z', '2026-12-08T09:00:00Z', 'the next 14 days'],
  ])('reads %s in the team’s time zone', (period, from, until, words) => {
    expect(spanOf(period, NOW, 'Europe/Berlin')).toEqual({ from: Date.parse(from), until: Date.parse(until), words });
  });

  it('reads next month across the DST change in the team’s time zone', () => {
    const span = spanOf('next-month', Date.parse('2026-02-15T12:00:00Z'), 'Europe/Berlin');
    expect([new Date(span.from).toISOString(), new Date(span.until).toISOString()]).toEqual([
      '2026-02-28T23:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
    ]);
  });

  it('answers for the service and the account asked about, and says which range it covered', async () => {
    // Prepare
    const { ports, clock } = setup();
    clock.advance(2 * DAY);

    // Act
    const web = await upcomingMaintenance(ports, { service: 'web' });
    const tools = await upcomingMaintenance(ports, { account: 'tools', period: '3-days' });
    const payments = await upcomingMaintenance(ports, { service: 'payments', period: 'tomorrow' });

    // Assess
    expect(plainText(web.summary)).toBe(
      '2 scheduled maintenance events in the next 14 days, affecting web, 1 needing action.',
    );
    expect(text(web)).toContain('system-reboot');
    expect(text(web)).not.toContain('system-update');
    expect(plainText(tools.summary)).toBe('No AWS scheduled maintenance in the next 3 days, in account tools.');
    expect(plainText(payments.summary)).toBe('No AWS scheduled maintenance tomorrow (Thu 26 Nov), affecting payments.');
  });
});

describe('a deploy’s confirmation card and the service’s maintenance', () => {
  it('warns when AWS maintenance of the service’s resources starts within hours, and only then', async () => {
    // Prepare: web's prod instance reboots at 04:00 UTC on the sandbox's day 2 (moved there on day 1)
    const { ports, clock } = setup();
    clock.advance(14 * 3_600_000);

    // Act: a day before (23:00 on day 0), then 23:00 on day 1
    const dayBefore = await changeConfirmation(
      'Deploy',
      { service: 'web', environment: 'prod', version: 'v1.8.2' },
      ports,
    );
    clock.advance(24 * 3_600_000);
    const web = await changeConfirmation('Deploy', { service: 'web', environment: 'prod', version: 'v1.8.2' }, ports);
    const api = await changeConfirmation('Deploy', { service: 'api', environment: 'prod', version: 'v1.8.2' }, ports);

    // Assess
    expect(plainText(web.warning ?? '')).toBe(
      'prod is a protected environment. AWS maintenance soon: EC2 system-reboot of web-prod-ecs-1 in 5 h.',
    );
    expect(plainText(api.warning ?? '')).toBe('prod is a protected environment.');
    expect(plainText(dayBefore.warning ?? '')).toBe('prod is a protected environment.');
  });
});

describe('the digest’s memory of what it told', () => {
  it('does not tell a notice open for weeks as new every day', async () => {
    // Prepare: an AWS Health scheduled change open for 10 days, with no end given
    const { ports, announcer, clock } = setup();
    const notice: MaintenanceNotice = {
      id: 'arn:aws:health:eu-west-1::event/RDS/AWS_RDS_MAINTENANCE_SCHEDULED/long#222222222222',
      source: 'health',
      account: { id: '222222222222', name: 'prod' },
      region: 'eu-west-1',
      service: 'RDS',
      kind: 'AWS_RDS_MAINTENANCE_SCHEDULED',
      resources: [{ id: 'orders' }],
      startsAt: clock.now() - 10 * DAY,
      status: 'open',
      says: 'Your database is scheduled for maintenance',
      options: [],
      console: 'https://health.aws.amazon.com/health/home',
    };
    const long: IntentPorts = {
      ...ports,
      maintenance: { upcoming: async () => ({ notices: [notice], failures: [] }) },
    };

    // Act: four days of digests
    for (let day = 0; day < 4; day++) {
      await runDigest(long);
      clock.advance(DAY);
    }

    // Assess
    expect(digests(announcer).map((m) => plainText(m.reply.summary))).toEqual([
      'AWS maintenance: 1 new.',
      'No new or changed AWS maintenance in the next 14 days.',
      'No new or changed AWS maintenance in the next 14 days.',
      'No new or changed AWS maintenance in the next 14 days.',
    ]);
  });

  it('remembers nothing it could not post, and a run cut off by a timeout leaves the day to its retry', async () => {
    // Prepare: no notices channel; then a run that held the day and was cut off
    const { ports, announcer, clock, store } = setup();
    const nowhere: IntentPorts = {
      ...ports,
      announcer: Object.assign(Object.create(announcer), { post: async () => undefined }),
    };
    await runDigest(nowhere);
    await store.putIfAbsent('digest:2026-11-23', 'posting', 600);

    // Act
    const held = await runDigest(ports, { day: '2026-11-23' });
    clock.advance(11 * 60_000);
    const retried = await runDigest(ports, { day: '2026-11-23' });
    const again = await runDigest(ports, { day: '2026-11-23' });

    // Assess
    expect(held.skipped).toBe('already-posted');
    expect(plainText(retried.message ? (digests(announcer)[0]?.reply.summary ?? '') : '')).toBe(
      'AWS maintenance: 3 new.',
    );
    expect(again.skipped).toBe('already-posted');
  });
});
