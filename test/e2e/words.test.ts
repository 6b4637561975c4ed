import { readFileSync } from 'node:fs';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import { whyFailing } from '../../intents/pipelines/failure-card';
import {
  ALICE,
  BOB,
  confirmDeploy,
  deliver,
  type Harness,
  harness,
  mention,
  slash,
  threadReply,
  unescaped,
} from '../support/harness';

/**
 * Every text a message shows: its notification text and each text of its blocks (mrkdwn and plain), with what is
 * quoted from elsewhere taken out — code spans, links, mentions and names with dots (versions, files) — so what is
 * left is opsbot's own sentences.
 */
function prose(m: StandInMessage): string[] {
  const texts: string[] = [m.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const each of node) walk(each);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.text === 'string') texts.push(o.text);
      for (const value of Object.values(o)) if (typeof value === 'object') walk(value);
    }
  };
  walk(m.blocks ?? []);
  return texts.map((t) =>
    unescaped(t)
      .replace(/`[^`]*`/g, '«code»')
      .replace(/<[^>]*>/g, '«link»')
      .replace(/“[^”]*”/g, '«quote»')
      // An engine's own error text, quoted in parentheses, is AWS's words, not opsbot's.
      .replace(/\([A-Za-z]+Error:[^)]*\)/g, '«aws»')
      .replace(/\S*[./:]\S*[./:]\S*/g, '«name»')
      .replace(/\b(e\.g|i\.e|vs)\./g, '$1'),
  );
}

/** The slips a reader notices, each with the text it was found in. */
function slips(texts: readonly string[], names: ReadonlySet<string> = new Set()): string[] {
  const found: string[] = [];
  // "an" is right before a vowel sound; these start with a consonant sound.
  const consonantSound = /^(?:u(?:s|n(?:i|ique))|one|eu)/i;
  for (const text of texts) {
    for (const match of text.matchAll(/\b(\w{2,})\s+\1\b/gi)) found.push(`doubled "${match[0]}" in: ${text}`);
    if (/\(s\)/.test(text)) found.push(`"(s)" in: ${text}`);
    // A configured name (web, staging) is written as configured, wherever it stands.
    for (const match of text.matchAll(/\w[.!?]\s+([a-z][\w-]*)/g))
      if (!names.has(match[1] as string)) found.push(`lower case after a full stop ("${match[0].trim()}") in: ${text}`);
    for (const match of text.matchAll(/\b[Aa] ([aeiou]\w*)/g))
      if (!consonantSound.test(match[1] as string)) found.push(`"a ${match[1]}" in: ${text}`);
    for (const match of text.matchAll(/\b[Aa]n (\w+)/g)) {
      const word = match[1] as string;
      const vowelSound = /^[aeiou]/i.test(word) ? !consonantSound.test(word) : /^h(?:our|onest)/i.test(word);
      if (!vowelSound) found.push(`"an ${word}" in: ${text}`);
    }
    if (/;\s+[A-Z][a-z]/.test(text)) found.push(`capital after ";" in: ${text}`);
  }
  return found;
}

async function ask(h: Harness, text: string, user = ALICE): Promise<void> {
  await h.sendAndSettle(mention(text, { user }).event);
}

describe('what opsbot writes reads right: no doubled words, no "(s)", capitals after full stops, a/an', () => {
  it('checks every reply of a day on the sandbox: questions, cards, refusals, deploys, alarms, locks, pipelines, digest', async () => {
    // Prepare: approval in prod, so the approval flow is written too
    const config = readFileSync('opsbot.config.example.yaml', 'utf8')
      .replace('approval: false #', 'approval: true #')
      .replace(
        'deployers: everyone # or Slack user and user-group ids; a protected environment must say which',
        `deployers: [${ALICE}, ${BOB}]`,
      );
    const h = await harness({}, config);

    // Act: what a team asks and does in a day, through the real handler
    for (const intent of h.deps.worker.registry.all)
      for (const example of Object.keys(intent.examples ?? {})) await ask(h, example);
    for (const text of [
      'help',
      'deploy wbe to prod',
      'deploy web to prdo',
      'what time is it in London',
      'deploy web',
      'deploy web and api to staging',
    ])
      await ask(h, text);
    const asked = mention('deploy web');
    await h.sendAndSettle(asked.event);
    await h.sendAndSettle(threadReply('staging', asked.ts));
    await h.sendAndSettle(threadReply('never mind', asked.ts));
    for (const command of ['help', 'status', 'pipelines', 'locks', 'locks api prod', 'maintenance', 'nonsense'])
      await slash(h, command);
    // A deploy that succeeds, bakes, and is rolled back by an alarm; one that fails; one that waits for approval
    await confirmDeploy(h, 'web staging v1.8.2');
    await ask(h, 'deploy web to staging', BOB);
    await h.advance(20 * 60_000);
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    await h.advance(20 * 60_000);
    h.sandbox.deployments.failNext('api', 'staging');
    await confirmDeploy(h, 'api staging v1.5.0');
    await h.advance(5 * 60_000);
    await confirmDeploy(h, 'web prod v1.8.2');
    await slash(h, 'web prod v1.8.3', BOB);
    await h.advance(40 * 60_000);
    // Locks, a freeze-free unlock refusal, the history and status
    await slash(h, 'lock payments prod db migration until 17:00');
    await slash(h, 'unlock payments prod', BOB);
    await slash(h, 'locks');
    await slash(h, 'status web');
    await ask(h, 'what did we deploy to staging?');
    // A pipeline that fails and recovers, and the maintenance digest
    await deliver(h, h.sandbox.pipelines.run('api-pipeline', 'fail'));
    await deliver(h, h.sandbox.pipelines.run('api-pipeline', 'succeed'));
    await deliver(h, [
      {
        version: '0',
        id: 'words-digest',
        'detail-type': 'Maintenance Digest',
        source: 'opsbot.scheduler',
        account: 'local',
        time: new Date(h.sandbox.clock.now()).toISOString(),
        region: 'local',
        resources: [],
        detail: {},
      },
    ]);
    const messages = h.standIn.messages.filter((m) => m.from === 'bot');
    const { vocabulary } = h.deps.worker.ports;
    const names = new Set([...vocabulary.services, ...vocabulary.environments].map((n) => n.name));
    await h.close();

    // Assess: a good number of replies of every kind, and not one slip in them
    expect(messages.length).toBeGreaterThan(80);
    expect(slips(messages.flatMap(prose), names)).toEqual([]);
  }, 60_000);

  it.each([
    ['Confirmed. the deploy of web starts', 'lower case after a full stop ("d. the")'],
    ['1 lock(s) on web', '"(s)"'],
    ['the api-pipeline pipeline failed', 'doubled "pipeline pipeline"'],
    ["I don't know a environment called x", '"a environment"'],
    ['You can: reboot it; Or move it', 'capital after ";"'],
    ['an user asked', '"an user"'],
  ])('finds the slip in “%s”: %s (the check itself can fail)', (text, slip) => {
    // Act
    const found = slips([text]);

    // Assess
    expect(found).toEqual([`${slip} in: ${text}`]);
  });

  it('names a pipeline once: “why is api-pipeline failing?”, never “the api-pipeline pipeline”', () => {
    // Act
    const asked = [whyFailing('api-pipeline'), whyFailing('web')];

    // Assess
    expect(asked).toEqual(['why is api-pipeline failing?', 'why is the web pipeline failing?']);
  });
});
