import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH } from '../../bot/config';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import { ALICE, allText, click, type Harness, harness, mention, slash, unescaped } from '../support/harness';

const EXAMPLE = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8');

/** The example configuration with prod's guard rails replaced. */
const withRails = (rails: string) =>
  EXAMPLE.replace(/ {4}guardRails:\n(?: {6}.*\n)+/, `    guardRails:\n${rails.replace(/^/gm, '      ')}\n`);

/** The card's text as a person reads it: every block. */
const read = (m: StandInMessage) => unescaped(allText(m));

function inThread(h: Harness, ts: string): StandInMessage[] {
  return h.bot().filter((m) => m.thread_ts === ts);
}

/** The sandbox image a service's environment runs, by digest (`…@sha256:…`), or its tag. */
async function runs(h: Harness, service: string, environment: string) {
  return h.sandbox.deployments.current(service, environment);
}

describe('promote what was tested, see what is in it, be warned before shipping something risky (the sandbox)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('promotes to prod exactly the image staging runs, by digest, with the evidence and the change list on its card', async () => {
    // Prepare: what staging runs, and its digest in the repository
    h = await harness();
    const staging = await runs(h, 'web', 'staging');
    const prod = await runs(h, 'web', 'prod');
    const image = await h.sandbox.images.find('web', 'staging', staging.version);

    // Act
    const card = (await slash(h, 'promote web prod')).ack as StandInMessage;
    const text = read(card);
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    await h.advance(30 * 60_000);

    // Assess: the card says what is promoted, from where, why it is trusted, and what changes
    expect(text).toContain(`Promote *web* \`${staging.version}\` from *staging* to *prod*?`);
    expect(text).toContain(`Now \`${prod.version}\` → \`${staging.version}\` (\`${image?.digest.slice(0, 19)}\`)`);
    expect(text).toContain('*staging* has run it for 3 d, no rollback.');
    expect(text).toMatch(new RegExp(`\\*\\d+ changes?\\* since \`${prod.version.replace(/\./g, '\\.')}\``));
    expect(text).toMatch(/<https:\/\/github\.com\/opsbot-sandbox\/web\/commit\/[0-9a-f]{40}\|[0-9a-f]{7}/);
    expect(text).toMatch(
      /<https:\/\/github\.com\/opsbot-sandbox\/web\/compare\/[0-9a-f]{40}\.\.\.[0-9a-f]{40}\|compare/,
    );
    // …and prod now runs that very image, by its digest
    const after = await runs(h, 'web', 'prod');
    expect(after.image.endsWith(`@${image?.digest}`)).toBe(true);
    expect(h.bot().some((m) => unescaped(m.text).includes('the promotion of web'))).toBe(true);
    const audit = await h.deps.worker.ports.audit.list({ since: 0 });
    expect(audit.filter((r) => r.note === 'promoted from staging').map((r) => [r.action, r.outcome])).toEqual([
      ['Deploy', 'succeeded'],
    ]);
  });

  it('reads promotions said in words, in every language, with the source and the target in their places', async () => {
    // Prepare
    h = await harness();
    const staging = await runs(h, 'payments', 'staging');

    // Act
    const english = mention("ship what's in staging to prod for payments");
    await h.sendAndSettle(english.event);
    const korean = mention('payments 스테이징에서 프로덕션으로 승격해줘');
    await h.sendAndSettle(korean.event);

    // Assess
    for (const asked of [english, korean]) {
      const card = inThread(h, asked.ts).at(-1) ?? h.bot().at(-1);
      expect(read(card as StandInMessage)).toContain(
        `Promote *payments* \`${staging.version}\` from *staging* to *prod*?`,
      );
    }
  });

  it('promotes each service named, never silently fewer, with the source kept out of the targets', async () => {
    // Prepare
    h = await harness();

    // Act
    const asked = mention('promote web and api from staging to prod');
    await h.sendAndSettle(asked.event);

    // Assess: one card each, both from staging to prod
    const cards = h
      .bot()
      .map(read)
      .filter((t) => t.includes('Confirm: promote'));
    expect(cards).toHaveLength(2);
    expect(cards.some((t) => /Promote \*web\* `[^`]+` from \*staging\* to \*prod\*/.test(t))).toBe(true);
    expect(cards.some((t) => /Promote \*api\* `[^`]+` from \*staging\* to \*prod\*/.test(t))).toBe(true);
  });

  it('deploys the image its card showed, even when staging moves on before Confirm', async () => {
    // Prepare: the card, then staging deploys another version before anyone confirms
    h = await harness();
    const shown = await h.sandbox.images.find('web', 'staging', (await runs(h, 'web', 'staging')).version);
    const card = (await slash(h, 'promote web prod')).ack as StandInMessage;
    const [newest] = await h.sandbox.images.newest('web', 'staging', 1);
    await h.sandbox.deployments.start({
      service: 'web',
      environment: 'staging',
      version: newest?.tag as string,
      requestedBy: ALICE,
    });
    await h.advance(30 * 60_000);

    // Act
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    await h.advance(30 * 60_000);

    // Assess
    expect((await runs(h, 'web', 'prod')).image.endsWith(`@${shown?.digest}`)).toBe(true);
  });

  it('refuses what is not a promotion: into the first environment, backwards, and what already runs there', async () => {
    // Prepare
    h = await harness();

    // Act
    const first = (await slash(h, 'promote web dev')).ack as StandInMessage;
    const backwards = (await slash(h, 'promote web from prod to staging')).ack as StandInMessage;
    const card = (await slash(h, 'promote web prod')).ack as StandInMessage;
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    await h.advance(30 * 60_000);
    const again = (await slash(h, 'promote web prod')).ack as StandInMessage;

    // Assess
    expect(read(first)).toContain(
      '*dev* is the first environment images reach, so there is nothing to promote into it.',
    );
    expect(read(backwards)).toContain('*prod* comes after *staging*: a promotion moves an image forward, never back.');
    expect(read(backwards)).toContain('/deploy promote web from staging to prod');
    expect(read(again)).toContain('*prod* already runs the image *staging* runs');
    expect(h.bot().filter((m) => unescaped(m.text).includes('the promotion of web'))).toHaveLength(1);
  });

  it('warns on the card about a version staging never ran, a failing pipeline, a downgrade and skipped releases', async () => {
    // Prepare: at most two releases may be skipped
    h = await harness({}, withRails('skippedReleases: { max: 2, action: warn }'));
    const prod = await runs(h, 'web', 'prod');
    const older = (await h.sandbox.images.newest('web', 'prod', 500)).find(
      (i) => i.tag !== undefined && i.tag !== 'latest' && i.tag < prod.version && i.tag.startsWith('v1.1.'),
    );

    // Act
    const [tagged] = (await h.sandbox.images.newest('web', 'prod', 2)).filter((i) => i.tag !== 'latest');
    const skip = (await slash(h, `web prod ${tagged?.tag}`)).ack as StandInMessage;
    const down = (await slash(h, `web prod ${older?.tag}`)).ack as StandInMessage;
    const back = (await slash(h, `rollback web prod ${older?.tag}`)).ack as StandInMessage;

    // Assess
    expect(read(skip)).toContain(`:warning: \`${tagged?.tag}\` never ran in *staging*, the environment before *prod*.`);
    expect(read(skip)).toMatch(/:warning: It skips \*\d+ releases\* between `v[\d.]+` and `v[\d.]+` \(more than 2\)\./);
    expect(read(skip)).toContain(':warning: Its pipeline *web-pipeline* is failing at *Build*.');
    expect(read(down)).toContain(
      `:warning: \`${older?.tag}\` is older than \`${prod.version}\`, which runs now: a downgrade`,
    );
    expect(read(down)).toMatch(/Takes out \*\d+ changes\* made since/);
    // A rollback says what it takes out, and passes the guard rails
    expect(read(back)).toMatch(/Takes out \*\d+ changes\* made since/);
    expect(read(back)).not.toContain('downgrade');
    expect(read(back)).not.toContain('never ran in');
  });

  it('refuses where a guard rail is set to refuse: a version staging never ran, a build from another branch', async () => {
    // Prepare: prod refuses untested versions and builds from any branch but main; a hotfix built from a branch
    h = await harness({}, withRails('untested: refuse\npipelineFailing: off\nbranch: { name: main, action: refuse }'));
    const [newest] = (await h.sandbox.images.newest('web', 'prod', 2)).filter((i) => i.tag !== 'latest');
    h.sandbox.images.push('web', 'v9.0.0-hotfix', { branch: 'hotfix/checkout' });

    // Act
    const untested = (await slash(h, `web prod ${newest?.tag}`)).ack as StandInMessage;
    const staging = (await slash(h, 'web staging v9.0.0-hotfix')).ack as StandInMessage;
    await h.sendAndSettle(click(h, staging, 'opsbot.confirm'));
    await h.advance(30 * 60_000);
    const branch = (await slash(h, 'promote web prod')).ack as StandInMessage;

    // Assess: refused, saying which rule and where it is set; nothing deployed to prod
    expect(read(untested)).toContain(
      `Nothing was deployed: \`${newest?.tag}\` never ran in *staging*, the environment before *prod*.`,
    );
    expect(read(untested)).toContain('environments.prod.guardRails');
    expect(read(branch)).toContain('`v9.0.0-hotfix` was built from `hotfix/checkout`, not `main`.');
    expect(h.bot().some((m) => unescaped(m.text).includes('to prod has started'))).toBe(false);
    const refusals = (await h.deps.worker.ports.audit.list({ since: 0 })).filter((r) => r.outcome === 'refused');
    expect(refusals.map((r) => r.reason)).toEqual(expect.arrayContaining(['guard-rail:untested', 'guard-rail:branch']));
  });

  it('checks the guard rails again at Confirm: a pipeline that failed since the card refuses it', async () => {
    // Prepare: prod refuses while a pipeline fails; api's pipeline is green when the card is shown
    h = await harness({}, withRails('pipelineFailing: refuse'));
    const card = (await slash(h, 'promote api prod')).ack as StandInMessage;
    const shown = read(card);
    h.sandbox.pipelines.run('api-pipeline', 'fail');

    // Act
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));

    // Assess
    expect(shown).toContain('Promote *api*');
    const answer = h.bot().map(read).join('\n');
    expect(answer).toContain('Nothing was deployed: Its pipeline *api-pipeline* is failing at *Build*.');
    expect(answer).not.toContain('the promotion of api');
  });

  it('promotes a moving tag by its image: prod on `latest` takes the newer `latest` staging runs', async () => {
    // Prepare: prod and staging both run `latest`, each pinned to the image the tag named when it was deployed
    h = await harness();
    const older = await h.sandbox.images.find('web', 'prod', 'latest');
    await h.sandbox.deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'latest',
      digest: older?.digest as string,
      requestedBy: ALICE,
    });
    const newer = h.sandbox.images.push('web', 'latest');
    await h.sandbox.deployments.start({
      service: 'web',
      environment: 'staging',
      version: 'latest',
      digest: newer.digest,
      requestedBy: ALICE,
    });
    await h.advance(30 * 60_000);

    // Act
    const card = (await slash(h, 'promote web prod')).ack as StandInMessage;
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    await h.advance(30 * 60_000);

    // Assess
    expect((await runs(h, 'web', 'prod')).image.endsWith(`@${newer.digest}`)).toBe(true);
  });

  it('lists every change in the deploy’s thread when its card had room for the newest five only', async () => {
    // Prepare: a version well ahead of what staging runs
    h = await harness();
    const [tagged] = (await h.sandbox.images.newest('web', 'staging', 2)).filter((i) => i.tag !== 'latest');

    // Act
    const card = (await slash(h, `web staging ${tagged?.tag}`)).ack as StandInMessage;
    const shown = read(card);
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    const live = h
      .bot()
      .find((m) => m.thread_ts === undefined && !m.ephemeral && m.text.startsWith('web ')) as StandInMessage;

    // Assess: the card shows five and says where the rest are; the thread lists them all
    const total = Number(/\*(\d+) changes\* since/.exec(shown)?.[1]);
    expect(total).toBeGreaterThan(5);
    expect(shown).toContain(`and ${total - 5} more, listed in the deploy’s thread once it starts`);
    const listed = inThread(h, live.ts)
      .map(read)
      .find((t) => t.includes(`All *${total} changes*`));
    expect(listed?.match(/• </g)?.length).toBe(total);
  });

  it('says on a rollback’s card what going back takes out, to the version before the last deploy', async () => {
    // Prepare: a deploy to staging that succeeded
    h = await harness();
    const before = (await runs(h, 'web', 'staging')).version;
    const [tagged] = (await h.sandbox.images.newest('web', 'staging', 2)).filter((i) => i.tag !== 'latest');
    const card = (await slash(h, `web staging ${tagged?.tag}`)).ack as StandInMessage;
    await h.sendAndSettle(click(h, card, 'opsbot.confirm'));
    await h.advance(30 * 60_000);

    // Act
    const back = (await slash(h, 'rollback web staging')).ack as StandInMessage;

    // Assess
    expect(read(back)).toContain(`Back to \`${before}\`, what ran before the last deploy.`);
    expect(read(back)).toMatch(
      new RegExp(`Takes out \\*\\d+ changes\\* made since \`${before.replace(/\./g, '\\.')}\``),
    );
  });

  it('says it cannot tell what changes when no pipeline builds the service, with the commits’ compare link', async () => {
    // Prepare: web has no pipeline configured
    h = await harness({}, EXAMPLE.replace('    pipeline: web-pipeline\n', ''));

    // Act
    const card = (await slash(h, 'promote web prod')).ack as StandInMessage;

    // Assess
    expect(read(card)).toContain(
      'What changes: I can’t tell — *web* has no pipeline configured (`services.web.pipeline`)',
    );
    expect(read(card)).toMatch(/\|Compare the two commits/);
  });
});
