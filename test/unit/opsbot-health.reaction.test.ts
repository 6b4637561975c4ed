import { createMemoryLog } from '../../bot/logger';
import { Claims } from '../../integrations/claims';
import type { Announcer, EventBridgeEvent } from '../../intents/define-reaction';
import type { Reply } from '../../intents/reply';
import { opsbotHealth } from '../../intents/self/opsbot-health.handler';
import { isOwnAlarmEvent } from '../../intents/self/opsbot-health.reaction';
import { OWN_ALARMS, type OwnAlarmKind, ownAlarmName, readOwnAlarmName } from '../../intents/self/own-alarms';
import { describeShared, sharedJson } from '../support/fixtures';
import { RecordingAnnouncer, sandboxPorts, shown, smallPrint, summaryText } from '../support/ports';

type Event = EventBridgeEvent & { detail: Record<string, unknown> };

const ACCOUNT = '123456789012';
const WORKER = 'Opsbot-WorkerD9B5C1E4-Xr7pQm2LkT0a';

/**
 * One of AWS's published alarm state changes (`single-metric`: OK → ALARM; `ALARM-to-OK`), made about one of opsbot's
 * own alarms: its name, ARN and metric (the worker's Errors, or another metric and dimensions), as CloudWatch would
 * send it for that alarm. Everything else is AWS's sample as published.
 */
function ownEvent(
  sample: 'single-metric' | 'ALARM-to-OK',
  options: {
    readonly kind?: OwnAlarmKind;
    readonly stack?: string;
    readonly timestamp?: string;
    readonly value?: number;
    readonly metric?: { namespace: string; name: string; dimensions: Record<string, string> };
  } = {},
): Event {
  const file =
    sample === 'single-metric'
      ? 'eb-cloudwatch-alarm-state-change__aws-docs__single-metric.json'
      : 'eb-cloudwatch-alarm-state-change__aws-devops-monitoring-dashboard__ALARM-to-OK.json';
  // The DevOps dashboard's sample masks its account as "xxxxxxxxxxxx": given a real-looking one, as AWS sends.
  const event = JSON.parse(JSON.stringify(sharedJson(file)).replaceAll('xxxxxxxxxxxx', ACCOUNT)) as Event;
  const name = ownAlarmName(options.stack ?? 'Opsbot', options.kind ?? 'worker-errors');
  const detail = event.detail as {
    alarmName: string;
    state: Record<string, unknown>;
    configuration: { metrics: Array<{ metricStat: { metric: unknown; period: number; stat: string } }> };
  };
  detail.alarmName = name;
  const [watched] = detail.configuration.metrics;
  if (watched !== undefined) {
    watched.metricStat = {
      metric: options.metric ?? { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: WORKER } },
      period: 300,
      stat: 'Sum',
    };
  }
  const state = detail.state.value as string;
  detail.state = {
    ...detail.state,
    reasonData: JSON.stringify({
      version: '1.0',
      statistic: 'Sum',
      period: 300,
      recentDatapoints: [options.value ?? (state === 'ALARM' ? 3 : 0)],
      threshold: 1.0,
    }),
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  };
  return { ...event, resources: [`arn:aws:cloudwatch:${event.region}:${ACCOUNT}:alarm:${name}`] };
}

const textOf = (reply: Reply | undefined) =>
  reply === undefined ? '' : [summaryText(reply), shown(reply), ...smallPrint(reply)].join('\n');

function setup(announcer: Announcer = new RecordingAnnouncer()) {
  const base = sandboxPorts();
  const log = createMemoryLog();
  const ports = { ...base.ports, announcer, log, claims: new Claims(base.store) };
  return { ...base, ports, log, send: (event: unknown) => opsbotHealth.handle(event as EventBridgeEvent, ports) };
}

describeShared('the OpsbotHealth reaction: opsbot’s own alarms, told in the alerts channel', () => {
  it('says which alarm fired, what it means and where to look, in the alerts channel', async () => {
    // Prepare
    const announcer = new RecordingAnnouncer();
    const s = setup(announcer);

    // Act
    await s.send(ownEvent('single-metric'));

    // Assess
    expect(announcer.posts).toHaveLength(1);
    const [post] = announcer.posts;
    expect(post?.to).toBe('C0ALERTS001');
    expect(summaryText(post?.reply as Reply)).toBe(
      'opsbot is failing: Opsbot-self-watch-worker-errors (the worker failed)',
    );
    const text = textOf(post?.reply);
    expect(text).toContain(OWN_ALARMS['worker-errors'].meaning);
    expect(text).toContain(`*Look at* ${OWN_ALARMS['worker-errors'].lookAt}.`);
    expect(text).toContain('Latest: 3 errors in 5 minutes (threshold 1).');
    // The function, from the alarm's metric, with its console page (whose Monitor tab opens its log group).
    expect(text).toContain(
      `Function \`${WORKER}\` · <https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/${WORKER}?tab=monitoring|its metrics and logs (Monitor › View CloudWatch logs)>`,
    );
    expect(text).toContain(`Alarm \`Opsbot-self-watch-worker-errors\` · account ${ACCOUNT} · us-east-1`);
  });

  it('posts once however often EventBridge delivers the change, under any event id', async () => {
    // Prepare
    const announcer = new RecordingAnnouncer();
    const s = setup(announcer);
    const event = ownEvent('single-metric');

    // Act: a redelivery, two at once, and the same state change under another id
    await s.send(event);
    await Promise.all([s.send(event), s.send(event)]);
    await s.send({ ...event, id: 'another-delivery-of-the-same-change' });

    // Assess
    expect(announcer.posts).toHaveLength(1);
    expect(s.log.entries.filter((e) => e.message === 'self.event_duplicate_dropped')).toHaveLength(3);
  });

  it('updates that message when the alarm is back to OK, once; a later ALARM is a new message', async () => {
    // Prepare
    const announcer = new RecordingAnnouncer();
    const s = setup(announcer);
    await s.send(ownEvent('single-metric', { timestamp: '2019-10-02T17:04:40.989+0000' }));
    const ok = ownEvent('ALARM-to-OK', { timestamp: '2019-10-02T17:16:12.000+0000' });

    // Act
    await s.send(ok);
    await s.send(ok);
    await s.send({ ...ok, id: 'redelivered' });

    // Assess
    expect(announcer.posts).toHaveLength(1);
    const [post] = announcer.posts;
    expect(post?.updates).toHaveLength(1);
    expect(summaryText(post?.reply as Reply)).toBe('opsbot recovered: Opsbot-self-watch-worker-errors is back to OK');
    expect(textOf(post?.reply)).toContain('The worker failed* — back to OK (it went to ALARM 11 min ago).');

    // Act: it fails again later
    await s.send(ownEvent('single-metric', { timestamp: '2019-10-02T18:00:00.000+0000' }));

    // Assess
    expect(announcer.posts).toHaveLength(2);
  });

  it('tells the recovery when the OK is handled while the ALARM is still being posted', async () => {
    // Prepare: the OK arrives (another worker) while Slack is answering the ALARM's post
    const recording = new RecordingAnnouncer();
    let s: ReturnType<typeof setup>;
    const ok = ownEvent('ALARM-to-OK', { timestamp: '2019-10-02T17:16:12.000+0000' });
    const slowSlack: Announcer = {
      ...recording,
      post: async (to, reply) => {
        await s.send(ok);
        return recording.post(to, reply);
      },
      update: (message, reply) => recording.update(message, reply),
    };
    s = setup(slowSlack);

    // Act
    await s.send(ownEvent('single-metric', { timestamp: '2019-10-02T17:04:40.989+0000' }));

    // Assess
    const [post] = recording.posts;
    expect(post?.updates).toHaveLength(1);
    expect(summaryText(post?.reply as Reply)).toBe('opsbot recovered: Opsbot-self-watch-worker-errors is back to OK');
  });

  it('tells an ALARM that arrives after the OK that ended it as nothing', async () => {
    // Prepare
    const announcer = new RecordingAnnouncer();
    const s = setup(announcer);

    // Act: EventBridge does not keep order
    await s.send(ownEvent('ALARM-to-OK', { timestamp: '2019-10-02T17:16:12.000+0000' }));
    await s.send(ownEvent('single-metric', { timestamp: '2019-10-02T17:04:40.989+0000' }));

    // Assess
    expect(announcer.posts).toHaveLength(0);
  });

  it('names the dead-letter queue and the deploy watcher’s state machine, with their console pages', async () => {
    // Prepare
    const announcer = new RecordingAnnouncer();
    const s = setup(announcer);
    const queue = 'Opsbot-WorkerDeadLetters4B1C2D3E-AbCdEf012345';

    // Act
    await s.send(
      ownEvent('single-metric', {
        kind: 'dead-letters',
        metric: { namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: queue } },
      }),
    );
    await s.send(ownEvent('single-metric', { kind: 'deploy-watcher-failures', stack: 'OpsbotStaging' }));

    // Assess
    const [dead, watcher] = announcer.posts.map((p) => textOf(p.reply));
    expect(dead).toContain(`Queue \`${queue}\``);
    expect(dead).toContain(
      `#/queues/${encodeURIComponent(`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${queue}`)}|its messages`,
    );
    expect(dead).toContain('Latest: 3 messages waiting (threshold 1).');
    const arn = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:OpsbotStaging-deploy-watcher`;
    expect(watcher).toContain(
      `State machine \`OpsbotStaging-deploy-watcher\` · <https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/statemachines/view/${encodeURIComponent(arn)}|its executions>`,
    );
  });

  it('posts again after Slack was unreachable: the claim is given back, so a redelivery does it', async () => {
    // Prepare
    const recording = new RecordingAnnouncer();
    let down = true;
    const flaky: Announcer = {
      channels: recording.channels,
      post: async (to, reply) => {
        if (down) throw new Error('slack unreachable');
        return recording.post(to, reply);
      },
      update: (message, reply) => recording.update(message, reply),
    };
    const s = setup(flaky);
    const event = ownEvent('single-metric');

    // Act
    await expect(s.send(event)).rejects.toThrow('slack unreachable');
    down = false;
    await s.send(event);
    await s.send(event);

    // Assess
    expect(recording.posts).toHaveLength(1);
  });

  it('does nothing, without failing, when no alerts channel is configured', async () => {
    // Prepare
    const announcer: Announcer = { channels: {}, post: async () => undefined, update: async () => undefined };
    const s = setup(announcer);

    // Act
    await s.send(ownEvent('single-metric'));

    // Assess
    expect(s.log.entries).toContainEqual({
      level: 'warn',
      message: 'self.alarm',
      extra: { alarm: 'Opsbot-self-watch-worker-errors', posted: false },
    });
  });

  it('ignores crafted events and posts nothing from them it has not checked', async () => {
    // Prepare
    const announcer = new RecordingAnnouncer();
    const s = setup(announcer);
    const good = ownEvent('single-metric');
    const detail = good.detail as Record<string, Record<string, unknown>>;
    const crafted: unknown[] = [
      { ...good, detail: { ...detail, alarmName: 'ServerCpuTooHigh' } },
      { ...good, detail: { ...detail, alarmName: 'Opsbot-self-watch-unknown-kind' } },
      { ...good, detail: { ...detail, alarmName: '<!channel>-self-watch-worker-errors' } },
      { ...good, detail: { ...detail, alarmName: `${'A'.repeat(300)}-self-watch-worker-errors` } },
      { ...good, detail: { ...detail, state: { ...detail.state, value: 'PWNED' } } },
      { ...good, detail: { ...detail, state: { ...detail.state, value: 'INSUFFICIENT_DATA' } } },
      { ...good, account: 'xxxxxxxxxxxx' },
      { ...good, region: 'us-east-1.evil.example' },
      { ...good, detail: null },
      { ...good, detail: ['alarmName'] },
      { ...good, detail: 'Opsbot-self-watch-worker-errors' },
    ];

    // Act
    for (const event of crafted) await s.send(event);
    // …and one real-looking change whose free text and dimensions carry what must not be posted
    const hostile = ownEvent('single-metric', {
      metric: {
        namespace: 'AWS/Lambda',
        name: 'Errors',
        dimensions: { FunctionName: '<!here> xoxb-123-456-secret', QueueName: 'q|<https://evil.example|click>' },
      },
    });
    const state = (hostile.detail as Record<string, Record<string, unknown>>).state as Record<string, unknown>;
    state.reason = 'xoxb-123-456-secret <!channel>';
    await s.send(hostile);

    // Assess
    expect(announcer.posts).toHaveLength(1);
    const text = textOf(announcer.posts[0]?.reply);
    for (const leak of ['xoxb', '<!here>', '<!channel>', 'evil.example']) expect(text).not.toContain(leak);
    expect(text).not.toContain('Function ');
    expect(text).not.toContain('Queue ');
  });
});

describe('opsbot’s own alarm names', () => {
  it('are <stack>-self-watch-<kind>, and read back as such', () => {
    // Act
    const name = ownAlarmName('OpsbotAccess-prod', 'forward-dead-letters');

    // Assess
    expect(name).toBe('OpsbotAccess-prod-self-watch-forward-dead-letters');
    expect(readOwnAlarmName(name)).toEqual({ stack: 'OpsbotAccess-prod', kind: 'forward-dead-letters' });
    for (const other of ['api-prod-5xx-errors', '-self-watch-worker-errors', 'x-self-watch-', 42, undefined]) {
      expect(readOwnAlarmName(other)).toBeUndefined();
    }
    expect(() => ownAlarmName('not a stack', 'slow-ack')).toThrow('not a CloudFormation stack name');
  });

  it('pick out the events that are theirs, and never throw on anything else', () => {
    const event = (detail: unknown) =>
      ({
        id: '1',
        source: 'aws.cloudwatch',
        'detail-type': 'x',
        account: ACCOUNT,
        region: 'r',
        time: '',
        detail,
      }) as EventBridgeEvent;
    expect(isOwnAlarmEvent(event({ alarmName: 'Opsbot-self-watch-slow-ack' }))).toBe(true);
    for (const detail of [{ alarmName: 'api-prod-5xx-errors' }, null, 'x', [], { alarmName: { toString: 1 } }]) {
      expect(isOwnAlarmEvent(event(detail))).toBe(false);
    }
  });
});
