import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { vocabularyOf } from '../../bot/vocabulary';
import { intents } from '../../intents';
import { closest, editDistance, TypoIndex } from '../../intents/matcher/fuzzy';
import { LocalMatcher } from '../../intents/matcher/local-matcher';
import { cleanSlackText } from '../../intents/matcher/normalize';
import { describeShared, SHARED_EXAMPLES } from '../support/fixtures';

interface Labelled {
  text: string;
  intent: string;
  slots: Record<string, string>;
}

const readJsonl = (path: string): Labelled[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Labelled);

const matcher = new LocalMatcher(intents, vocabularyOf(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))));

function score(set: Labelled[]) {
  const misses: string[] = [];
  let intentHits = 0;
  let slotHits = 0;
  for (const row of set) {
    const r = matcher.classify(row.text);
    const intentOk = r.intent === row.intent;
    const slotsOk = JSON.stringify(Object.entries(r.slots).sort()) === JSON.stringify(Object.entries(row.slots).sort());
    if (intentOk) intentHits++;
    if (slotsOk) slotHits++;
    if (!intentOk || !slotsOk) misses.push(`${row.text} → ${r.intent} ${JSON.stringify(r.slots)}`);
  }
  return { intent: intentHits / set.length, slots: slotHits / set.length, misses };
}

/**
 * Team examples labelled before their intent gained a slot: the value the slot now takes. MaintenanceNotices reads
 * the period asked about ("this week") since the maintenance digest issue; the shared file still says no slots.
 */
const RELABELLED: Readonly<Record<string, Record<string, string>>> = {
  'scheduled maintenance this week': { period: 'this-week' },
};

describeShared('the team examples (../shared/examples/nlu-examples.jsonl)', () => {
  it('classifies every example exactly', () => {
    // Act
    const result = score(
      readJsonl(join(SHARED_EXAMPLES, 'nlu-examples.jsonl')).map((row) => ({
        ...row,
        slots: RELABELLED[row.text] ?? row.slots,
      })),
    );

    // Assess
    expect(result.misses).toEqual([]);
  });
});

describe('local matcher on opsbot’s own utterance set (test/nlu/utterances.jsonl)', () => {
  const set = readJsonl(resolve(__dirname, '..', 'nlu', 'utterances.jsonl'));

  it('is a varied set of at least 150 utterances covering every intent', () => {
    expect(set.length).toBeGreaterThanOrEqual(150);
    expect(new Set(set.map((r) => r.intent))).toEqual(new Set(intents.map((i) => i.name)));
  });

  it('reaches at least 95% intent accuracy and 95% exact slot match', () => {
    // Act
    const result = score(set);

    // Assess
    if (result.misses.length > 0) process.stderr.write(`matcher misses:\n  ${result.misses.join('\n  ')}\n`);
    expect(result.intent).toBeGreaterThanOrEqual(0.95);
    expect(result.slots).toBeGreaterThanOrEqual(0.95);
  });
});

describe('local matcher behaviour', () => {
  it.each([
    ['DEPLOY Frontend TO Production', { service: 'web', environment: 'prod' }],
    ['deploy fronted to production', { service: 'web', environment: 'prod' }],
    ['deploy web to prodd', { service: 'web', environment: 'prod' }],
    ['deploy wbe to stg', { service: 'web', environment: 'staging' }],
    ['dpeloy api to dev', { service: 'api', environment: 'dev' }],
    [
      '<@U0OPSBOT01> deploy `payment-service` to <#C0123ABCD|live> :rocket:',
      { service: 'payments', environment: 'prod' },
    ],
    ['deploy api-server v1.2.3-rc.1 to stage.', { service: 'api', environment: 'staging', version: 'v1.2.3-rc.1' }],
  ])('reads "%s" as Deploy with canonical slots', (text, slots) => {
    expect(matcher.classify(text)).toMatchObject({ intent: 'Deploy', slots });
  });

  it.each([
    ['release time! web 2.3.0 to production', '2.3.0'],
    ['copy the frontend dev build over to staging', undefined],
    ['deploy web tag hotfix to staging', 'hotfix'],
  ])('reads a tag after "release" or "build" only when it has a digit: %s', (text, version) => {
    expect(matcher.classify(text).slots.version).toBe(version);
  });

  it.each([
    ['deploy web prod 42', '42'],
    ['lock web prod until 17', undefined],
    ['sperr web prod bis 17 uhr', undefined],
    ['lock web prod until 5 pm', undefined],
  ])('reads a short number as a tag unless it is said as a time: %s', (text, version) => {
    expect(matcher.classify(text).slots.version).toBe(version);
  });

  it('keeps the version tag as written', () => {
    expect(matcher.classify('deploy api V2.0.0-Beta to dev').slots.version).toBe('V2.0.0-Beta');
  });

  it('does not correct ordinary words into names', () => {
    // "state" is one letter from the alias "stage"; "give" from "live".
    expect(matcher.classify('what is the state of the api deploy').slots).toEqual({ service: 'api' });
    const give = matcher.classify('give me the deploy status');
    expect([give.intent, give.slots]).toEqual(['DeployStatus', {}]);
  });

  it('reports an unknown name in a slot’s place, with suggestions', () => {
    // Act
    const result = matcher.classify('deploy paymints-v2 to prod');

    // Assess
    expect(result.intent).toBe('Deploy');
    expect(result.unresolved).toMatchObject({ slot: 'service', type: 'Service', value: 'paymints-v2' });
    expect(result.unresolved?.suggestions).toContain('payments');
  });

  it('returns FallbackIntent for what it cannot place, with no slots', () => {
    for (const text of ['what time is it in London', 'sing me a song', 'prod', '']) {
      const result = matcher.classify(text);
      expect([result.intent, result.slots]).toEqual(['FallbackIntent', {}]);
    }
  });

  it('resolves a pipeline from its service’s names', () => {
    expect(matcher.resolver.resolve('Pipeline', 'frontend')).toBe('web-pipeline');
    expect(matcher.resolver.resolve('Pipeline', 'api pipeline')).toBe('api-pipeline');
    expect(matcher.resolver.resolve('Environment', 'Production')).toBe('prod');
    expect(matcher.resolver.resolve('Service', 'nonsense')).toBeUndefined();
    expect(matcher.resolver.resolve('Version', 'main-4f2a9c1')).toBe('main-4f2a9c1');
    expect(matcher.resolver.resolve('Version', 'help')).toBeUndefined();
  });
});

describe('Slack text cleaning', () => {
  it.each([
    ['<@U0OPSBOT01> deploy *web*', 'deploy web'],
    ['see <#C0123ABCD|general> now', 'see general now'],
    ['<https://example.com/x|the runbook> please', 'the runbook please'],
    ['ship it :rocket: :white_check_mark:', 'ship it'],
    ['<!here> deploy &lt;api&gt; &amp; web', 'deploy <api> & web'],
    ['~old~ _new_ `code`', 'old new code'],
    ['queue_worker stays', 'queue_worker stays'],
  ])('%s → %s', (raw, cleaned) => {
    expect(cleanSlackText(raw, 'U0OPSBOT01')).toBe(cleaned);
  });
});

describe('typo tolerance', () => {
  it('measures swaps as one edit', () => {
    expect(editDistance('deploy', 'dpeloy')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('corrects one typo, but short words only by a swap or an extra letter', () => {
    const index = new TypoIndex(['deploy', 'web', 'dev']);
    expect(index.correct('deplyo')).toBe('deploy');
    expect(index.correct('wbe')).toBe('web');
    expect(index.correct('webb')).toBe('web');
    expect(index.correct('dec')).toBeUndefined();
    expect(index.correct('deploy')).toBeUndefined();
  });

  it('suggests the closest names first', () => {
    expect(closest('paymnts', ['api', 'web', 'payments', 'worker'])).toEqual(['payments']);
    expect(closest('zzz', ['api', 'web'])).toEqual([]);
  });
});

describe('periods and accounts fill slots without choosing the intent', () => {
  it.each([
    ['deploy web to prod today', 'Deploy', { service: 'web', environment: 'prod' }],
    ['deploy web to prod tomorrow', 'Deploy', { service: 'web', environment: 'prod' }],
    ['deploy web 2 days to staging', 'Deploy', { service: 'web', environment: 'staging' }],
    ['deploy web 3d to staging', 'Deploy', { service: 'web', environment: 'staging' }],
    ['deploy web to 222222222222', 'Deploy', { service: 'web' }],
    ['any maintenance in the next 3 days', 'MaintenanceNotices', { period: '3-days' }],
    ['what is scheduled in the next 7 days', 'MaintenanceNotices', { period: '7-days' }],
    ['what happened to api in prod this week?', 'DeployStatus', { service: 'api', environment: 'prod' }],
  ])('"%s" → %s', (text, intent, slots) => {
    const result = matcher.classify(text);
    expect({ intent: result.intent, slots: result.slots, unresolved: result.unresolved }).toEqual({
      intent,
      slots,
      unresolved: undefined,
    });
  });
});
