import type { Job } from '../../bot/jobs';
import type { People } from '../../integrations/people.port';
import type { SandboxImages } from '../../integrations/sandbox/images';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import { describeShared, sharedJson } from '../support/fixtures';
import {
  ALICE,
  allText,
  BOB,
  CHANNEL,
  click,
  command,
  directMessage,
  FORM,
  type Harness,
  harness,
  JSON_TYPE,
  mention,
  slash,
  threadReply,
  unescaped,
} from '../support/harness';
import { TestPeople } from '../support/ports';
import { eventBody, signedEvent, slashCommandBody } from '../support/slack';

describe('Slack edge on Lambda (signed HTTP through the real handler, Web API stand-in on loopback)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  describe('versions, checked in the service’s repository', () => {
    it('refuses a tag the repository does not hold before any Confirm card', async () => {
      // Act
      const { ack } = await slash(h, 'web prod v99.0.0');

      // Assess
      expect((ack as StandInMessage).text).toBe(
        'v99.0.0 is not in 222222222222.dkr.ecr.eu-west-1.amazonaws.com/web; the newest are v1.9.3, v1.9.2, v1.9.1.',
      );
      expect(allText(ack as StandInMessage)).not.toContain('opsbot.confirm');
      expect(await h.sandbox.deployments.active()).toEqual([]);
    });

    it('offers the newest tags when no version is given, then confirms and deploys the one clicked', async () => {
      // Prepare
      const question = (await slash(h, 'web staging')).ack as StandInMessage;
      expect(allText(question)).toContain('v1.9.3 · 2 d ago');

      // Act
      await h.sendAndSettle(click(h, question, 'opsbot.choose', ALICE, 'v1.9.2 · 4 d ago'));
      const card = h.bot().at(-1) as StandInMessage;
      const asked = allText(card);
      await h.sendAndSettle(click(h, card, 'opsbot.confirm'));

      // Assess
      expect(asked).toMatch(/Now `v1\.7\.1` → `v1\.9\.2` \(`sha256:[0-9a-f]{12}`\), pushed 4 d ago\./);
      const [running] = await h.sandbox.deployments.active();
      expect(running).toEqual(expect.objectContaining({ service: 'web', environment: 'staging', version: 'v1.9.2' }));
    });

    it('deploys the image its Confirm card showed, by digest, when the tag is pushed again before Confirm', async () => {
      // Prepare
      const shown = (await h.sandbox.images.find('web', 'staging', 'v1.9.2'))?.digest as string;
      const card = (await slash(h, 'web staging v1.9.2')).ack as StandInMessage;
      const asked = allText(card);
      const pushed = (h.sandbox.images as SandboxImages).push('web', 'v1.9.2');

      // Act
      await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
      await h.advance(20 * 60_000);

      // Assess: the card showed tag and digest; the revision runs that digest, and is still called v1.9.2
      expect(asked).toContain(`Now \`v1.7.1\` → \`v1.9.2\` (\`${shown.slice(0, 19)}\`), pushed 4 d ago.`);
      expect(pushed.digest).not.toBe(shown);
      const now = await h.sandbox.deployments.current('web', 'staging');
      expect([now.version, now.image]).toEqual(['v1.9.2', `111111111111.dkr.ecr.eu-west-1.amazonaws.com/web@${shown}`]);
      const [record] = await h.deps.worker.ports.audit.list({ since: 0 });
      expect(record?.target).toEqual(expect.objectContaining({ version: 'v1.9.2', digest: shown }));
    });

    it('rolls back to the image that ran before, by digest, though its tag was pushed again since', async () => {
      // Prepare: v1.9.2 deployed from its card (by digest), then v1.9.3; then v1.9.2 is pushed again
      const ran = (await h.sandbox.images.find('web', 'staging', 'v1.9.2'))?.digest as string;
      for (const version of ['v1.9.2', 'v1.9.3']) {
        const card = (await slash(h, `web staging ${version}`)).ack as StandInMessage;
        await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
        await h.advance(20 * 60_000);
      }
      (h.sandbox.images as SandboxImages).push('web', 'v1.9.2');

      // Act
      const card = (await slash(h, 'rollback web staging')).ack as StandInMessage;
      await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
      await h.advance(20 * 60_000);

      // Assess: v1.9.2 runs again, the image that ran then
      const now = await h.sandbox.deployments.current('web', 'staging');
      expect([now.version, now.image]).toEqual(['v1.9.2', `111111111111.dkr.ecr.eu-west-1.amazonaws.com/web@${ran}`]);
    });

    it('deploys a service on ECS’s linear strategy as it does a CodeDeploy one: tag buttons, Confirm, progress', async () => {
      // Prepare: the example's last service, worker, is on ECS linear in the sandbox
      const question = (await slash(h, 'worker staging')).ack as StandInMessage;

      // Act
      await h.sendAndSettle(click(h, question, 'opsbot.choose', ALICE, 'v1.11.2 · 4 d ago'));
      const card = h.bot().at(-1) as StandInMessage;
      await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
      h.sandbox.clock.advance(60_000 + 3 * 30_000);
      await h.sendAndSettle(command(h, 'status worker staging'));

      // Assess
      const [running] = await h.sandbox.deployments.active();
      expect(running).toEqual(
        expect.objectContaining({ service: 'worker', engine: 'ecs-linear', version: 'v1.11.2', trafficOnGreen: 40 }),
      );
      expect(allText(h.bot().at(-1) as StandInMessage)).toContain('40% on green');
    });

    it('takes an image digest on a protected environment', async () => {
      // Prepare
      const image = await h.sandbox.images.find('web', 'prod', 'v1.9.0');
      const digest = image?.digest as string;

      // Act
      const card = (await slash(h, `web prod ${digest.toUpperCase().replace('SHA256', 'sha256')}`))
        .ack as StandInMessage;
      const asked = allText(card);
      await h.sendAndSettle(click(h, card, 'opsbot.confirm'));

      // Assess
      expect(asked).toContain(`Deploy *web* \`${digest}\` to *prod*?`);
      const [running] = await h.sandbox.deployments.active();
      expect(running?.version).toBe(digest);
    });
  });

  describe('slash command', () => {
    it('answers /deploy help in the acknowledgement with help generated from the intents', async () => {
      // Act
      const result = await h.sendAndSettle(command(h, 'help'));

      // Assess
      expect(result.statusCode).toBe(200);
      const body = JSON.parse(result.body);
      expect(body.response_type).toBe('ephemeral');
      const shown = unescaped(JSON.stringify(body.blocks));
      for (const usage of [
        '/deploy <service> <environment> <version>',
        '/deploy rollback <service> <environment>',
        '/deploy pipelines [pipeline]',
      ]) {
        expect(shown).toContain(usage);
      }
      expect(h.bot()).toHaveLength(0);
      // The bot ids come from configuration: Bolt never called auth.test.
      expect(h.standIn.calls.map((c) => c.method)).not.toContain('auth.test');
    });

    it('asks for confirmation of a deploy to a protected environment, then runs it once on Confirm', async () => {
      // Prepare
      const card = (await slash(h, 'frontend production v1.8.2')).ack as StandInMessage;
      expect(allText(card)).toContain('Deploy *web* `v1.8.2` to *prod*?');
      expect(allText(card)).toContain('protected environment');

      // Act: a double click sends two clicks from the same card
      const [click1, click2] = [click(h, card, 'opsbot.confirm'), click(h, card, 'opsbot.confirm')];
      const first = await h.sendAndSettle(click1);
      const second = await h.sendAndSettle(click2);

      // Assess
      expect(first.statusCode).toBe(200);
      expect(second.statusCode).toBe(200);
      // The card, which the channel saw, says it was confirmed; the deploy's own message is in the channel.
      expect(card.ephemeral).toBe(false);
      expect(card.updates).toBe(1);
      expect(card.text).toBe('Confirmed: the deploy of web v1.8.2 to prod has started — follow it here.');
      const live = h.bot().filter((m) => !m.ephemeral && m.text.startsWith('web v1.'));
      expect(live.map((m) => m.text)).toEqual([expect.stringMatching(/ → v1\.8\.2 in prod: Installing/)]);
      expect(h.log.entries.filter((e) => e.message === 'intent.run')).toHaveLength(1);
      const running = await h.sandbox.deployments.active();
      expect(running.map((d) => [d.service, d.environment, d.version, d.requestedBy])).toEqual([
        ['web', 'prod', 'v1.8.2', ALICE],
      ]);
      expect(h.bot().some((m) => m.text.includes('already answered') && m.ephemeral)).toBe(true);
    });

    it('lets only the requester confirm or cancel', async () => {
      // Prepare
      const card = (await slash(h, 'api staging v1.4.0')).ack as StandInMessage;

      // Act
      await h.sendAndSettle(click(h, card, 'opsbot.cancel', BOB));
      await h.sendAndSettle(click(h, card, 'opsbot.cancel', ALICE));

      // Assess
      expect(h.bot().some((m) => m.text === `Only <@${ALICE}> can cancel this.` && m.user === BOB)).toBe(true);
      expect(card.text).toBe('Cancelled: Deploy api v1.4.0 to staging. Nothing was changed.');
      expect(card.ephemeral).toBe(false);
      expect(h.log.entries.filter((e) => e.message === 'intent.run')).toHaveLength(0);
    });

    it('refuses a mutable tag for a protected environment, saying what to run instead', async () => {
      // Act
      const { ack } = await slash(h, 'web prod latest');

      // Assess
      const shown = ack as StandInMessage;
      expect(shown.text).toBe('latest is a mutable tag, and prod is protected: it only takes immutable tags.');
      expect(shown.ephemeral).toBe(true);
      expect(allText(shown)).toContain('/deploy web prod v1.8.2');
    });

    it('acknowledges a change at once and leaves its planning to the worker, which reads the account', async () => {
      // Act
      const { result, ack } = await slash(h, 'web prod v1.8.2');

      // Assess: the acknowledgement is the "Working on…" notice; the Confirm card replaced it
      expect(JSON.parse(result.body).text).toBe('Working on /deploy web prod v1.8.2…');
      expect(allText(ack as StandInMessage)).toContain('Deploy *web* `v1.8.2` to *prod*?');
      expect(h.bot().some((m) => m.text.startsWith('Working on'))).toBe(false);
    });

    it('says which names it knows when a service is unknown', async () => {
      // Act
      const result = await h.sendAndSettle(command(h, 'webb-app prod v1'));

      // Assess
      const body = JSON.parse(result.body);
      expect(body.text).toBe("I don't know a service called “webb-app” — did you mean web?");
      expect(JSON.stringify(body.blocks)).toContain('Known services: api, web, payments, worker.');
    });

    it('asks for a missing environment with a button per environment, and continues on a click', async () => {
      // Prepare
      const prompt = (await slash(h, 'web v1.2.3')).ack as StandInMessage;
      expect(prompt.text).toBe('Which environment should I deploy to?');

      // Act
      await h.sendAndSettle(click(h, prompt, 'opsbot.choose', ALICE, 'staging'));

      // Assess: the question became the confirmation, in place
      expect(prompt.updates).toBeGreaterThanOrEqual(1);
      expect(allText(prompt)).toContain('Deploy *web* `v1.2.3` to *staging*?');
    });

    it('hands read-only work to the worker and answers through the response_url', async () => {
      // Act
      const { result, ack } = await slash(h, 'pipelines api');

      // Assess
      expect(JSON.parse(result.body).text).toBe('Working on /deploy pipelines api…');
      // The "Working on…" notice made way for the answer.
      expect(h.bot().some((m) => m.text.startsWith('Working on'))).toBe(false);
      const answer = ack as StandInMessage;
      expect(answer.ephemeral).toBe(false);
      expect(answer.text).toMatch(/^api-pipeline/);
      for (const stage of ['*Source*', '*Build*', '*Deploy*']) expect(allText(answer)).toContain(stage);
    });
  });

  describe('mentions, DMs and threads', () => {
    it('answers a mention in its thread', async () => {
      // Prepare
      const { ts, event } = mention('is the *frontend* pipeline green? :eyes:');

      // Act
      const result = await h.sendAndSettle(event);

      // Assess
      expect(result.statusCode).toBe(200);
      const reply = h.bot().at(-1);
      expect(reply?.thread_ts).toBe(ts);
      expect(reply?.text).toContain('web-pipeline');
    });

    it('asks for missing slots in the thread and continues the conversation with the next replies', async () => {
      // Prepare
      const { ts, event } = mention('deploy billing');
      await h.sendAndSettle(event);
      expect(h.bot().at(-1)?.text).toBe('Which environment should I deploy to?');

      // Act
      await h.sendAndSettle(threadReply('production', ts));
      const versionPrompt = h.bot().at(-1)?.text;
      await h.sendAndSettle(threadReply('v1.8.1', ts));

      // Assess
      expect(versionPrompt).toContain('Which version');
      const card = h.bot().at(-1);
      expect(card?.thread_ts).toBe(ts);
      expect(allText(card as StandInMessage)).toContain('Deploy *payments* `v1.8.1` to *prod*?');
    });

    it('answers a new question asked in the thread instead of reading a value out of it', async () => {
      // Prepare
      const { ts, event } = mention('deploy billing');
      await h.sendAndSettle(event);

      // Act
      await h.sendAndSettle(threadReply('what is deployed in prod?', ts));

      // Assess
      const reply = h.bot().at(-1) as StandInMessage;
      expect(reply.text).toMatch(/^No deploys in progress\./);
      expect(allText(reply)).toContain('Deploy status: prod');
    });

    it('does not take a question for the version it asked for', async () => {
      // Prepare
      const { ts, event } = mention('deploy billing to staging');
      await h.sendAndSettle(event);

      // Act
      await h.sendAndSettle(threadReply('help', ts));

      // Assess
      const reply = h.bot().at(-1) as StandInMessage;
      expect(allText(reply)).toContain('What opsbot can do');
      expect(allText(reply)).not.toContain('Confirm');
    });

    it('ignores thread replies from someone else and replies in threads where opsbot asked nothing', async () => {
      // Prepare
      const { ts, event } = mention('deploy billing');
      await h.sendAndSettle(event);
      const before = h.bot().length;

      // Act
      await h.sendAndSettle(threadReply('prod', ts, BOB));
      await h.sendAndSettle(threadReply('prod', '1700000000.000001'));

      // Assess
      expect(h.bot()).toHaveLength(before);
    });

    it('tells only the asker a refusal, with chat.postEphemeral, in the thread when the thread exists', async () => {
      // Prepare
      const root = '1795433100.000100';
      const inThread = mention('deploy web latest to prod', { thread_ts: root });
      const topLevel = mention('deploy web latest to prod');

      // Act
      await h.sendAndSettle(inThread.event);
      await h.sendAndSettle(topLevel.event);

      // Assess
      const refusals = h.bot().filter((m) => m.text.startsWith('latest is a mutable tag'));
      expect(refusals.map((m) => [m.ephemeral, m.user, m.thread_ts])).toEqual([
        [true, ALICE, root],
        // Slack shows an ephemeral message in a thread only once the thread exists: beside it, then.
        [true, ALICE, undefined],
      ]);
      expect(h.standIn.calls.filter((c) => c.method === 'chat.postEphemeral')).toHaveLength(2);
    });

    it('drops a channel message outside any thread before any Store write or hand-over', async () => {
      // Prepare
      const store = new MemoryStore();
      let writes = 0;
      const counting = Object.assign(Object.create(store) as MemoryStore, {
        putIfAbsent: (...args: Parameters<MemoryStore['putIfAbsent']>) => {
          writes++;
          return store.putIfAbsent(...args);
        },
        put: (...args: Parameters<MemoryStore['put']>) => {
          writes++;
          return store.put(...args);
        },
      });
      const quiet = await harness({ store: counting });
      const ts = `${Math.floor(Date.now() / 1000)}.000200`;
      const event = {
        type: 'message',
        channel_type: 'channel',
        user: BOB,
        text: 'deploy web to prod',
        ts,
        channel: CHANNEL,
      };

      // Act
      const result = await quiet.sendAndSettle(signedEvent(eventBody(event), JSON_TYPE));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(writes).toBe(0);
      expect(quiet.bot()).toHaveLength(0);
      await quiet.close();
    });

    it('answers help in a direct message', async () => {
      // Prepare
      const event = directMessage('what can you do?');

      // Act
      await h.sendAndSettle(event);

      // Assess
      const reply = h.bot().at(-1);
      expect(reply?.channel).toBe('D0ALICEDM1');
      expect(allText(reply as StandInMessage)).toContain('What opsbot can do');
    });

    it('does not answer its own messages or other bots', async () => {
      // Prepare
      const ts = `${Math.floor(Date.now() / 1000)}.000300`;
      const own = eventBody({
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B0OPSBOT01',
        text: 'help',
        ts,
        channel: CHANNEL,
        channel_type: 'channel',
        thread_ts: ts,
      });

      // Act
      const result = await h.sendAndSettle(signedEvent(own, JSON_TYPE));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(h.bot()).toHaveLength(0);
    });
  });

  describe('pipelines', () => {
    it('offers Retry on a failing pipeline, retries the stage once, and says so in the thread', async () => {
      // Prepare
      const failing = (await h.sandbox.pipelines.list()).find((p) => p.status === 'Failed')?.name as string;
      const { ts, event } = mention(`why is the ${failing} failing?`);
      await h.sendAndSettle(event);
      const card = h.bot().at(-1) as StandInMessage;
      expect(allText(card)).toContain('Retry Build');

      // Act
      const [first, second] = [click(h, card, 'opsbot.retry'), click(h, card, 'opsbot.retry')];
      await h.sendAndSettle(first);
      await h.sendAndSettle(second);

      // Assess: the stage runs again, as CodePipeline's would, and the card shows it in place with no Retry button
      expect((await h.sandbox.pipelines.list()).find((p) => p.name === failing)?.status).toBe('InProgress');
      expect(card.updates).toBe(1);
      expect(allText(card)).toContain('In progress  *Build* · just now');
      expect(allText(card)).not.toContain('Retry Build');
      const said = h.bot().slice(-2);
      expect(said[0]?.text).toBe(`Retrying Build of ${failing}.`);
      expect(said[0]?.thread_ts).toBe(ts);
      expect(said[1]?.text).toBe(`A retry of Build in ${failing} was already started.`);
      expect(said[1]?.ephemeral).toBe(true);
      const retries = await h.deps.worker.ports.audit.list({ since: 0, action: 'RetryStage' });
      expect(retries.map((r) => [r.outcome, r.target.pipeline, r.target.stage])).toEqual([
        ['started', failing, 'Build'],
      ]);
      h.sandbox.clock.advance(10 * 60_000);
      expect((await h.sandbox.pipelines.list()).find((p) => p.name === failing)?.status).toBe('Succeeded');
    });

    it('keeps Retry open when the worker refuses the click the edge let through', async () => {
      // Prepare: the worker cannot reach Slack to check who clicked (the edge had it cached)
      const failing = (await h.sandbox.pipelines.list()).find((p) => p.status === 'Failed')?.name as string;
      await h.sendAndSettle(mention(`why is the ${failing} failing?`).event);
      const card = h.bot().at(-1) as StandInMessage;
      const ports = h.deps.worker.ports as { people: People };
      const people = ports.people;
      const down = new TestPeople();
      down.down = true;
      ports.people = down;

      // Act
      await h.sendAndSettle(click(h, card, 'opsbot.retry'));
      ports.people = people;
      await h.sendAndSettle(click(h, card, 'opsbot.retry'));

      // Assess: the first click was refused and told why; the second one retried
      const said = h.bot().slice(-2);
      expect(said[0]?.text).toBe("I couldn't check who may do this.");
      expect(said[1]?.text).toBe(`Retrying Build of ${failing}.`);
      expect((await h.sandbox.pipelines.list()).find((p) => p.name === failing)?.status).toBe('InProgress');
    });

    it('lists pipelines failing first, from the slash command', async () => {
      // Act
      await h.sendAndSettle(command(h, 'pipelines'));

      // Assess
      const overview = h.bot().at(-1) as StandInMessage;
      expect(overview.text).toMatch(/^1 of 4 pipelines failing: [a-z]+-pipeline\.$/);
      expect(allText(overview).indexOf(':red_circle: Failed')).toBeLessThan(
        allText(overview).indexOf(':large_green_circle:'),
      );
    });

    it('says which pipelines it knows when a name matches none', async () => {
      // Act
      const ack = await h.sendAndSettle(command(h, 'pipelines frontnd-app'));

      // Assess
      expect(JSON.parse(ack.body).text).toBe(
        "I don't know a pipeline called “frontnd-app” — did you mean web-pipeline?",
      );
    });
  });

  describe('duplicates and forgeries', () => {
    it('acks a Slack retry of an event and does the work once', async () => {
      // Prepare
      const ts = `${Math.floor(Date.now() / 1000)}.000400`;
      const body = eventBody(
        { type: 'app_mention', user: ALICE, text: '<@U0OPSBOT01> help', ts, channel: CHANNEL, event_ts: ts },
        'Ev0RETRY0001',
      );

      // Act
      const results = [
        await h.sendAndSettle(signedEvent(body, JSON_TYPE)),
        await h.sendAndSettle(
          signedEvent(body, JSON_TYPE, {
            extraHeaders: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
          }),
        ),
        await h.sendAndSettle(
          signedEvent(body, JSON_TYPE, {
            extraHeaders: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' },
          }),
        ),
      ];

      // Assess
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expect(h.bot()).toHaveLength(1);
    });

    it('answers a command delivered twice once: the worker claims the delivery', async () => {
      // Prepare: one slash command (one trigger_id), delivered twice
      const delivery = command(h, 'pipelines api');

      // Act
      const first = await h.sendAndSettle(delivery);
      const second = await h.sendAndSettle(delivery);

      // Assess
      expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
      expect(h.bot().filter((m) => m.text === 'api-pipeline: Succeeded.')).toHaveLength(1);
      expect(h.log.entries.filter((e) => e.message === 'slack.duplicate_dropped')).toHaveLength(1);
    });

    it('writes nothing on the acknowledgement path of a command: its jobs carry the delivery for the worker', async () => {
      // Prepare: jobs recorded, not run (as the async invoke hands them over), and every Store write seen
      const sent: Job[] = [];
      const store = new MemoryStore();
      const writes: string[] = [];
      const put = store.putIfAbsent.bind(store);
      store.putIfAbsent = async (key, value, ttl) => {
        writes.push(key);
        return put(key, value, ttl);
      };
      const edge = await harness({ store, jobs: { send: async (job) => void sent.push(job) } });
      const delivery = command(edge, 'pipelines api');

      // Act
      try {
        await edge.send(delivery);
        await edge.send(delivery);
      } finally {
        await edge.close();
      }

      // Assess
      expect(writes).toEqual([]);
      expect(sent).toHaveLength(2);
      expect(sent[0]?.delivery).toMatch(/^trigger\..+#0$/);
      expect(sent[1]?.delivery).toBe(sent[0]?.delivery);
    });

    it.each([
      ['a wrong signature', { secret: 'not-the-signing-secret' }],
      ['a timestamp six minutes old', { skewSeconds: -360 }],
      ['a timestamp six minutes in the future', { skewSeconds: 360 }],
    ])('answers 401 to %s and does nothing', async (_name, options) => {
      // Act
      const result = await h.sendAndSettle(
        signedEvent(
          eventBody({ type: 'app_mention', user: ALICE, text: 'help', ts: '1.1', channel: CHANNEL }),
          JSON_TYPE,
          options,
        ),
      );

      // Assess
      expect(result.statusCode).toBe(401);
      expect(h.bot()).toHaveLength(0);
    });

    it('answers 401 to a request with no signature', async () => {
      // Prepare
      const event = signedEvent(slashCommandBody('help', { responseUrl: 'http://127.0.0.1:1/x' }), FORM);
      const headers = { ...(event.headers as Record<string, string>) };
      delete headers['x-slack-signature'];

      // Act
      const result = await h.send({ ...event, headers });

      // Assess
      expect(result.statusCode).toBe(401);
    });

    it('handles base64 bodies with non-ASCII text and a charset in Content-Type', async () => {
      // Prepare
      const ts = `${Math.floor(Date.now() / 1000)}.000500`;
      const body = eventBody({
        type: 'app_mention',
        user: ALICE,
        text: '<@U0OPSBOT01> déployer? no — deploy web to staging ✅ please',
        ts,
        channel: CHANNEL,
        event_ts: ts,
      });
      const event = signedEvent(body, JSON_TYPE, { base64: true, contentType: 'application/json; charset=utf-8' });

      // Act
      const result = await h.sendAndSettle(event);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(allText(h.bot().at(-1) as StandInMessage)).toContain('Which version');
    });

    it('answers url_verification with the challenge', async () => {
      // Act
      const result = await h.send(
        signedEvent(JSON.stringify({ token: 't', challenge: 'c-123', type: 'url_verification' }), JSON_TYPE),
      );

      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ challenge: 'c-123' });
    });
  });
});

describeShared('Slack edge with payloads published by Slack and AWS', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('takes a captured Function URL delivery of a bot DM (re-signed) and does not answer a bot', async () => {
    // Prepare
    const captured = sharedJson<{ body: string; headers: Record<string, string> }>(
      'lambda-function-url__captured-Slack-Events-API-POST__DM-bot-message.json',
    );

    // Act
    const result = await h.sendAndSettle(signedEvent(captured.body, captured.headers['content-type'] as string));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(h.bot()).toHaveLength(0);
  });

  it('answers the url_verification example from Slack docs', async () => {
    // Prepare
    const example = sharedJson<{ challenge: string }>('slack-url_verification__slack-docs.json');

    // Act
    const result = await h.send(signedEvent(JSON.stringify(example), JSON_TYPE));

    // Assess
    expect(JSON.parse(result.body)).toEqual({ challenge: example.challenge });
  });

  it('answers an app_mention from the Slack docs example in its thread', async () => {
    // Prepare
    const example = sharedJson<{ event: Record<string, string> }>('slack-event_callback-app_mention__slack-docs.json');
    const body = JSON.stringify({ ...example, event: { ...example.event, text: `<@U0OPSBOT01> help` } });

    // Act
    await h.sendAndSettle(signedEvent(body, JSON_TYPE));

    // Assess
    const reply = h.bot().at(-1);
    expect(reply?.channel).toBe(example.event.channel);
    expect(reply?.thread_ts).toBe(example.event.ts);
  });
});
