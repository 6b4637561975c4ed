import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { Claims } from '../../integrations/claims';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import { alarmRollback } from '../../intents/deploys/alarm-rollback.handler';
import type { DeployRun } from '../../intents/deploys/run/record';
import { startRun } from '../../intents/deploys/run/start';
import { plainText, type Reply } from '../../intents/reply';
import { describeShared, sharedJson } from '../support/fixtures';
import { sandboxPorts } from '../support/ports';

const ARN = (name: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
const SAMPLES = [
  'ServerCpuTooHigh',
  'TotalNetworkTrafficTooHigh',
  'ServiceAggregatedAlarm',
  'EC2 CPU Utilization Anomaly',
  'SO0143-[MyDemoApplication2]-[MyDemoRepo2]-MTTR',
];

/** The example world, with AWS's sample alarms (by ARN, in a samples account) rolling web back in staging. */
function samplesConfig() {
  const text = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')
    .replace(
      'accounts:\n',
      'accounts:\n  samples:\n    id: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/opsbot\n',
    )
    .replace(
      'rollbackAlarms: [web-staging-5xx-errors, web-staging-p99-latency]',
      `rollbackAlarms: [${SAMPLES.map((n) => JSON.stringify(ARN(n))).join(', ')}]`,
    );
  return parseConfig(text);
}

type Event = EventBridgeEvent & { detail: Record<string, Record<string, unknown>> };

const fixture = (name: string): Event => {
  const event = sharedJson<Event>(`eb-cloudwatch-alarm-state-change__${name}.json`);
  // The DevOps dashboard's sample masks its account as "xxxxxxxxxxxx": given a real-looking one, as AWS sends.
  return JSON.parse(JSON.stringify(event).replaceAll('xxxxxxxxxxxx', '123456789012')) as Event;
};

/** The same event the other way round (the ALARM that came before an ALARM → OK sample). */
function reversed(event: Event): Event {
  return {
    ...event,
    detail: { ...event.detail, state: event.detail.previousState ?? {}, previousState: event.detail.state ?? {} },
  };
}

function textOf(reply: Reply | undefined): string {
  return [plainText(reply?.summary ?? ''), ...(reply?.sections ?? []).flat().map(plainText)].join('\n');
}

describeShared('the AlarmRollback reaction, driven by AWS’s published alarm events', () => {
  function setup() {
    const base = sandboxPorts(samplesConfig());
    const ports = { ...base.ports, claims: new Claims(base.store) };
    return { ...base, ports, handle: (event: unknown) => alarmRollback.handle(event as EventBridgeEvent, ports) };
  }

  it.each([
    [
      'aws-docs__single-metric',
      [
        'Alarm ServerCpuTooHigh went to ALARM at 17:04 UTC',
        'Metric CPUUtilization (AWS/EC2, Average over 5 min) of InstanceId=i-12345678901234567',
        'Threshold 50 · datapoint 99.5',
        'CloudWatch: “Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434',
      ],
    ],
    [
      'aws-docs__metric-math',
      ['Metric math SUM(METRICS()) (Total Network Traffic)', 'Threshold 10000 · datapoint 45628'],
    ],
    [
      'aws-docs__composite-suppressed',
      [
        'Composite rule ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh) · set off by ServerCpuTooHigh',
        'CloudWatch held back the alarm’s own actions (Actions suppressed by WaitPeriod); opsbot acts on its state.',
      ],
    ],
    [
      'aws-docs__anomaly-detection',
      [
        'Metric CPUUtilization (AWS/EC2, Average over 1 min)',
        'Outside its expected band 0.0206 to 0.3007 · datapoint 0',
      ],
    ],
  ])('posts %s to #alerts when no deploy is running, offering no rollback it cannot name', async (name, lines) => {
    // Prepare
    const { handle, announcer } = setup();

    // Act
    await handle(fixture(name));
    await handle(fixture(name));

    // Assess: one alert, whatever EventBridge delivered twice
    const alerts = announcer.messages().filter((m) => m.to === 'C0ALERTS001');
    expect(alerts).toHaveLength(1);
    const text = textOf(alerts[0]?.reply);
    for (const line of lines) expect(text).toContain(line);
    expect(text).toContain('No deploy of web in staging is running or baking, so opsbot changed nothing.');
    // Neither opsbot nor the engine knows a version before this one: no button that would lead nowhere
    expect(alerts[0]?.reply.buttons).toBeUndefined();
    expect(text).toContain(
      'opsbot knows no earlier version of web here to offer; to roll back, name one: /deploy rollback web staging <version>.',
    );
  });

  it('offers Roll back now to the version the engine’s last deployment replaced, and says what the button does', async () => {
    // Prepare: web was deployed to staging outside opsbot (the engine's history knows it)
    const { handle, announcer, sandbox, clock } = setup();
    const before = (await sandbox.deployments.current('web', 'staging')).version;
    await sandbox.deployments.start({ service: 'web', environment: 'staging', version: 'v1.8.2', requestedBy: 'ci' });
    clock.advance(60 * 60_000);

    // Act
    await handle(fixture('aws-docs__single-metric'));

    // Assess
    const [alert] = announcer.messages().filter((m) => m.to === 'C0ALERTS001');
    expect(alert?.reply.buttons?.map((b) => [b.label, b.payload])).toEqual([
      [
        `Roll back now to ${before}`,
        { kind: 'request', intent: 'Rollback', slots: { service: 'web', environment: 'staging', version: before } },
      ],
    ]);
    expect(textOf(alert?.reply)).toContain(
      `Roll back now deploys ${before} again once you confirm it; for those who may deploy to staging.`,
    );
  });

  it('updates the alert when the alarm goes back to OK: "recovered after 6 min", and the button goes', async () => {
    // Prepare
    const { handle, announcer } = setup();
    const ok = fixture('aws-devops-monitoring-dashboard__ALARM-to-OK');
    await handle(reversed(ok));

    // Act
    await handle(ok);
    await handle(ok);

    // Assess
    const [alert] = announcer.messages().filter((m) => m.to === 'C0ALERTS001');
    expect(alert?.updates).toHaveLength(1);
    expect(textOf(alert?.reply)).toContain(
      'Alarm SO0143-[MyDemoApplication2]-[MyDemoRepo2]-MTTR recovered after 6 min: back to OK.',
    );
    expect(alert?.reply.buttons).toBeUndefined();
  });

  it('stops a running deploy with rollback on a metric-math alarm, and tells its thread', async () => {
    // Prepare
    const { handle, announcer, ports, clock, sandbox, store } = setup();
    await startRun(
      { kind: 'deploy', service: 'web', environment: 'staging', version: 'v1.8.2' },
      { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      ports,
    );
    clock.advance(2 * 60_000);
    const run = (await store.list<DeployRun>('deploys'))[0] as DeployRun;

    // Act: AWS's sample, as if its alarm changed now (its own timestamp is from 2019, before any deploy here)
    const sample = fixture('aws-docs__metric-math');
    const now = new Date(clock.now()).toISOString().replace('Z', '+0000');
    await handle({ ...sample, detail: { ...sample.detail, state: { ...sample.detail.state, timestamp: now } } });

    // Assess
    const deployment = await sandbox.deployments.get('web', 'staging', run.deploymentId as string);
    expect(deployment.step).toBe('RollingBack');
    const [message] = announcer.messages();
    const story = announcer.posts.filter((p) => p.thread === message?.ts).map((p) => textOf(p.reply));
    expect(story.find((t) => t.includes('TotalNetworkTrafficTooHigh'))).toContain(
      'opsbot stopped the deployment at 09:02 UTC and is rolling back to',
    );
    expect(announcer.messages().filter((m) => m.to === 'C0ALERTS001')).toEqual([]);
  });

  it('ignores what is not a configured alarm’s change, and crafted events, without posting or throwing', async () => {
    // Prepare
    const { handle, announcer } = setup();
    const single = fixture('aws-docs__single-metric');

    // Act
    await handle({ ...single, detail: null });
    await handle({ ...single, detail: { ...single.detail, alarmName: 'x'.repeat(5_000_000) } });
    await handle({ ...single, detail: { ...single.detail, state: { value: 'ON_FIRE' } } });
    await handle({ ...single, account: '999999999999', resources: [] });
    await handle({ ...single, detail: { ...single.detail, alarmName: 'SomeoneElsesAlarm' }, resources: [] });
    // A configured alarm's ARN beside another alarm's name: not taken as the configured one.
    await handle({ ...single, detail: { ...single.detail, alarmName: 'SomeoneElsesAlarm' } });

    // Assess
    expect(announcer.posts.map((p) => plainText(p.reply.summary))).toEqual([]);
  });

  it('ignores an ALARM that arrives after the OK that ended it (events out of order)', async () => {
    // Prepare
    const { handle, announcer } = setup();
    const ok = fixture('aws-devops-monitoring-dashboard__ALARM-to-OK');

    // Act
    await handle(ok);
    await handle(reversed(ok));

    // Assess
    expect(announcer.posts).toEqual([]);
  });

  it('deploys the previous version again when the deployment succeeded while the stop was on its way', async () => {
    // Prepare: the engine finishes the deployment just before opsbot's stop reaches it, and refuses the stop
    const { handle, ports, clock, sandbox, store } = setup();
    await startRun(
      { kind: 'deploy', service: 'web', environment: 'staging', version: 'v1.8.2' },
      { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      ports,
    );
    const previous = ((await store.list<DeployRun>('deploys'))[0] as DeployRun).previousVersion;
    clock.advance(2 * 60_000);
    const stop = sandbox.deployments.stop.bind(sandbox.deployments);
    sandbox.deployments.stop = async (service, environment, id, options) => {
      clock.advance(20 * 60_000);
      return stop(service, environment, id, options);
    };
    const sample = fixture('aws-docs__metric-math');
    const now = new Date(clock.now()).toISOString().replace('Z', '+0000');

    // Act
    await handle({ ...sample, detail: { ...sample.detail, state: { ...sample.detail.state, timestamp: now } } });

    // Assess: the deploy ended as it did, and its rollback is under way
    const runs = await store.list<DeployRun>('deploys');
    expect(runs.map((r) => [r.kind, r.version, r.outcome ?? r.state])).toEqual([
      ['deploy', 'v1.8.2', 'succeeded'],
      ['rollback', previous, 'running'],
    ]);
  });
});
