import { LogLevel, WebClient } from '@slack/web-api';
import { IssuedButtons } from '../../bot/cards';
import { createMemoryLog } from '../../bot/logger';
import { slackAnnouncer } from '../../bot/worker/answer';
import { Claims, claimKey } from '../../integrations/claims';
import type { Pipelines } from '../../integrations/pipelines.port';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { SlackWebApiChat } from '../../integrations/slack/web-api-chat.adapter';
import type { EventBridgeEvent, ReactionPorts } from '../../intents/define-reaction';
import { pipelineFailure } from '../../intents/pipelines/pipeline-failure.handler';
import { buttonsOf, heading } from '../support/cards';
import { describeShared, sharedJson } from '../support/fixtures';
import { sandboxPorts } from '../support/ports';
import { startStandIn, TEST_BOT_TOKEN } from '../support/slack';

const ALERTS = 'C0ALERTS001';

const noPipelines: Pipelines = {
  list: async () => [],
  get: async () => {
    throw new Error('not expected');
  },
  retryStage: async () => undefined,
  executions: async () => [],
  execution: async () => undefined,
  branch: async () => undefined,
};

/**
 * `real`: a late landing in the stand-in is real time, so these waits are slept too (short ones, with `landingMs`).
 * Otherwise a request that was not answered is looked for at once (`landingMs` 0), so the waits are the back-off's.
 */
async function setup(pipelines: Pipelines = noPipelines, real?: { readonly landingMs: number }) {
  const stand = await startStandIn();
  // Time is simulated: waits are recorded, not slept, and each Web API call takes `callMs` (none unless a test says).
  const waits: number[] = [];
  const clock = { now: 0, callMs: 0 };
  const unchecked: string[] = [];
  const chat = new SlackWebApiChat(
    new WebClient(TEST_BOT_TOKEN, {
      slackApiUrl: `${stand.url}/api/`,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
      fetch: (url, init) => {
        clock.now += clock.callMs;
        return fetch(url, init);
      },
    }),
    fetch,
    {
      budgetMs: 30_000,
      random: () => 1,
      now: () => clock.now,
      onUncheckable: (problem) => void unchecked.push(problem.reason),
      landingMs: real?.landingMs ?? 0,
      ...(real !== undefined && { baseDelayMs: 10 }),
      sleep: async (ms) => {
        waits.push(ms);
        clock.now += ms;
        if (real !== undefined) await new Promise((resolve) => setTimeout(resolve, ms));
      },
    },
  );
  const store = new MemoryStore();
  const log = createMemoryLog();
  const deps: ReactionPorts = {
    ...sandboxPorts().ports,
    pipelines,
    store,
    claims: new Claims(store),
    log,
    announcer: slackAnnouncer(chat, new IssuedButtons(store), { alerts: ALERTS }, log, store),
  };
  return {
    ...stand,
    deps,
    waits,
    clock,
    unchecked,
    direct: chat,
    send: (e: EventBridgeEvent) => pipelineFailure.handle(e, deps),
  };
}

describeShared('pipeline failures pushed to Slack, from EventBridge events published by AWS', () => {
  const event = (file: string) => sharedJson<EventBridgeEvent>(file);
  const actionFailed = () => event('eb-codepipeline-action-execution-state-change__aws-docs__CodeDeploy-FAILED.json');
  const pipelineFailed = () => event('eb-codepipeline-pipeline-execution-state-change__aws-docs__FAILED.json');
  const pipelineSucceeded = () => event('eb-codepipeline-pipeline-execution-state-change__aws-docs__SUCCEEDED.json');

  it('posts one card naming the failed stage, action and error, however often EventBridge delivers', async () => {
    // Prepare
    const s = await setup();

    // Act
    for (let i = 0; i < 2; i++) {
      await s.send(actionFailed());
      await s.send(pipelineFailed());
    }
    await s.close();

    // Assess
    expect(s.standIn.messages).toHaveLength(1);
    const [card] = s.standIn.messages;
    expect(card?.channel).toBe(ALERTS);
    // AWS's sample error text holds a literal `<ID>`: it is escaped, so Slack shows it as written.
    expect(card?.text).toBe('myPipeline failed at Deploy › Deploy: Deployment &lt;ID&gt; failed');
    const blocks = JSON.stringify(card?.blocks);
    expect(blocks).toContain('*myPipeline* failed at *Deploy* › *Deploy*: Deployment &lt;ID&gt; failed (`JobFailed`)');
    expect(blocks).toContain(
      '<https://us-west-2.console.aws.amazon.com/codedeploy/home?#/deployments/%3CID%3E|Open the action’s details>',
    );
    expect(blocks).toContain('account 123456789012 · us-west-2');
  });

  it('says in the failure’s thread when a later execution succeeds, once', async () => {
    // Prepare
    const s = await setup();
    await s.send(actionFailed());
    await s.send(pipelineFailed());

    // Act
    await s.send(pipelineSucceeded());
    await s.send(pipelineSucceeded());
    await s.send({ ...pipelineSucceeded(), id: 'a-later-success' });
    await s.close();

    // Assess
    const [alert, ...replies] = s.standIn.messages;
    expect(replies).toHaveLength(1);
    expect(replies[0]?.thread_ts).toBe(alert?.ts);
    expect(replies[0]?.text).toBe('myPipeline recovered: execution 12345678 succeeded.');
  });

  it('offers Retry on the failed stage, its button carrying only the id of the card opsbot stored', async () => {
    // Prepare
    const s = await setup();

    // Act
    await s.send(actionFailed());
    await s.send(pipelineFailed());
    await s.close();

    // Assess
    const [card] = s.standIn.messages;
    expect(buttonsOf(card)).toEqual(['Retry Deploy']);
    const value = JSON.stringify(card?.blocks).match(/"value":"([^"]*)"/)?.[1];
    expect(value).toMatch(/^[A-Za-z0-9_-]{22}\.0$/);
    const opened = await new IssuedButtons(s.deps.store).open('retry-stage', value, { channel: ALERTS });
    expect(opened).toMatchObject({
      ok: true,
      payload: {
        kind: 'retry-stage',
        pipeline: 'myPipeline',
        stage: 'Deploy',
        executionId: '12345678-1234-5678-abcd-12345678abcd',
      },
    });
  });

  it('redraws the card in place as recovered, with nothing left to press, when a later execution succeeds', async () => {
    // Prepare
    const s = await setup();
    await s.send(actionFailed());
    await s.send(pipelineFailed());

    // Act
    await s.send(pipelineSucceeded());
    await s.send(pipelineSucceeded());
    await s.close();

    // Assess
    const [card, ...thread] = s.standIn.messages;
    expect([heading(card), card?.text, buttonsOf(card), card?.updates]).toEqual([
      'myPipeline recovered',
      'myPipeline recovered: execution 12345678 succeeded.',
      [],
      1,
    ]);
    expect(JSON.stringify(card?.blocks)).toContain(
      'It had failed at *Deploy* › *Deploy*: Deployment &lt;ID&gt; failed (`JobFailed`)',
    );
    expect(thread.map((m) => [m.thread_ts, m.text])).toEqual([
      [card?.ts, 'myPipeline recovered: execution 12345678 succeeded.'],
    ]);
  });

  it('says "failed again" on the card and in its thread when the same execution fails once more (retried in the console)', async () => {
    // Prepare
    const s = await setup();
    await s.send(actionFailed());
    await s.send(pipelineFailed());
    const hostile = actionFailed();
    const again = {
      ...hostile,
      id: 'a-second-failure',
      detail: {
        ...(hostile.detail as Record<string, unknown>),
        'execution-result': { 'external-execution-summary': '<!channel> still broken', 'error-code': 'JobFailed' },
      },
    };

    // Act: EventBridge delivers the new failure twice
    for (let i = 0; i < 2; i++) {
      await s.send(again);
      await s.send({ ...pipelineFailed(), id: 'a-second-execution-failure' });
    }
    await s.close();

    // Assess: the one card, redrawn once, with Retry again; one line in its thread; nothing from outside unescaped
    const [card, ...thread] = s.standIn.messages;
    expect([heading(card), card?.text, buttonsOf(card), card?.updates]).toEqual([
      'myPipeline failed again',
      'myPipeline failed again at Deploy › Deploy: &lt;!channel&gt; still broken',
      ['Retry Deploy'],
      1,
    ]);
    expect(thread.map((m) => [m.thread_ts, m.text])).toEqual([
      [card?.ts, 'myPipeline failed again at Deploy › Deploy: &lt;!channel&gt; still broken'],
    ]);
    expect(JSON.stringify(s.standIn.messages)).not.toContain('<!channel>');
  });

  it('answers a card posted before cards were kept whole in its thread, and leaves the card as it is', async () => {
    // Prepare: what an earlier opsbot kept of its card
    const s = await setup();
    const ts = await s.direct.post({ channel: ALERTS }, { text: 'myPipeline failed' });
    await s.deps.store.put(
      'pipeline-alert:myPipeline',
      { channel: ALERTS, ts, executionId: '12345678-1234-5678-abcd-12345678abcd' },
      30 * 24 * 60 * 60,
    );

    // Act
    await s.send(pipelineSucceeded());
    await s.close();

    // Assess
    const [card, ...thread] = s.standIn.messages;
    expect([card?.text, card?.updates]).toEqual(['myPipeline failed', 0]);
    expect(thread.map((m) => [m.thread_ts, m.text])).toEqual([
      [ts, 'myPipeline recovered: execution 12345678 succeeded.'],
    ]);
  });

  it('posts nothing for a success with no failure before it, or for a start', async () => {
    // Prepare
    const s = await setup();

    // Act
    await s.send(pipelineSucceeded());
    await s.send(event('eb-codepipeline-pipeline-execution-state-change__aws-lambda-go.json'));
    await s.send(event('eb-codepipeline-action-execution-state-change__aws-docs__Source-SUCCEEDED.json'));
    await s.close();

    // Assess
    expect(s.standIn.messages).toHaveLength(0);
  });

  it('reads the failing stage from the pipeline when the action’s event is missing', async () => {
    // Prepare
    const s = await setup({
      ...noPipelines,
      get: async (name) => ({
        name,
        stages: [
          { name: 'Source', status: 'Succeeded', actions: [{ name: 'Source', status: 'Succeeded' }] },
          {
            name: 'Build',
            status: 'Failed',
            actions: [{ name: 'UnitTests', status: 'Failed', errorMessage: 'exit status 1' }],
          },
        ],
      }),
    });

    // Act
    await s.send(pipelineFailed());
    await s.close();

    // Assess
    expect(s.standIn.messages[0]?.text).toBe('myPipeline failed at Build › UnitTests: exit status 1');
  });

  it('releases its claim when posting fails, so a redelivery can post', async () => {
    // Prepare
    const s = await setup();
    await s.close();

    // Act
    await expect(s.send(pipelineFailed())).rejects.toThrow();
    const claim = `eventbridge:01234567-EXAMPLE:CodePipeline Pipeline Execution State Change:myPipeline:12345678-1234-5678-abcd-12345678abcd:FAILED::`;

    // Assess
    expect(await s.deps.store.get(claimKey(claim))).toBeUndefined();
  });

  describe('through a Slack outage', () => {
    const posts = (s: Awaited<ReturnType<typeof setup>>) =>
      s.standIn.calls.filter((c) => c.method === 'chat.postMessage').length;

    it('waits out a 429 for its Retry-After, then posts once', async () => {
      // Prepare
      const s = await setup();
      s.standIn.failNext('chat.postMessage', { status: 429, retryAfter: 7 }, 2);

      // Act
      await s.send(pipelineFailed());
      await s.close();

      // Assess
      expect(s.waits).toEqual([7000, 7000]);
      expect(s.standIn.messages).toHaveLength(1);
      expect(posts(s)).toBe(3);
    });

    it('backs off through 5xx answers, doubling the wait, then posts once', async () => {
      // Prepare
      const s = await setup();
      s.standIn.failNext('chat.postMessage', { status: 503 }, 3);

      // Act
      await s.send(pipelineFailed());
      await s.close();

      // Assess
      expect(s.waits).toEqual([1000, 2000, 4000]);
      expect(s.standIn.messages).toHaveLength(1);
    });

    it('does not post again when Slack posted but its answer was lost: it finds the post by its key', async () => {
      // Prepare
      const s = await setup();
      s.standIn.failNext('chat.postMessage', { status: 500, afterDoing: true });

      // Act
      await s.send(pipelineFailed());
      await s.send(pipelineSucceeded());
      await s.close();

      // Assess
      expect(posts(s)).toBe(2);
      const [alert, recovery] = s.standIn.messages;
      // The recovery found the alert it was lost for: it redrew that card, and is in its thread.
      expect([heading(alert), alert?.updates]).toEqual(['myPipeline recovered', 1]);
      expect(recovery?.thread_ts).toBe(alert?.ts);
      expect(s.standIn.messages).toHaveLength(2);
    });

    it('shows a post Slack received only after the client gave up once: it is looked for once it would have landed', async () => {
      // Prepare: Slack answers 503, then carries the post out 100 ms later
      const s = await setup(noPipelines, { landingMs: 400 });
      s.standIn.failNext('chat.postMessage', { status: 503, landsAfterMs: 100 });

      // Act
      await s.send(pipelineFailed());
      await s.send(pipelineSucceeded());
      await s.close();

      // Assess: one alert, now recovered, and the recovery in its thread
      const [alert, recovery, ...more] = s.standIn.messages;
      expect(heading(alert)).toBe('myPipeline recovered');
      expect(recovery?.thread_ts).toBe(alert?.ts);
      expect(more).toEqual([]);
    });

    it('deletes the copy of a post that landed even later than it was looked for, keeping the one it answered with', async () => {
      // Prepare: the post lands 450 ms after its failed answer, after opsbot looked (300 ms) and posted again
      const s = await setup(noPipelines, { landingMs: 300 });
      s.standIn.failNext('chat.postMessage', { status: 503, landsAfterMs: 450 });

      // Act
      await s.send(pipelineFailed());
      const shown = s.standIn.messages.map((m) => m.ts);
      await s.send(pipelineSucceeded());
      await s.close();

      // Assess: both alerts were posted (and the recovery), one was taken back; the recovery is in the thread of the one
      // that stayed
      expect(posts(s)).toBe(3);
      expect(s.standIn.calls.filter((c) => c.method === 'chat.delete')).toHaveLength(1);
      expect(shown).toHaveLength(1);
      const [alert, recovery, ...more] = s.standIn.messages;
      expect(alert?.ts).toBe(shown[0]);
      expect(recovery?.thread_ts).toBe(alert?.ts);
      expect(more).toEqual([]);
    });

    it('gives up within its budget, and a redelivery after Slack is back shows the alert once', async () => {
      // Prepare: the post lands, its answer is lost, and Slack stays down past the 30 s budget, each call taking 5 s
      const s = await setup();
      s.clock.callMs = 5_000;
      s.standIn.failNext('chat.postMessage', { status: 503, afterDoing: true });
      s.standIn.failNext('conversations.history', { status: 503 }, 20);

      // Act
      await expect(s.send(pipelineFailed())).rejects.toThrow();
      const elapsed = s.clock.now;
      s.standIn.clearFaults();
      await s.send(pipelineFailed());
      await s.close();

      // Assess
      // The attempts' own time counts: the job stopped within its budget, not after 30 s of waiting alone.
      expect(elapsed).toBeLessThanOrEqual(30_000);
      expect(s.waits.reduce((a, b) => a + b, 0)).toBeLessThan(30_000 - 2 * 5_000);
      expect(s.standIn.messages).toHaveLength(1);
      expect(posts(s)).toBe(1);
    });

    it('posts again, saying why, when Slack will not let it look for a post whose answer was lost', async () => {
      // Prepare: the app lacks the history scope
      const s = await setup();
      s.standIn.failNext('chat.postMessage', { status: 502, afterDoing: true });
      s.standIn.failNext('conversations.history', { error: 'missing_scope' }, 2);

      // Act
      await s.send(pipelineFailed());
      await s.close();

      // Assess: twice rather than lost, and the reason is told
      expect(s.standIn.messages).toHaveLength(2);
      expect(s.unchecked).toEqual(['missing_scope']);
    });

    it('finds a post whose answer was lost in a busy channel, over several pages of history', async () => {
      // Prepare: the alert landed, then 450 other messages
      const s = await setup();
      const ts = await s.direct.post({ channel: ALERTS }, { text: 'the alert' }, { key: 'alert-1' });
      for (let i = 0; i < 450; i++) s.standIn.addPersonMessage(ALERTS, 'U0CHATTY01', `message ${i}`);

      // Act
      const found = await s.direct.findPosted({ channel: ALERTS }, 'alert-1', 0);
      await s.close();

      // Assess
      expect(found).toBe(ts);
      expect(s.standIn.calls.filter((c) => c.method === 'conversations.history')).toHaveLength(3);
    });

    it('does not retry what Slack refuses for good', async () => {
      // Prepare
      const s = await setup();
      s.standIn.failNext('chat.postMessage', { error: 'not_in_channel' });

      // Act
      const failed = await s.send(pipelineFailed()).catch((e: { data?: { error?: string } }) => e.data?.error);
      await s.close();

      // Assess
      expect(failed).toBe('not_in_channel');
      expect(s.waits).toEqual([]);
    });
  });
});

describeShared('the worker as composed by createDeps', () => {
  it('sends a pipeline failure event to the configured alerts channel', async () => {
    // Prepare
    const { readFileSync } = await import('node:fs');
    const { EXAMPLE_CONFIG_PATH, parseConfig } = await import('../../bot/config');
    const { createDeps } = await import('../../bot/deps');
    const { readSettings } = await import('../../bot/settings');
    const { handleWorkerInput } = await import('../../bot/worker/router');
    const stand = await startStandIn();
    const settings = { ...readSettings({ SLACK_BOT_TOKEN: TEST_BOT_TOKEN }), slackApiUrl: `${stand.url}/api/` };
    const { worker } = createDeps(settings, parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')), {
      store: new MemoryStore(),
      log: createMemoryLog(),
    });

    // Act
    await handleWorkerInput(
      sharedJson<EventBridgeEvent>('eb-codepipeline-action-execution-state-change__aws-docs__CodeDeploy-FAILED.json'),
      worker,
    );
    await handleWorkerInput(
      sharedJson<EventBridgeEvent>('eb-codepipeline-pipeline-execution-state-change__aws-docs__FAILED.json'),
      worker,
    );
    await stand.close();

    // Assess
    expect(stand.standIn.messages.map((m) => [m.channel, m.text])).toEqual([
      ['C0ALERTS001', 'myPipeline failed at Deploy › Deploy: Deployment &lt;ID&gt; failed'],
    ]);
  });
});
