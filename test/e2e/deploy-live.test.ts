import { handleWorkerInput } from '../../bot/worker/router';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import {
  ALICE,
  allText,
  BOB,
  CHANNEL,
  click,
  command,
  confirmDeploy,
  type Harness,
  harness,
  slash,
  unescaped,
} from '../support/harness';

const CAROL = 'U0CAROL001';

/** The deploy's live message: the bot's post in the channel whose text starts with the service. */
function liveMessage(h: Harness, service: string): StandInMessage {
  const found = h.bot().find((m) => !m.ephemeral && m.thread_ts === undefined && m.text.startsWith(`${service} `));
  if (found === undefined)
    throw new Error(
      `no live message for ${service}: ${h
        .bot()
        .map((m) => m.text)
        .join(' | ')}`,
    );
  return found;
}

/** The texts the live message showed, in order: as posted, then each chat.update of it. */
function shownStates(h: Harness, message: StandInMessage): string[] {
  const posted = h.standIn.calls.find(
    (c) => c.method === 'chat.postMessage' && String(c.args.text ?? '').startsWith(message.text.split(' ')[0] ?? ''),
  );
  const updates = h.standIn.calls
    .filter((c) => c.method === 'chat.update' && c.args.ts === message.ts)
    .map((c) => String(c.args.text));
  return [String(posted?.args.text ?? ''), ...updates];
}

function thread(h: Harness, message: StandInMessage): string[] {
  return h
    .bot()
    .filter((m) => m.thread_ts === message.ts)
    .map((m) => unescaped(m.text));
}

const APPROVAL_CONFIG = (config: string) =>
  config
    .replace('approval: false #', 'approval: true #')
    .replace(
      'deployers: everyone # or Slack user and user-group ids; a protected environment must say which',
      `deployers: [${ALICE}, ${BOB}, ${CAROL}]\n    approvers: [${BOB}, ${CAROL}]`,
    );

describe('a deploy lives in one message (signed Slack requests, the sandbox, the watcher on its clock)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('starts the deploy when Slack is down at Confirm, says so, and posts its message once Slack is back', async () => {
    // Prepare: the Confirm card; then chat.postMessage fails (Slack down) for a while. Slack calls are retried on a
    // clock of their own, so the test does not wait out their back-off
    let waited = 0;
    h = await harness({
      delivery: {
        sleep: async (ms) => {
          waited += ms;
        },
        now: () => waited,
      },
    });
    const card = (await slash(h, 'web staging v1.8.2')).ack as StandInMessage;
    h.standIn.failNext('chat.postMessage', { status: 503 }, 200);

    // Act: Confirm while Slack is down; Slack comes back; the watcher polls
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    const during = h.bot().filter((m) => !m.ephemeral && m.thread_ts === undefined && m.text.startsWith('web '));
    const told = h.bot().at(-1) as StandInMessage;
    h.standIn.clearFaults();
    await h.advance(20_000);
    const after = liveMessage(h, 'web');
    await h.advance(30 * 60_000);

    // Assess: the deployment ran from the click; the person was told it started and its message would follow; the
    // message came once Slack answered, with its thread, and the deploy was watched to its end
    expect(during).toEqual([]);
    expect(unescaped(told.text)).toContain(
      'has started; Slack did not take its message yet, which will follow in the channel',
    );
    expect(unescaped(told.text)).not.toContain('Nothing further was done');
    expect(thread(h, after)[0]).toMatch(/Started by <@U0ALICE001> · deployment d-SANDBOX\d+$/);
    expect(unescaped(liveMessage(h, 'web').text)).toMatch(/Succeeded in \d+ min/);
    const [record] = await h.deps.worker.ports.audit.list({ since: 0 });
    expect([record?.action, record?.outcome]).toEqual(['Deploy', 'succeeded']);
  });

  it('posts the message again when someone deletes it, and watches the deploy to its end all the same', async () => {
    // Prepare: a deploy under way; then its message is deleted in Slack
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    const first = liveMessage(h, 'web');
    await h.advance(60_000);
    h.standIn.deleteMessage(first.ts);

    // Act
    await h.advance(30 * 60_000);

    // Assess: a new message shows the end; the run ended, its lock released, its audit record succeeded
    const again = liveMessage(h, 'web');
    expect(again.ts).not.toBe(first.ts);
    expect(unescaped(again.text)).toMatch(/^web v[\d.]+ → v1\.8\.2 in staging: Succeeded in \d+ min/);
    expect(await h.deps.worker.ports.store.get('lock:web:staging')).toBeUndefined();
    const [record] = await h.deps.worker.ports.audit.list({ since: 0 });
    expect([record?.action, record?.outcome]).toEqual(['Deploy', 'succeeded']);
    expect(h.log.entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('shows each step in place, tells each phase in its thread, and ends with its duration and revision', async () => {
    // Prepare
    h = await harness();

    // Act
    await confirmDeploy(h, 'web staging v1.8.2');
    const message = liveMessage(h, 'web');
    await h.advance(30 * 60_000);

    // Assess: the states, in order, without repeats, each at least 10 s apart
    const states = shownStates(h, message);
    const steps = states.map((s) => s.replace(/^web v[\d.]+ → v1\.8\.2 in staging: /, '').replace(/ ·.*$/, ''));
    expect(steps.filter((s, i) => s !== steps[i - 1])).toEqual([
      'Installing the new task set (green)',
      'Test traffic on green',
      'Shifting production traffic',
      'Baking: watching alarms',
      'Terminating the old task set (blue)',
      expect.stringMatching(/^Succeeded in \d+ min/),
    ]);
    expect(states.some((s) => s.includes('25% on green'))).toBe(true);
    expect(states.some((s) => s.includes('100% on green'))).toBe(true);
    const lines = thread(h, message);
    expect(lines[0]).toMatch(/^\d\d:\d\d UTC · Started by <@U0ALICE001> · deployment d-SANDBOX\d+$/);
    expect(lines.slice(1).map((l) => l.replace(/^\d\d:\d\d UTC · /, ''))).toEqual([
      'Installing the new task set (green)',
      'Test traffic on green',
      'Shifting production traffic',
      'Baking: watching alarms',
      'Terminating the old task set (blue)',
      expect.stringMatching(/^Succeeded in \d+ min · task definition web-staging:\d+$/),
    ]);
    expect(allText(message)).not.toContain('opsbot.deploy-cancel');
    expect(allText(message)).toContain('Roll back');
    // Nothing after the end: a late poll and a late event change nothing.
    const updates = message.updates;
    const posts = h.bot().length;
    await h.advance(5 * 60_000);
    await handleWorkerInput(
      {
        id: 'e1',
        source: 'aws.codedeploy',
        'detail-type': 'CodeDeploy Deployment State-change Notification',
        account: '111111111111',
        region: 'eu-west-1',
        time: '',
        detail: { state: 'SUCCESS', deploymentId: 'd-SANDBOX0001' },
      },
      h.deps.worker,
    );
    expect(message.updates).toBe(updates);
    expect(h.bot()).toHaveLength(posts);
    // The lock went with it: another deploy may start.
    expect(await h.deps.worker.store.get('lock:web:staging')).toBeUndefined();
  });

  it('shows a failure with the engine’s error, follows AWS’s rollback to its end, and frees the service', async () => {
    // Prepare
    h = await harness();
    h.sandbox.deployments.failNext('payments', 'staging');

    // Act
    await confirmDeploy(h, 'payments staging v1.9.0');
    const message = liveMessage(h, 'payments');
    await h.advance(5 * 60_000);

    // Assess
    const states = shownStates(h, message);
    expect(states.some((s) => s.includes('Rolling back'))).toBe(true);
    expect(unescaped(message.text)).toMatch(/: Failed: ECS_UPDATE_ERROR The ECS service cannot reach a steady state/);
    expect(unescaped(message.text)).toContain('AWS rolled it back');
    const lines = thread(h, message).join('\n');
    expect(lines).toContain('Rolling back: ECS_UPDATE_ERROR');
    expect(lines).toMatch(/Failed: ECS_UPDATE_ERROR .* AWS rolled it back; the previous version is serving\./);
    expect(await h.deps.worker.store.get('lock:payments:staging')).toBeUndefined();
  });

  it('Cancel mid-shift stops the deploy with rollback, says who, and refuses someone who may not deploy there', async () => {
    // Prepare: prod is for Alice and Bob only
    h = await harness(
      {},
      (await import('node:fs'))
        .readFileSync('opsbot.config.example.yaml', 'utf8')
        .replace(
          'deployers: everyone # or Slack user and user-group ids; a protected environment must say which',
          `deployers: [${ALICE}, ${BOB}]`,
        ),
    );
    await confirmDeploy(h, 'web prod v1.8.2');
    const message = liveMessage(h, 'web');
    await h.advance(2 * 60_000);
    expect(message.text).toContain('Shifting production traffic');

    // Act
    await h.sendAndSettle(click(h, message, 'opsbot.deploy-cancel', CAROL));
    const refused = h.bot().filter((m) => m.ephemeral && m.user === CAROL);
    // A double click: two clicks of the button as it was
    const [bobCancels, again] = [1, 2].map(() => click(h, message, 'opsbot.deploy-cancel', BOB));
    await h.sendAndSettle(bobCancels as ReturnType<typeof click>);
    await h.sendAndSettle(again as ReturnType<typeof click>);
    await h.advance(2 * 60_000);

    // Assess
    expect(refused.map((m) => unescaped(m.text))).toEqual([expect.stringContaining('not allowed to change prod')]);
    expect(unescaped(message.text)).toMatch(/: Stopped by <@U0BOB00001> · rolled back$/);
    const lines = thread(h, message).join('\n');
    expect(lines).toContain('Cancel pressed by <@U0BOB00001>: stopping and rolling back');
    expect(lines).toContain('Stopped by <@U0BOB00001> · rolled back; the previous version is serving.');
    expect(h.bot().some((m) => m.ephemeral && m.user === BOB && m.text.includes('already being cancelled'))).toBe(true);
    const [d] = await h.sandbox.deployments.history('web', 'prod', 1);
    expect([d?.status, d?.step, d?.stoppedBy]).toEqual(['Stopped', 'RolledBack', BOB]);
  });

  it('tells a second request who holds the lock, with a link, before any Confirm card', async () => {
    // Prepare
    h = await harness();
    await confirmDeploy(h, 'worker staging v1.10.0');
    const message = liveMessage(h, 'worker');

    // Act
    const second = await slash(h, 'worker staging v1.11.0', BOB);

    // Assess
    const text = unescaped(allText(second.ack as StandInMessage));
    expect(text).toMatch(
      /<@U0ALICE001> is deploying \*worker\* `v1\.10\.0` to \*staging\* \(installing the new task set, 0% on the new version\) since \d\d:\d\d UTC/,
    );
    expect(text).toContain(`https://slack.com/archives/${CHANNEL}/p${message.ts.replace('.', '')}`);
    expect(text).not.toContain('opsbot.confirm');
  });

  it('a 4-fold Slack retry of the command and four clicks of Confirm start exactly one deployment', async () => {
    // Prepare: Slack delivers the command four times (its retries carry X-Slack-Retry-Num)
    h = await harness();
    const delivered = command(h, 'api dev v1.4.0');
    const retries = [1, 2, 3].map((n) => ({
      ...delivered,
      headers: { ...delivered.headers, 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' },
    }));
    for (const retry of [delivered, ...retries]) await h.sendAndSettle(retry);
    const cards = h.bot().filter((m) => allText(m).includes('opsbot.confirm'));
    expect(cards).toHaveLength(1);
    // Four distinct clicks of Confirm (a quadruple click), at once
    const presses = [1, 2, 3, 4].map(() => click(h, cards[0] as StandInMessage, 'opsbot.confirm'));

    // Act
    await Promise.all(presses.map((press) => h.send(press)));
    await h.settle();

    // Assess
    const running = await h.sandbox.deployments.active();
    expect(running.map((d) => [d.service, d.environment])).toEqual([['api', 'dev']]);
    expect(h.bot().filter((m) => !m.ephemeral && m.thread_ts === undefined && m.text.startsWith('api '))).toHaveLength(
      1,
    );
  });

  it('answers who deployed a service last from the audit trail, with a Roll back button to an earlier version', async () => {
    // Prepare: Alice deploys web v1.8.2 to staging, then Bob v1.9.0
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    await h.advance(30 * 60_000);
    await confirmDeploy(h, 'web staging v1.9.0', BOB);
    await h.advance(30 * 60_000);

    // Act
    const answer = (await slash(h, 'who deployed web last?', CAROL)).ack as StandInMessage;
    const card = h.bot().length;
    await h.sendAndSettle(click(h, answer, 'opsbot.request', CAROL, 'Roll back staging to v1.8.2'));

    // Assess
    expect(unescaped(answer.text)).toMatch(
      /^<@U0BOB00001> deployed web v1\.9\.0 to staging 30 min ago; it succeeded in \d+ min — /,
    );
    expect(unescaped(allText(answer))).toMatch(
      /<@U0ALICE001> deployed \*web\* `v1\.8\.2` to \*staging\* 1 h ago; it succeeded in \d+ min/,
    );
    const confirm = h
      .bot()
      .slice(card)
      .find((m) => allText(m).includes('opsbot.confirm'));
    expect(unescaped(allText(confirm as StandInMessage))).toContain('Roll back *web* in *staging* to `v1.8.2`?');
    expect(unescaped(allText(confirm as StandInMessage))).toContain('Requested by <@U0CAROL001>');
  });

  it('writes down a confirmation card cancelled by its requester', async () => {
    // Prepare
    h = await harness();
    const card = (await slash(h, 'api staging v1.4.0')).ack as StandInMessage;

    // Act
    await h.sendAndSettle(click(h, card, 'opsbot.cancel'));

    // Assess
    const [record] = await h.deps.worker.ports.audit.list({ since: 0 });
    expect(record).toMatchObject({
      action: 'Deploy',
      outcome: 'cancelled',
      actor: { userId: ALICE },
      target: { service: 'api', environment: 'staging', version: 'v1.4.0' },
    });
    expect(await h.sandbox.deployments.active()).toEqual([]);
  });

  describe('gates before production traffic moves', () => {
    it('CodeDeploy waiting to reroute: green is up, Shift traffic by a deployer goes on to success', async () => {
      // Prepare
      h = await harness();
      h.sandbox.deployments.gateNext('web', 'staging');
      await confirmDeploy(h, 'web staging v1.8.2');
      const message = liveMessage(h, 'web');

      // Act
      await h.advance(2 * 60_000);
      const waiting = unescaped(message.text);
      const gate = h
        .bot()
        .find((m) => m.thread_ts === message.ts && allText(m).includes('opsbot.gate')) as StandInMessage;
      const [shift, again] = [1, 2].map(() => click(h, gate, 'opsbot.gate', BOB, 'Shift traffic'));
      await h.sendAndSettle(shift as ReturnType<typeof click>);
      await h.sendAndSettle(again as ReturnType<typeof click>);
      await h.advance(30 * 60_000);

      // Assess
      expect(waiting).toContain('Green is up on the test listener, waiting for someone to shift production traffic');
      expect(waiting).toMatch(/times out \d\d:\d\d UTC, then AWS stops the deploy and rolls back/);
      expect(unescaped(gate.text)).toMatch(/Green is up on the test listener: web v1\.8\.2 in staging runs 2\/2 tasks/);
      // Answered, the question keeps no live buttons, and says who answered how
      expect(JSON.stringify(gate.blocks)).not.toContain('"button"');
      expect(unescaped(allText(gate))).toContain('<@U0BOB00001> shifted production traffic to green');
      const lines = thread(h, message).join('\n');
      expect(lines).toContain('<@U0BOB00001> shifted production traffic to green');
      expect(h.bot().some((m) => m.ephemeral && m.user === BOB && m.text.includes('already answered'))).toBe(true);
      expect(unescaped(message.text)).toMatch(/: Succeeded in \d+ min/);
      const audit = await h.deps.worker.ports.audit.list({ since: 0, action: 'ShiftTraffic' });
      expect(audit.map((r) => [r.actor.userId, r.outcome])).toEqual([[BOB, 'done']]);
    });

    it('an ECS pause hook: Roll back at the gate rolls the deploy back', async () => {
      // Prepare: worker runs on ECS's own linear strategy in the sandbox
      h = await harness();
      h.sandbox.deployments.gateNext('worker', 'staging');
      await confirmDeploy(h, 'worker staging v1.11.0');
      const message = liveMessage(h, 'worker');
      await h.advance(90_000);
      const gate = h
        .bot()
        .find((m) => m.thread_ts === message.ts && allText(m).includes('opsbot.gate')) as StandInMessage;

      // Act
      await h.sendAndSettle(click(h, gate, 'opsbot.gate', ALICE, 'Roll back'));
      await h.advance(2 * 60_000);

      // Assess
      expect(unescaped(message.text)).toMatch(/: Stopped by <@U0ALICE001> · rolled back$/);
      expect(thread(h, message).join('\n')).toContain('<@U0ALICE001> rolled back at the gate');
      const [d] = await h.sandbox.deployments.history('worker', 'staging', 1);
      expect([d?.engine, d?.step]).toEqual(['ecs-linear', 'RolledBack']);
    });
  });

  describe('hand locks', () => {
    it('reads the first word as the command: `locks` asks who holds it, and a lock’s reason that says deploy stays a reason', async () => {
      // Prepare
      h = await harness();

      // Act
      const asked = (await slash(h, 'locks api prod')).ack as StandInMessage;
      const askedService = (await slash(h, 'locks api')).ack as StandInMessage;
      const takenAfterAsking = await h.deps.worker.ports.store.get('lock:api:prod');
      const locked = (await slash(h, 'lock web prod deploy v1.2.3 later')).ack as StandInMessage;
      const lockedRollback = (await slash(h, 'lock payments dev rollback payments dev')).ack as StandInMessage;

      // Assess: two answers about locks, no lock taken by them; two locks with their reasons, and no Confirm card
      expect(takenAfterAsking).toBeUndefined();
      expect(unescaped(allText(asked))).toContain('Nobody holds a lock on api in prod.');
      expect(allText(askedService)).not.toContain('In which environment');
      expect(unescaped(allText(locked))).toContain(
        '🔒 *web* is locked in *prod* by <@U0ALICE001>: deploy v1.2.3 later',
      );
      expect(unescaped(allText(lockedRollback))).toContain(
        '🔒 *payments* is locked in *dev* by <@U0ALICE001>: rollback payments dev',
      );
      for (const answer of [asked, askedService, locked, lockedRollback]) {
        expect(allText(answer)).not.toContain('opsbot.confirm');
      }
      expect(await h.sandbox.deployments.active()).toEqual([]);
    });

    it('locks with a reason and an end, refuses others’ deploys, says who holds it, and only the holder or an admin lifts it', async () => {
      // Prepare
      const { readFileSync } = await import('node:fs');
      h = await harness({}, `admins: [${CAROL}]\n${readFileSync('opsbot.config.example.yaml', 'utf8')}`);

      // Act
      const locked = (await slash(h, 'lock api prod db migration until 15:00')).ack as StandInMessage;
      const refused = (await slash(h, 'api prod v1.4.0', BOB)).ack as StandInMessage;
      const own = (await slash(h, 'api prod v1.4.0')).ack as StandInMessage;
      const status = (await slash(h, 'who holds the lock on api?', BOB)).ack as StandInMessage;
      const notHolder = (await slash(h, 'unlock api prod', BOB)).ack as StandInMessage;
      const byAdmin = (await slash(h, 'unlock api prod', CAROL)).ack as StandInMessage;
      const after = (await slash(h, 'api prod v1.4.0', BOB)).ack as StandInMessage;

      // Assess
      expect(unescaped(allText(locked))).toContain(
        '🔒 *api* is locked in *prod* by <@U0ALICE001>: db migration — until Mon 23 Nov 15:00 (UTC).',
      );
      expect(locked.ephemeral).toBe(false);
      expect(unescaped(refused.text)).toMatch(
        /^api is locked in prod by <@U0ALICE001> since 09:00 UTC \(just now\): db migration — until Mon 23 Nov 15:00 \(UTC\)\. Nothing was started\.$/,
      );
      expect(allText(own)).toContain('opsbot.confirm');
      expect(unescaped(allText(status))).toContain('*api* in *prod*: locked by <@U0ALICE001> since 09:00 UTC');
      expect(unescaped(notHolder.text)).toBe('Only <@U0ALICE001> or an admin can lift the lock on api in prod.');
      expect(unescaped(byAdmin.text)).toBe('🔓 api is unlocked in prod.');
      expect(allText(after)).toContain('opsbot.confirm');
      const audit = await h.deps.worker.ports.audit.list({ since: 0 });
      expect(
        audit
          .filter((r) => r.action === 'Lock' || r.action === 'Unlock')
          .map((r) => [r.action, r.actor.userId, r.outcome])
          .reverse(),
      ).toEqual([
        ['Lock', ALICE, 'done'],
        ['Unlock', BOB, 'refused'],
        ['Unlock', CAROL, 'done'],
      ]);
    });

    it('lets an admin lift a deploy lock its deploy left behind, never a running deploy’s', async () => {
      // Prepare: a running deploy of web, and a lock on api whose deploy's record is gone
      const { readFileSync } = await import('node:fs');
      h = await harness({}, `admins: [${CAROL}]\n${readFileSync('opsbot.config.example.yaml', 'utf8')}`);
      await confirmDeploy(h, 'web staging v1.8.2');
      await h.deps.worker.store.put(
        'lock:api:staging',
        { holder: ALICE, version: 'v1.4.0', since: 0, runId: 'r-gone' },
        3600,
      );

      // Act
      const running = (await slash(h, 'unlock web staging', CAROL)).ack as StandInMessage;
      const notAdmin = (await slash(h, 'unlock api staging', BOB)).ack as StandInMessage;
      const byAdmin = (await slash(h, 'unlock api staging', CAROL)).ack as StandInMessage;

      // Assess
      expect(unescaped(running.text)).toBe(
        '<@U0ALICE001> is deploying web v1.8.2 to staging; its lock goes when it ends.',
      );
      expect(await h.deps.worker.store.get('lock:web:staging')).toBeDefined();
      expect(unescaped(notAdmin.text)).toBe('Only an admin can lift a deploy lock whose deploy is no longer watched.');
      expect(unescaped(byAdmin.text)).toBe('🔓 api is unlocked in staging.');
      expect(await h.deps.worker.store.get('lock:api:staging')).toBeUndefined();
    });

    it('a lock ends by itself at its time', async () => {
      // Prepare
      h = await harness();
      await slash(h, 'lock web staging load test until 10:00');

      // Act
      await h.advance(61 * 60_000);
      const after = (await slash(h, 'web staging v1.8.2', BOB)).ack as StandInMessage;

      // Assess
      expect(allText(after)).toContain('opsbot.confirm');
    });
  });

  describe('freeze windows', () => {
    // The sandbox starts on Monday 23 Nov 2026, 09:00 UTC: 10:00 in Berlin, inside Monday's freeze.
    const FROZEN = (config: string) =>
      `timeZone: Europe/Berlin\nadmins: [${CAROL}]\n${config.replace(
        'deployers: everyone # or Slack user and user-group ids; a protected environment must say which',
        'deployers: everyone\n    freezes:\n      - { reason: Monday release review, days: [mon], from: "09:00", to: "18:00" }',
      )}`;

    it('drops an override said when nothing is frozen', async () => {
      // Prepare
      h = await harness();

      // Act
      await confirmDeploy(h, 'web staging v1.8.2 override: just because');

      // Assess
      expect(allText(liveMessage(h, 'web'))).not.toContain('freeze overridden');
      const [record] = await h.deps.worker.ports.audit.list({ since: 0, action: 'Deploy' });
      expect([record?.outcome, record?.note]).toEqual(['started', undefined]);
    });

    it('refuses a deploy while the environment’s change calendar is CLOSED, saying until when', async () => {
      // Prepare
      const { readFileSync } = await import('node:fs');
      const config = readFileSync('opsbot.config.example.yaml', 'utf8').replace(
        'deployers: everyone # or Slack user and user-group ids; a protected environment must say which',
        'deployers: everyone\n    changeCalendar: { name: prod-changes, region: eu-west-1 }',
      );
      h = await harness({}, config);
      h.sandbox.calendars.close('prod-changes', Date.parse('2026-11-23T17:00:00Z'));

      // Act
      const refused = (await slash(h, 'web prod v1.8.2')).ack as StandInMessage;
      h.sandbox.calendars.open('prod-changes');
      const open = (await slash(h, 'web prod v1.8.2')).ack as StandInMessage;

      // Assess
      expect(unescaped(refused.text)).toBe(
        'prod is frozen until Mon 23 Nov 17:00 (UTC): the change calendar prod-changes is CLOSED. Nothing was deployed.',
      );
      expect(allText(open)).toContain('opsbot.confirm');
      // Closed until 09:30: it opens by itself then, as AWS's does
      h.sandbox.calendars.close('prod-changes', Date.parse('2026-11-23T09:30:00Z'));
      await h.advance(31 * 60_000);
      expect(allText((await slash(h, 'api prod v1.4.0')).ack as StandInMessage)).toContain('opsbot.confirm');
    });

    it('refuses a deploy into a freeze with its reason and end, and lets an admin override it, audited', async () => {
      // Prepare
      const { readFileSync } = await import('node:fs');
      h = await harness({}, FROZEN(readFileSync('opsbot.config.example.yaml', 'utf8')));

      // Act
      const refused = (await slash(h, 'web prod v1.8.2')).ack as StandInMessage;
      const notAdmin = (await slash(h, 'web prod v1.8.2 override: hotfix INC-42')).ack as StandInMessage;
      const card = (await slash(h, 'web prod v1.8.2 override: hotfix INC-42', CAROL)).ack as StandInMessage;
      const cardText = unescaped(allText(card));
      await h.sendAndSettle(click(h, card, 'opsbot.confirm', CAROL));
      const rollback = (await slash(h, 'rollback api prod')).ack as StandInMessage;

      // Assess
      expect(unescaped(refused.text)).toBe(
        'prod is frozen until Mon 23 Nov 18:00 (Europe/Berlin): Monday release review. Nothing was deployed.',
      );
      expect(unescaped(allText(refused))).toContain('override: <why>');
      expect(unescaped(notAdmin.text)).toContain('Only an admin may override it.');
      expect(cardText).toContain('Deploying into a freeze, overridden by an admin: hotfix INC-42');
      expect(unescaped(allText(liveMessage(h, 'web')))).toContain('freeze overridden: hotfix INC-42');
      expect((await h.sandbox.deployments.active()).map((d) => d.service)).toEqual(['web']);
      // Rollbacks are never frozen: the rollback is offered for confirmation
      expect(allText(rollback)).toContain('opsbot.confirm');
      const audit = await h.deps.worker.ports.audit.list({ since: 0 });
      expect(audit.filter((r) => r.reason === 'frozen').map((r) => r.actor.userId)).toEqual([ALICE, ALICE]);
      expect(audit.find((r) => r.action === 'Deploy' && r.outcome === 'started')?.note).toBe(
        'freeze override: hotfix INC-42',
      );
    });
  });

  describe('approval', () => {
    it('needs a second person: the requester cannot approve, an outsider is refused, a stale click is told', async () => {
      // Prepare
      const { readFileSync } = await import('node:fs');
      h = await harness({}, APPROVAL_CONFIG(readFileSync('opsbot.config.example.yaml', 'utf8')));
      const confirm = await confirmDeploy(h, 'web prod v1.8.2');
      expect(unescaped(confirm.text)).toMatch(/now waits for a second person to approve it/);
      const card = liveMessage(h, 'web');
      expect(unescaped(allText(card))).toContain(
        'Needs one of <@U0BOB00001> or <@U0CAROL001> to approve (not the person who asked).',
      );
      expect(await h.sandbox.deployments.active()).toEqual([]);

      // Act
      const clicks = [ALICE, 'U0DAVE0001', BOB, CAROL].map((user) => click(h, card, 'opsbot.approve', user));
      for (const press of clicks) await h.sendAndSettle(press);

      // Assess
      const told = (user: string) =>
        h
          .bot()
          .filter((m) => m.ephemeral && m.user === user)
          .map((m) => unescaped(m.text));
      expect(told(ALICE)).toEqual([expect.stringContaining('You asked for this change, so you cannot approve it too')]);
      expect(told('U0DAVE0001')).toEqual([expect.stringContaining('approve changes to prod')]);
      expect(told(CAROL)).toEqual([expect.stringContaining('was already approved by <@U0BOB00001>')]);
      const running = await h.sandbox.deployments.active();
      expect(running.map((d) => [d.service, d.environment, d.version])).toEqual([['web', 'prod', 'v1.8.2']]);
      expect(unescaped(allText(card))).toContain('Asked by <@U0ALICE001> · approved by <@U0BOB00001>');
      const audit = await h.deps.worker.ports.audit.list({ since: 0 });
      const deploy = audit.find((r) => r.action === 'Deploy');
      expect([deploy?.outcome, deploy?.approvedBy, deploy?.deploymentId]).toEqual(['started', BOB, running[0]?.id]);
      expect(audit.filter((r) => r.action === 'Approve').map((r) => [r.actor.userId, r.outcome, r.reason])).toEqual(
        expect.arrayContaining([
          [ALICE, 'refused', 'self-approval'],
          ['U0DAVE0001', 'refused', 'not-listed'],
          [BOB, 'done', undefined],
        ]),
      );
    });

    it('holds an approval back while a freeze that began after the request is in force', async () => {
      // Prepare: prod freezes at 09:10 UTC; Alice asks at 09:00
      const { readFileSync } = await import('node:fs');
      h = await harness(
        {},
        APPROVAL_CONFIG(readFileSync('opsbot.config.example.yaml', 'utf8')).replace(
          `approvers: [${BOB}, ${CAROL}]`,
          `approvers: [${BOB}, ${CAROL}]\n    freezes: [{ reason: Incident review, days: [mon], from: "09:10", to: "12:00" }]`,
        ),
      );
      await confirmDeploy(h, 'web prod v1.8.2');
      const card = liveMessage(h, 'web');
      const press = click(h, card, 'opsbot.approve', BOB);

      // Act
      await h.advance(11 * 60_000);
      await h.sendAndSettle(press);

      // Assess
      expect(
        h.bot().some((m) => m.ephemeral && m.user === BOB && unescaped(m.text).includes('prod is frozen until')),
      ).toBe(true);
      expect(await h.sandbox.deployments.active()).toEqual([]);
      expect(allText(card)).toContain('opsbot.approve');
    });

    it('a rejection ends the request and frees the service; an approval after 30 minutes is refused', async () => {
      // Prepare
      const { readFileSync } = await import('node:fs');
      h = await harness({}, APPROVAL_CONFIG(readFileSync('opsbot.config.example.yaml', 'utf8')));
      await confirmDeploy(h, 'web prod v1.8.2');
      const first = liveMessage(h, 'web');
      await h.sendAndSettle(click(h, first, 'opsbot.reject', CAROL));
      expect(unescaped(first.text)).toMatch(/Rejected by <@U0CAROL001>/);
      expect(await h.deps.worker.store.get('lock:web:prod')).toBeUndefined();

      // Act
      await confirmDeploy(h, 'payments prod v1.9.0');
      const second = liveMessage(h, 'payments');
      const late = click(h, second, 'opsbot.approve', BOB);
      await h.advance(31 * 60_000);
      await h.sendAndSettle(late);

      // Assess: the card ended by itself at 30 minutes; the late click is told
      expect(unescaped(second.text)).toContain('Approval expired: nothing was deployed');
      expect(
        h.bot().some((m) => m.ephemeral && m.user === BOB && m.text.includes('expired before anyone approved it')),
      ).toBe(true);
      expect(await h.sandbox.deployments.active()).toEqual([]);
      expect(await h.deps.worker.store.get('lock:payments:prod')).toBeUndefined();
    });
  });
});
