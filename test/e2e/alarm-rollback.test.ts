import { readFileSync } from 'node:fs';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import { ALICE, allText, click, confirmDeploy, deliver, type Harness, harness, unescaped } from '../support/harness';

const EXAMPLE = readFileSync('opsbot.config.example.yaml', 'utf8');
const ALERTS = 'C0ALERTS001';

/** A deploy's live message: the bot's top-level post in the channel whose text starts with the service. */
function messageOf(h: Harness, service: string, nth = 0): StandInMessage {
  const found = h.bot().filter((m) => !m.ephemeral && m.thread_ts === undefined && m.text.startsWith(`${service} `))[
    nth
  ];
  if (found === undefined) throw new Error(`no message ${nth} for ${service}: ${h.bot().map((m) => m.text)}`);
  return found;
}

/** The thread's posts, one line each (their notification text): for counting. */
function threadLines(h: Harness, message: StandInMessage): string {
  return h
    .bot()
    .filter((m) => m.thread_ts === message.ts)
    .map((m) => unescaped(m.text))
    .join('\n');
}

function thread(h: Harness, message: StandInMessage): string {
  return h
    .bot()
    .filter((m) => m.thread_ts === message.ts)
    .map((m) => unescaped(allText(m)))
    .join('\n');
}

/** Counts the stops opsbot asks of the sandbox's engine. */
function countStops(h: Harness): () => number {
  const stops: string[] = [];
  const stop = h.sandbox.deployments.stop.bind(h.sandbox.deployments);
  h.sandbox.deployments.stop = async (service, environment, id, options) => {
    stops.push(`${service}/${environment}/${id}`);
    return stop(service, environment, id, options);
  };
  return () => stops.length;
}

describe('a rollback alarm rolls back, once, and the thread says why (signed Slack requests, the sandbox)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it.each([
    ['web', 'CodeDeploy', EXAMPLE],
    [
      'worker',
      'ECS linear',
      EXAMPLE.replace(
        'staging: { account: tools, region: eu-west-1 }\n      prod: { account: prod, region: eu-west-1, rollbackAlarms: [worker-prod-queue-age] }',
        'staging: { account: tools, region: eu-west-1, rollbackAlarms: [worker-staging-5xx-errors] }\n      prod: { account: prod, region: eu-west-1, rollbackAlarms: [worker-prod-queue-age] }',
      ),
    ],
  ])(
    'stops a %s deploy (%s) mid-shift with rollback, tells the alarm’s story, and ends "rolled back — alarm"',
    async (service, _engine, config) => {
      // Prepare
      h = await harness({}, config);
      const stops = countStops(h);
      await confirmDeploy(h, `${service} staging v1.8.2`);
      const message = messageOf(h, service);
      await h.advance(2 * 60_000);
      expect(message.text).toMatch(/Shifting production traffic|Installing|Test traffic/);
      const before = await h.sandbox.deployments.current(service, 'staging');

      // Act
      await deliver(h, h.sandbox.alarms.trip(`${service}-staging-5xx-errors`));
      const told = thread(h, message);
      await h.advance(10 * 60_000);

      // Assess: the story, with the metric, threshold, datapoints and CloudWatch's reason, then the end
      expect(stops()).toBe(1);
      expect(told).toContain(`Alarm \`${service}-staging-5xx-errors\` went to ALARM at 09:`);
      expect(told).toContain('Metric `HTTPCode_Target_5XX_Count` (AWS/ApplicationELB, Sum over 1 min)');
      expect(told).toContain('Threshold 5 · datapoints 9, 12');
      expect(told).toContain('CloudWatch: “Threshold Crossed: 2 out of the last 2 datapoints [12.0');
      expect(told).toMatch(/opsbot stopped the deployment at \d\d:\d\d UTC and is rolling back to `v/);
      expect(unescaped(message.text)).toContain(`: Rolled back — alarm ${service}-staging-5xx-errors`);
      expect(thread(h, message)).toContain(`Rolled back after alarm \`${service}-staging-5xx-errors\``);
      expect((await h.sandbox.deployments.current(service, 'staging')).version).toBe(before.version);
      const records = await h.deps.worker.ports.audit.list({ since: 0 });
      expect(records.filter((r) => r.action === 'AlarmRollback').map((r) => [r.actor.userId, r.outcome])).toEqual([
        ['opsbot', 'done'],
      ]);
      expect(records.find((r) => r.action === 'Deploy')?.outcome).toBe('stopped');
      expect(await h.deps.worker.store.get(`lock:${service}:staging`)).toBeUndefined();
    },
  );

  it('rolls back once for duplicate events, a flapping alarm and a second alarm firing together', async () => {
    // Prepare
    h = await harness();
    const stops = countStops(h);
    await confirmDeploy(h, 'web staging v1.8.2');
    const message = messageOf(h, 'web');
    await h.advance(2 * 60_000);

    // Act: the same event twice, ALARM → OK → ALARM, and the latency alarm at the same time
    const first = h.sandbox.alarms.trip('web-staging-5xx-errors');
    await deliver(h, [...first, ...first]);
    await deliver(h, h.sandbox.alarms.clear('web-staging-5xx-errors'));
    await deliver(h, [
      ...h.sandbox.alarms.trip('web-staging-5xx-errors'),
      ...h.sandbox.alarms.trip('web-staging-p99-latency'),
    ]);
    await h.advance(10 * 60_000);

    // Assess
    expect(stops()).toBe(1);
    const told = threadLines(h, message);
    expect(told.match(/Alarm web-staging-5xx-errors went to ALARM/g)).toHaveLength(1);
    expect(told.match(/Alarm web-staging-p99-latency also went to ALARM/g)).toHaveLength(1);
    expect(told).not.toContain('web-staging-5xx-errors also went to ALARM');
    expect(told.match(/Rolled back after alarm/g)).toHaveLength(1);
    const records = await h.deps.worker.ports.audit.list({ since: 0 });
    expect(records.filter((r) => r.action === 'AlarmRollback')).toHaveLength(1);
    // The alerts channel hears of the rollback once, however many events came
    expect(
      h
        .bot()
        .filter((m) => m.channel === ALERTS)
        .map((m) => unescaped(m.text)),
    ).toEqual(['Rolled back: web v1.8.2 in staging (alarm web-staging-5xx-errors)']);
  });

  it('catches an alarm whose event never came: the watcher reads the alarms at its next poll', async () => {
    // Prepare
    h = await harness();
    const stops = countStops(h);
    await confirmDeploy(h, 'web staging v1.8.2');
    const message = messageOf(h, 'web');
    await h.advance(2 * 60_000);

    // Act: the alarm changes, its event is lost
    h.sandbox.alarms.trip('web-staging-5xx-errors');
    await h.advance(10_000);

    // Assess
    expect(stops()).toBe(1);
    expect(thread(h, message)).toContain('opsbot stopped the deployment');
  });

  it('tells the story without a second rollback when CodeDeploy already rolled back on its own alarm configuration', async () => {
    // Prepare
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    const message = messageOf(h, 'web');
    await h.advance(2 * 60_000);
    const [active] = await h.sandbox.deployments.active();
    // CodeDeploy's own alarm configuration stops it first.
    await h.sandbox.deployments.stop('web', 'staging', active?.id as string, {
      rollback: true,
      reason: 'ALARM_ACTIVE: one or more alarms have been activated',
    });
    const stops = countStops(h);

    // Act
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    await h.advance(10 * 60_000);

    // Assess
    expect(stops()).toBe(0);
    const told = thread(h, message);
    expect(told).toContain(
      'CodeDeploy was already rolling it back (its own alarm configuration); opsbot asked nothing more of it.',
    );
    expect(threadLines(h, message).match(/went to ALARM/g)).toHaveLength(1);
    expect(unescaped(message.text)).toContain(': Rolled back — alarm web-staging-5xx-errors');
  });

  it('deploys the previous version again when the alarm fires within the bake window, as a rollback', async () => {
    // Prepare: a deploy that succeeded 5 minutes ago
    h = await harness();
    const previous = (await h.sandbox.deployments.current('web', 'staging')).version;
    await confirmDeploy(h, 'web staging v1.8.2');
    const message = messageOf(h, 'web');
    await h.advance(20 * 60_000);
    expect(unescaped(message.text)).toContain('Succeeded in');
    expect(unescaped(allText(message))).toContain('Watching its rollback alarms until');

    // Act
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    const rollback = messageOf(h, 'web', 1);
    const meanwhile = unescaped(message.text);
    await h.advance(20 * 60_000);

    // Assess
    expect(unescaped(allText(rollback))).toContain(`Rolled web in staging back to ${previous}`);
    expect(unescaped(allText(rollback))).toContain('Asked by opsbot, on alarm `web-staging-5xx-errors`');
    expect(unescaped(rollback.text)).toContain('Succeeded in');
    expect((await h.sandbox.deployments.current('web', 'staging')).version).toBe(previous);
    const told = thread(h, message);
    expect(told).toMatch(new RegExp(`after this deploy succeeded: opsbot is deploying \`${previous}\` again`));
    expect(told).toContain(`The rollback succeeded in`);
    expect(meanwhile).toContain(`: Alarm web-staging-5xx-errors: rolling back to ${previous}`);
    expect(unescaped(message.text)).toContain(': Rolled back — alarm web-staging-5xx-errors');
    expect(JSON.stringify(message.blocks)).not.toContain('"Roll back"');
    const records = await h.deps.worker.ports.audit.list({ since: 0 });
    expect(records.filter((r) => r.action === 'AlarmRollback')).toHaveLength(1);
    expect(records.find((r) => r.action === 'Rollback')).toMatchObject({
      outcome: 'succeeded',
      actor: { userId: 'opsbot' },
    });
  });

  it('still rolls back on an alarm in the bake window when someone deleted the deploy’s message', async () => {
    // Prepare: a deploy whose message is deleted while it runs; it succeeds and bakes
    h = await harness();
    const previous = (await h.sandbox.deployments.current('web', 'staging')).version;
    await confirmDeploy(h, 'web staging v1.8.2');
    const first = messageOf(h, 'web');
    await h.advance(60_000);
    h.standIn.deleteMessage(first.ts);
    await h.advance(19 * 60_000);
    const again = messageOf(h, 'web');

    // Act: the alarm fires within the bake window
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    await h.advance(20 * 60_000);

    // Assess: the previous version runs again, the message posted anew tells it, and the audit has the rollback
    expect(again.ts).not.toBe(first.ts);
    expect((await h.sandbox.deployments.current('web', 'staging')).version).toBe(previous);
    expect(unescaped(messageOf(h, 'web').text)).toContain(': Rolled back — alarm web-staging-5xx-errors');
    const records = await h.deps.worker.ports.audit.list({ since: 0 });
    expect(records.find((r) => r.action === 'Rollback')).toMatchObject({ outcome: 'succeeded' });
    expect(h.log.entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('with no deploy, posts the alarm to #alerts with Roll back now, which asks for confirmation; OK updates it', async () => {
    // Prepare: web in staging deployed an hour ago
    h = await harness();
    const previous = (await h.sandbox.deployments.current('web', 'staging')).version;
    await confirmDeploy(h, 'web staging v1.8.2');
    await h.advance(60 * 60_000);

    // Act
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    const [alert] = h.bot().filter((m) => m.channel === ALERTS);
    const before = h.bot().length;
    const offered = unescaped(allText(alert as StandInMessage));
    const asked = await h.sendAndSettle(
      click(h, alert as StandInMessage, 'opsbot.request', ALICE, `Roll back now to ${previous}`),
    );
    const card = h
      .bot()
      .slice(before)
      .find((m) => allText(m).includes('opsbot.confirm')) as StandInMessage;
    const confirmText = unescaped(allText(card));
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    const acted = unescaped(allText(alert as StandInMessage));
    await h.advance(7 * 60_000);
    await deliver(h, h.sandbox.alarms.clear('web-staging-5xx-errors'));
    await h.advance(20 * 60_000);

    // Assess
    expect(asked.statusCode).toBe(200);
    expect(offered).toContain('Alarm `web-staging-5xx-errors` went to ALARM');
    expect(offered).toContain('No deploy of *web* in *staging* is running or baking, so opsbot changed nothing.');
    expect(confirmText).toContain(`Roll back *web* in *staging* to \`${previous}\``);
    expect(h.bot().filter((m) => m.channel === ALERTS && m.text.startsWith('Alarm '))).toHaveLength(1);
    const text = unescaped(allText(alert as StandInMessage));
    expect(text).toContain('Alarm `web-staging-5xx-errors` recovered after 7 min: back to OK.');
    expect(text).not.toContain('Roll back now');
    // Once someone rolled back from it, the alert says so and its button is gone
    expect(acted).toContain(`<@U0ALICE001> is rolling web in staging back to ${previous} — follow it here.`);
    expect(acted).not.toContain('opsbot.request');
    expect((await h.sandbox.deployments.current('web', 'staging')).version).toBe(previous);
    const records = await h.deps.worker.ports.audit.list({ since: 0 });
    expect(records.find((r) => r.action === 'Rollback')?.actor.userId).toBe(ALICE);
  });

  it('undoes only the newest deploy: an alarm in an older deploy’s bake window rolls back to what the newest replaced', async () => {
    // Prepare: an hour's bake; v1.8.2 succeeds, and v1.9.0 follows within its bake window
    h = await harness(
      {},
      EXAMPLE.replace(
        'rollbackAlarms: [web-staging-5xx-errors, web-staging-p99-latency] }',
        'rollbackAlarms: [web-staging-5xx-errors, web-staging-p99-latency], bakeMinutes: 60 }',
      ),
    );
    await confirmDeploy(h, 'web staging v1.8.2');
    await h.advance(16 * 60_000);
    await confirmDeploy(h, 'web staging v1.9.0');
    await h.advance(16 * 60_000);

    // Act: both deploys' bake polls read the alarm (its event lost)
    h.sandbox.alarms.trip('web-staging-5xx-errors');
    await h.advance(20 * 60_000);

    // Assess
    expect((await h.sandbox.deployments.current('web', 'staging')).version).toBe('v1.8.2');
    const rollbacks = h.bot().filter((m) => m.thread_ts === undefined && m.text.includes('→ v1.8.2'));
    expect(rollbacks.map((m) => unescaped(allText(m))).join('\n')).toContain('Rolled web in staging back to v1.8.2');
  });

  it('leaves a deploy alone for an alarm that went off before it started (a late event), saying so', async () => {
    // Prepare
    h = await harness();
    const stops = countStops(h);
    const [late] = h.sandbox.alarms.trip('web-staging-5xx-errors');
    h.sandbox.alarms.clear('web-staging-5xx-errors');
    await h.advance(60_000);
    await confirmDeploy(h, 'web staging v1.8.2');
    const message = messageOf(h, 'web');
    await h.advance(60_000);

    // Act: the ALARM of before the deploy arrives now
    await deliver(h, [late]);

    // Assess
    expect(stops()).toBe(0);
    expect(threadLines(h, message)).toContain('that was before this deploy started, so it is left to run.');
  });

  it('leaves a Cancel that is rolling back to the person who pressed it', async () => {
    // Prepare
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    const message = messageOf(h, 'web');
    await h.advance(2 * 60_000);
    await h.sendAndSettle(click(h, message, 'opsbot.deploy-cancel'));
    const stops = countStops(h);

    // Act
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    await h.advance(10 * 60_000);

    // Assess
    expect(stops()).toBe(0);
    expect(threadLines(h, message)).toContain('the rollback already asked for goes on, nothing more was done.');
    expect(unescaped(message.text)).toContain(`Stopped by <@${ALICE}>`);
  });
});
