import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { Claims } from '../../integrations/claims';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import { runDigest } from '../../intents/maintenance/digest';
import { healthEvents, noticeFromHealthEvent } from '../../intents/maintenance/health-events.handler';
import { plainText, type Reply } from '../../intents/reply';
import { describeShared, sharedJson } from '../support/fixtures';
import { sandboxPorts } from '../support/ports';

type HealthEvent = EventBridgeEvent<Record<string, unknown>>;
const fixture = (name: string) => sharedJson<HealthEvent>(`eb-aws-health-event__${name}.json`);

/** AWS's sample, as if announced now: its start (from 2026's or 2016's examples) moved to `startsAt`. */
function announced(event: HealthEvent, startsAt: number): HealthEvent {
  return { ...event, detail: { ...event.detail, startTime: new Date(startsAt).toUTCString() } };
}

function text(reply: Reply | undefined): string {
  return [plainText(reply?.summary ?? ''), ...(reply?.sections ?? []).flat().map(plainText)].join('\n');
}

describeShared('AWS Health scheduled changes as AWS announces them (its published "AWS Health Event" samples)', () => {
  function setup() {
    // AWS's samples are for account 123456789012: configured here as a read account.
    const config = parseConfig(
      readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace(
        'accounts:\n',
        'accounts:\n  samples:\n    id: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/opsbot\n',
      ),
    );
    const base = sandboxPorts(config);
    const ports = { ...base.ports, claims: new Claims(base.store) };
    return { ...base, ports, handle: (event: unknown) => healthEvents.handle(event as EventBridgeEvent, ports) };
  }

  it('posts an instance retirement starting within a day to #notices at once, once, and the digest does not repeat it', async () => {
    // Prepare
    const { handle, announcer, clock, ports } = setup();
    const event = announced(
      fixture('scheduledChange-EC2-instance-retirement__aws-health-docs'),
      clock.now() + 12 * 3_600_000,
    );

    // The next digest reads the same event from Health's API.
    const same = noticeFromHealthEvent(event, ports.rules.maintenance.accounts);
    const digestPorts = {
      ...ports,
      maintenance: { upcoming: async () => ({ notices: same ? [same] : [], failures: [] }) },
    };

    // Act
    await handle(event);
    await handle(event);
    await runDigest(digestPorts);

    // Assess
    const posts = announcer.messages().filter((m) => m.to === 'C0NOTICES1');
    expect(posts.map((p) => plainText(p.reply.summary))).toEqual([
      'AWS Health: EC2 AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED in samples',
      'No new or changed AWS maintenance in the next 14 days.',
    ]);
    expect(text(posts[0]?.reply)).toContain('A description of the event will be provided here — i-1234567890abcdef0');
  });

  it('posts a planned lifecycle event that needs action, with its affected functions, and keeps it a lifecycle event', async () => {
    // Prepare
    const { handle, announcer, clock } = setup();

    // Act
    await handle(
      announced(
        fixture('scheduledChange-Lambda-planned-lifecycle-paginated__aws-health-docs'),
        clock.now() + 10 * 86_400_000,
      ),
    );

    // Assess
    const [post] = announcer.messages();
    expect(text(post?.reply)).toContain(
      'LAMBDA AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT · samples (123456789012) · us-west-2',
    );
    expect(text(post?.reply)).toContain('You can: upgrade or migrate before the date AWS gives (an end of support)');
  });

  it('reads the ECS task patching sample (an EventBridge PutEvents entry), and ignores issues and unknown accounts', async () => {
    // Prepare
    const [entry] = sharedJson<Array<{ Detail: string }>>(
      'eb-PutEvents-entry__aws-health-scheduledChange-ECS-task-patching__aws-health-tools.json',
    );
    const accounts = [{ id: '123456789012', name: 'samples' }];

    // Act
    const patching = noticeFromHealthEvent(
      { account: '123456789012', region: 'us-east-1', detail: JSON.parse(entry?.Detail ?? '{}') },
      accounts,
    );
    const issue = noticeFromHealthEvent(fixture('issue-PUBLIC-EC2-operational__aws-health-docs'), accounts);
    const elsewhere = noticeFromHealthEvent(fixture('scheduledChange-EC2-instance-retirement__aws-health-docs'), [
      { id: '999999999999', name: 'other' },
    ]);
    const crafted = noticeFromHealthEvent(
      { account: '123456789012', region: 'x', detail: { eventTypeCategory: 'scheduledChange', eventArn: 7 } },
      accounts,
    );

    // Assess
    expect(patching).toMatchObject({
      service: 'ECS',
      kind: 'AWS_ECS_TASK_PATCHING_RETIREMENT',
      region: 'us-east-1',
      startsAt: Date.parse('2023-08-16T23:18:51Z'),
      endsAt: Date.parse('2023-08-18T23:18:51Z'),
    });
    expect([issue, elsewhere, crafted]).toEqual([undefined, undefined, undefined]);
  });
});
