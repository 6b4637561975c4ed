import { readFileSync } from 'node:fs';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import {
  ALICE,
  allText,
  BOB,
  click,
  confirmDeploy,
  deliver,
  directMessage,
  type Harness,
  harness,
  mention,
  slash,
  threadReply,
  unescaped,
} from '../support/harness';

/** The bot's posts in a thread, newest last. */
function inThread(h: Harness, ts: string): StandInMessage[] {
  return h.bot().filter((m) => m.thread_ts === ts);
}

describe('a new team’s first hour: questions can be dropped, and a busy service is said first', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('drops a question when told “never mind” in its thread, and does not read the next reply as its answer', async () => {
    // Prepare: opsbot asks which environment
    h = await harness();
    const asked = mention('deploy web');
    await h.sendAndSettle(asked.event);
    const question = inThread(h, asked.ts).at(-1) as StandInMessage;

    // Act
    await h.sendAndSettle(threadReply('never mind', asked.ts));
    const dropped = inThread(h, asked.ts).at(-1) as StandInMessage;
    await h.sendAndSettle(threadReply('staging', asked.ts));
    const after = inThread(h, asked.ts).at(-1) as StandInMessage;

    // Assess
    expect(unescaped(question.text)).toBe('Which environment should I deploy to?');
    expect(unescaped(dropped.text)).toBe('Cancelled: deploy web. Nothing was changed.');
    expect(unescaped(allText(after))).not.toContain('Which version');
    expect(h.bot().some((m) => m.text.startsWith('Confirm'))).toBe(false);
    const records = await h.deps.worker.ports.audit.list({ since: 0 });
    expect(records.map((r) => [r.action, r.outcome])).toContainEqual(['Deploy', 'cancelled']);
  });

  it.each(['cancel', 'stop', 'forget it', 'ok, cancel that', '취소'])(
    'reads “%s” in reply to a question as dropping it',
    async (words) => {
      // Prepare
      h = await harness();
      const asked = mention('deploy web to staging');
      await h.sendAndSettle(asked.event);

      // Act
      await h.sendAndSettle(threadReply(words, asked.ts));

      // Assess
      expect(unescaped((inThread(h, asked.ts).at(-1) as StandInMessage).text)).toMatch(/^Cancelled: /);
    },
  );

  it('gives every question a Cancel button, which ends the conversation', async () => {
    // Prepare
    h = await harness();
    const asked = mention('deploy web to staging');
    await h.sendAndSettle(asked.event);
    const question = inThread(h, asked.ts).at(-1) as StandInMessage;

    // Act: someone else presses it first, then the asker; then the asker replies in the thread
    await h.sendAndSettle(click(h, question, 'opsbot.cancel', BOB));
    await h.sendAndSettle(click(h, question, 'opsbot.cancel', ALICE));
    const replaced = h.standIn.messages.find((m) => m.ts === question.ts) as StandInMessage;
    await h.sendAndSettle(threadReply('v1.8.2', asked.ts));

    // Assess: only the asker can; the question is replaced, its buttons gone; the later reply starts nothing
    expect(unescaped(allText(h.bot().find((m) => m.ephemeral && m.text.includes('Only')) as StandInMessage))).toContain(
      'Only <@U0ALICE001> can cancel this.',
    );
    expect(unescaped(replaced.text)).toBe('Cancelled: deploy web staging. Nothing was changed.');
    expect(JSON.stringify(replaced.blocks)).not.toContain('"button"');
    expect(h.bot().some((m) => m.text.startsWith('Confirm'))).toBe(false);
  });

  it('says a service is busy deploying, with who and how far, before asking for a version', async () => {
    // Prepare: Alice's deploy of web to staging is a minute and a half in
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    await h.advance(100_000);

    // Act: Bob asks to deploy web to staging, without a version
    const asked = mention('deploy web to staging', { user: BOB });
    await h.sendAndSettle(asked.event);
    const answer = unescaped((h.bot().at(-1) as StandInMessage).text);

    // Assess
    expect(answer).toMatch(
      /^<@U0ALICE001> is deploying web v1\.8\.2 to staging \([a-z ]+, \d+% on the new version\) since \d\d:\d\d UTC/,
    );
    expect(answer).toContain('One deploy at a time: nothing was started.');
    expect(answer).not.toContain('Which version');
  });

  it('tells the approvers: the Confirm card says approval follows, and the request mentions them', async () => {
    // Prepare: prod needs a second person's approval, by Bob or Carol
    const config = readFileSync('opsbot.config.example.yaml', 'utf8')
      .replace('approval: false #', 'approval: true #')
      .replace(
        'deployers: everyone # or Slack user and user-group ids; a protected environment must say which',
        `deployers: [${ALICE}, ${BOB}, U0CAROL001]\n    approvers: [${BOB}, U0CAROL001]`,
      );
    h = await harness({}, config);

    // Act
    const card = (await slash(h, 'web prod v1.8.2')).ack as StandInMessage;
    const offered = unescaped(allText(card));
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    const request = h.bot().find((m) => m.text.includes('waiting for approval')) as StandInMessage;

    // Assess: the notification text itself names them, so Slack notifies them
    expect(offered).toContain(
      'After you confirm, one of <@U0BOB00001> or <@U0CAROL001> must approve it before it starts.',
    );
    expect(unescaped(request.text)).toBe(
      'web v1.6.0 → v1.8.2 in prod: waiting for approval by <@U0BOB00001> or <@U0CAROL001>',
    );
  });

  it('says in the header how a deploy ended, never “Deploying …” above a deploy that is over', async () => {
    // Prepare
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    const live = () =>
      h.bot().find((m) => !m.ephemeral && m.thread_ts === undefined && m.text.startsWith('web ')) as StandInMessage;
    const header = () => ((live().blocks ?? [])[0] as { text?: { text?: string } } | undefined)?.text?.text;
    const during = header();

    // Act
    await h.advance(30 * 60_000);

    // Assess
    expect(during).toBe('Deploying web v1.8.2 to staging');
    expect(header()).toBe('Deployed web v1.8.2 to staging');
  });

  it('tells the alerts channel of a failed deploy and of an alarm’s rollback, linking the deploy’s thread', async () => {
    // Prepare: web's next deploy to staging fails; api deploys to staging and an alarm fires in its bake window
    h = await harness();
    h.sandbox.deployments.failNext('web', 'staging');
    await confirmDeploy(h, 'web staging v1.8.2');
    await confirmDeploy(h, 'api staging v1.5.0');

    // Act
    await h.advance(20 * 60_000);
    await deliver(h, h.sandbox.alarms.trip('api-staging-5xx-errors'));
    await h.advance(20 * 60_000);

    // Assess
    const alerts = h
      .bot()
      .filter((m) => m.channel === 'C0ALERTS001')
      .map((m) => unescaped(allText(m)));
    expect(alerts.find((t) => t.startsWith('The deploy of web v1.8.2 to staging failed'))).toContain(
      'the deploy and its thread',
    );
    expect(alerts.find((t) => t.startsWith('Rolled api in staging back to'))).toContain(
      'on alarm `api-staging-5xx-errors`',
    );
    expect(alerts).toHaveLength(2);
  });

  it('asks about every service a request names, one card each, never silently fewer', async () => {
    // Prepare
    h = await harness();

    // Act
    const both = mention('deploy web and api to staging');
    await h.sendAndSettle(both.event);
    const versioned = mention('deploy web v1.8.2 and api v1.5.0 to staging');
    await h.sendAndSettle(versioned.event);

    // Assess: the first asks each its version; the second offers a Confirm card each, with its own version
    const first = inThread(h, both.ts).map((m) => unescaped(m.text));
    expect(first[0]).toBe('You asked to deploy 2 targets: web in staging, api in staging. One card each, below.');
    expect(first.slice(1).filter((t) => t.startsWith('Which version'))).toHaveLength(2);
    const cards = h.bot().filter((m) => m.text.startsWith('Confirm:'));
    expect(cards.map((m) => unescaped(m.text))).toEqual([
      expect.stringMatching(/^Confirm: Deploy web v1\.8\.2 to staging/),
      expect.stringMatching(/^Confirm: Deploy api v1\.5\.0 to staging/),
    ]);
  });

  it('keeps the question of a request for several while another target gets its card, so a typed answer is read', async () => {
    // Prepare: web is asked its version, api (named with one) gets its Confirm card after the question
    h = await harness();
    const both = mention('deploy web and api v1.5.0 to staging');
    await h.sendAndSettle(both.event);

    // Act: the version typed in the thread
    await h.sendAndSettle(threadReply('v1.8.2', both.ts));

    // Assess: it answered web's question
    const cards = h.bot().filter((m) => m.text.startsWith('Confirm:'));
    expect(cards.map((m) => unescaped(m.text))).toEqual([
      expect.stringMatching(/^Confirm: Deploy api v1\.5\.0 to staging/),
      expect.stringMatching(/^Confirm: Deploy web v1\.8\.2 to staging/),
    ]);
  });

  it('tells the deploys channel of a lock taken in a direct message', async () => {
    // Prepare
    h = await harness();
    const dm = directMessage('lock web in staging for the db migration');

    // Act
    await h.sendAndSettle(dm);

    // Assess: Alice hears it in the DM, and the team in #deploys
    const told = h.bot().filter((m) => unescaped(m.text).startsWith('🔒 web is locked in staging'));
    expect(told.map((m) => m.channel).sort()).toEqual(['C0DEPLOYS01', 'D0ALICEDM1']);
  });
});
