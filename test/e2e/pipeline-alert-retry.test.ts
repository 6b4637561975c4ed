import { handleWorkerInput } from '../../bot/worker/router';
import { RETRIED_STAGE_MS } from '../../integrations/sandbox/pipelines';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import { buttonsOf, heading } from '../support/cards';
import { ALICE, allText, BOB, click, type Harness, harness, mention } from '../support/harness';

const ALERTS = 'C0ALERTS001';
const PIPELINE = 'api-pipeline';

describe('a pipeline failure card in #alerts, retried from Slack and followed to its end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  /** Events routed to the worker as EventBridge delivers them. */
  const deliver = async (events: readonly unknown[]) => {
    for (const event of events) await handleWorkerInput(event as EventBridgeEvent, h.deps.worker);
  };

  /** A new execution of the pipeline fails in Build, and its events reach the worker: the failure card is posted. */
  const failure = async () => {
    await deliver(h.sandbox.pipelines.run(PIPELINE, 'fail'));
    return h.bot().find((m) => m.channel === ALERTS && m.thread_ts === undefined) as StandInMessage;
  };

  /**
   * Time passes on the sandbox clock, and what CodePipeline would send EventBridge meanwhile is delivered, as the
   * local server's tick does for deploys.
   */
  const thread = (card: StandInMessage) => h.bot().filter((m) => m.thread_ts === card.ts && !m.ephemeral);

  it('offers Retry on the failure card; a click retries once, and the card goes failed → retrying → recovered', async () => {
    // Prepare
    const card = await failure();
    expect(heading(card)).toBe(`${PIPELINE} failed`);
    expect(buttonsOf(card)).toEqual(['Retry Build']);

    // Act: a double click (both clicks on the card as it was)
    const [first, second] = [click(h, card, 'opsbot.retry'), click(h, card, 'opsbot.retry')];
    await h.sendAndSettle(first);
    await h.sendAndSettle(second);
    const retrying = { heading: heading(card), text: allText(card), buttons: buttonsOf(card), updates: card.updates };

    // Assess: the stage runs again, once; the card shows it in place, with who asked and nothing to press
    expect((await h.sandbox.pipelines.list()).find((p) => p.name === PIPELINE)?.status).toBe('InProgress');
    expect(retrying).toMatchObject({ heading: `${PIPELINE} retrying`, buttons: [], updates: 1 });
    expect(retrying.text).toContain(`*${PIPELINE}* is retrying *Build* (by <@${ALICE}>).`);
    expect(retrying.text).toContain('It had failed at *Build* › *Build*: Error while executing command: npm test.');
    expect(thread(card).map((m) => m.text)).toEqual([`Retrying Build of ${PIPELINE}.`]);
    expect(allText(thread(card)[0] as StandInMessage)).toContain('The card above changes when the execution ends');
    expect(allText(thread(card)[0] as StandInMessage)).not.toContain('in a few minutes');
    expect(h.bot().at(-1)).toMatchObject({
      text: `A retry of Build in ${PIPELINE} was already started.`,
      ephemeral: true,
    });
    const retries = await h.deps.worker.ports.audit.list({ since: 0, action: 'RetryStage' });
    expect(retries.map((r) => [r.outcome, r.actor.userId, r.target.stage])).toEqual([['started', ALICE, 'Build']]);

    // Act: the retried stages run on the sandbox clock (Build, then Deploy)
    await h.advance(2 * RETRIED_STAGE_MS - 10_000);
    const before = { heading: heading(card), lines: thread(card).length };
    await h.advance(10_000);

    // Assess: nothing is said before the execution ends; then the card says recovered, by itself, with no Retry left
    expect(before).toEqual({ heading: `${PIPELINE} retrying`, lines: 1 });
    expect(heading(card)).toBe(`${PIPELINE} recovered`);
    expect(card.text).toMatch(new RegExp(`^${PIPELINE} recovered: execution [0-9a-f]{8} succeeded\\.$`));
    expect(allText(card)).toContain(`after a retry of *Build* by <@${ALICE}>.`);
    expect(buttonsOf(card)).toEqual([]);
    expect(card.updates).toBe(2);
    expect(thread(card).map((m) => m.text)).toEqual([`Retrying Build of ${PIPELINE}.`, card.text]);
    expect(h.bot().filter((m) => m.channel === ALERTS && m.thread_ts === undefined && !m.ephemeral)).toEqual([card]);
  });

  it('says "failed again" when the retry fails, and its Retry works again at once', async () => {
    // Prepare: the build is still broken
    h.sandbox.pipelines.failNextRetry(PIPELINE);
    const card = await failure();
    await h.sendAndSettle(click(h, card, 'opsbot.retry'));

    // Act
    await h.advance(RETRIED_STAGE_MS);
    const again = { heading: heading(card), text: allText(card), buttons: buttonsOf(card) };
    await h.sendAndSettle(click(h, card, 'opsbot.retry', BOB));

    // Assess: the card said it failed again, after whose retry, with Retry; Bob's retry, a minute later, started
    expect(again.heading).toBe(`${PIPELINE} failed again`);
    expect(again.text).toContain(`After a retry of *Build* by <@${ALICE}>.`);
    expect(again.buttons).toEqual(['Retry Build']);
    expect(thread(card).map((m) => m.text)).toEqual([
      `Retrying Build of ${PIPELINE}.`,
      `${PIPELINE} failed again at Build › Build: Error while executing command: npm test. Reason: exit status 1`,
      `Retrying Build of ${PIPELINE}.`,
    ]);
    expect(allText(card)).toContain(`*${PIPELINE}* is retrying *Build* (by <@${BOB}>).`);
    const retries = await h.deps.worker.ports.audit.list({ since: 0, action: 'RetryStage' });
    expect(retries.map((r) => [r.outcome, r.actor.userId]).sort()).toEqual([
      ['started', ALICE],
      ['started', BOB],
    ]);
  });

  it('keeps the card as it is for someone who may not retry, and tells them why', async () => {
    // Prepare: a guest, whom no retriers list names
    const guest = 'U0GUEST0001';
    h.standIn.people.set(guest, { guest: 'multi-channel' });
    const card = await failure();

    // Act
    await h.sendAndSettle(click(h, card, 'opsbot.retry', guest));

    // Assess
    expect([heading(card), buttonsOf(card), card.updates]).toEqual([`${PIPELINE} failed`, ['Retry Build'], 0]);
    expect(h.bot().at(-1)).toMatchObject({ ephemeral: true, user: guest });
    expect((await h.sandbox.pipelines.list()).find((p) => p.name === PIPELINE)?.status).toBe('Failed');
    const refused = await h.deps.worker.ports.audit.list({ since: 0, action: 'RetryStage' });
    expect(refused.map((r) => [r.outcome, r.reason])).toEqual([['refused', 'guest']]);
  });

  it('shows a retry from the asked-for pipeline card on the #alerts card too, and tells that card’s thread how it ended', async () => {
    // Prepare
    const alert = await failure();
    const { ts, event } = mention(`why is the ${PIPELINE} failing?`);
    await h.sendAndSettle(event);
    const asked = h.bot().at(-1) as StandInMessage;

    // Act
    await h.sendAndSettle(click(h, asked, 'opsbot.retry'));
    const alertWhileRetrying = heading(alert);
    await h.advance(2 * RETRIED_STAGE_MS);

    // Assess: the alert followed the retry made elsewhere; the asked-for card's thread heard the end, not "ask again"
    expect(alertWhileRetrying).toBe(`${PIPELINE} retrying`);
    expect(heading(alert)).toBe(`${PIPELINE} recovered`);
    const said = h.bot().filter((m) => m.thread_ts === ts && m !== asked);
    expect(said.map((m) => m.text)).toEqual([
      `Retrying Build of ${PIPELINE}.`,
      `The retry of Build in ${PIPELINE} succeeded.`,
    ]);
    expect(allText(said[0] as StandInMessage)).toContain('I’ll say in this thread how it ends.');
    expect(allText(said[0] as StandInMessage)).not.toContain('in a few minutes');
  });

  it('changes nothing twice when EventBridge delivers the end of the retry again', async () => {
    // Prepare
    const card = await failure();
    await h.sendAndSettle(click(h, card, 'opsbot.retry'));
    // The clock delivers the end once, as EventBridge would; the test keeps it to deliver again
    const ended: ReturnType<typeof h.sandbox.pipelines.dueEvents> = [];
    const due = h.sandbox.pipelines.dueEvents.bind(h.sandbox.pipelines);
    h.sandbox.pipelines.dueEvents = () => {
      const events = due();
      ended.push(...events);
      return events;
    };

    // Act
    await h.advance(2 * RETRIED_STAGE_MS);
    await deliver(ended);

    // Assess
    expect(ended.map((e) => [(e as EventBridgeEvent)['detail-type'], e.detail.state])).toEqual([
      ['CodePipeline Pipeline Execution State Change', 'SUCCEEDED'],
    ]);
    expect(h.sandbox.pipelines.dueEvents()).toEqual([]);
    expect(card.updates).toBe(2);
    expect(thread(card)).toHaveLength(2);
  });
});
