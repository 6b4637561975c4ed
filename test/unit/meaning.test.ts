import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { vocabularyOf } from '../../bot/vocabulary';
import { declarations } from '../../intents/declarations';
import { languageIdentifier } from '../../intents/matcher/language-id';
import { MeaningReader } from '../../intents/matcher/meaning-reader';
import { readMessage, understandingFor } from '../../intents/matcher/worker-understanding';
import { readLabelled, scoreSet } from '../nlu/eval';

const understanding = understandingFor(
  declarations,
  vocabularyOf(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))),
);
const read = (text: string) => readMessage(understanding, text);
const ACTIONS = ['Deploy', 'Promote', 'Rollback', 'Lock', 'Unlock'];

describe('meaning before keywords', () => {
  it.each([
    "don't deploy api to prod yet",
    'no need to roll back payments, it recovered',
    'please do not lock web prod',
    'hold off on deploying the frontend',
    'never unlock worker in prod',
    'nobody deploy to prod right now',
  ])('never acts on a negated request: %s', async (text) => {
    // Act
    const reading = await read(text);

    // Assess
    expect(reading.intent).toBe('FallbackIntent');
    expect(reading.mood).toBe('negated');
    expect(ACTIONS).toContain(reading.declined?.intent);
  });

  it.each([
    'what happens if I deploy api to prod?',
    'should we roll back web?',
    'would a rollback of billing cause issues',
    'what if we locked worker in staging',
  ])('never acts on a hypothetical: %s', async (text) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.mood]).toEqual(['FallbackIntent', 'hypothetical']);
  });

  it.each([
    'how do rollbacks work in CodeDeploy?',
    "what's a pipeline anyway?",
    'explain canary deploys',
    'what is a target group',
  ])('answers a question about a concept with help: %s', async (text) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.slots]).toEqual(['Help', {}]);
  });

  it.each([
    ['what did we ship to prod yesterday?', 'DeployStatus', { environment: 'prod' }],
    ['who deployed api last', 'DeployStatus', { service: 'api' }],
    ['was payments rolled back last night?', 'DeployStatus', { service: 'payments' }],
    ['are there locks on worker?', 'LockStatus', { service: 'worker' }],
    ['who locked api in staging', 'LockStatus', { service: 'api', environment: 'staging' }],
  ])('answers a question about the past or the state of things with its status: %s', async (text, intent, slots) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.slots]).toEqual([intent, slots]);
  });

  it.each([
    ['promote web from staging to prod', { service: 'web', environment: 'prod', source: 'staging' }],
    ['promote billing dev to stg', { service: 'payments', environment: 'staging', source: 'dev' }],
    ['promote frontend stg -> prod', { service: 'web', environment: 'prod', source: 'staging' }],
    ['web 스테이징에서 프로덕션으로 배포해줘', { service: 'web', environment: 'prod', source: 'staging' }],
    [
      'copy whatever billing has on stage over to live',
      { service: 'payments', environment: 'prod', source: 'staging' },
    ],
    ['take the backend build from stg to production', { service: 'api', environment: 'prod', source: 'staging' }],
  ])('reads "from X to Y" as a promotion to Y of what X runs, the target in its place: %s', async (text, slots) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.slots]).toEqual(['Promote', slots]);
  });

  it.each([
    ['Promote', 'promote web v1.9.3 to prod', 'Deploy', { service: 'web', environment: 'prod', version: 'v1.9.3' }],
    [
      'Deploy',
      'deploy web from staging to prod',
      'Promote',
      { service: 'web', environment: 'prod', source: 'staging' },
    ],
    ['Deploy', 'deploy web to prod', 'Deploy', { service: 'web', environment: 'prod' }],
  ])('keeps a move’s meaning whoever placed it (Lex said %s): %s', async (placed, text, intent, slots) => {
    // Prepare: Lex's answer, with the slots a Promote or a Deploy has (Lex drops what its intent has no slot for)
    const lex = { text, intent: placed, slots: { service: 'web', environment: 'prod' }, confidence: 0.9 };

    // Act
    const reading = await understanding.meaning.read(lex, { language: 'en' });

    // Assess
    expect([reading.intent, reading.slots]).toEqual([intent, slots]);
  });

  it.each([
    ['deploy web v1.2.3 from staging to prod', { service: 'web', environment: 'prod', version: 'v1.2.3' }],
    ['promote web v1.9.3 to prod', { service: 'web', environment: 'prod', version: 'v1.9.3' }],
  ])('reads a version said with "from X to Y" as a deploy of that version: %s', async (text, slots) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.slots]).toEqual(['Deploy', slots]);
  });

  it.each([
    ['deploy wroker to dev', 'Deploy', { service: 'worker', environment: 'dev' }],
    ['is api locked in stagng', 'LockStatus', { service: 'api', environment: 'staging' }],
  ])(
    'corrects a typo of a name that is also an everyday word or a sample utterance’s: %s',
    async (text, intent, slots) => {
      // Act
      const reading = await read(text);

      // Assess
      expect([reading.intent, reading.slots]).toEqual([intent, slots]);
    },
  );

  it.each([
    'wait do NOT deploy frontend to live',
    'do not deploy v2.1.0-rc.1 anywhere',
    'avoid deploying worker to prod until monday',
  ])('declines a negated action even where its other words read as something else: %s', async (text) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.mood, reading.declined?.intent]).toEqual(['FallbackIntent', 'negated', 'Deploy']);
    expect(reading.declined?.slots.service ?? reading.declined?.slots.version).toBeDefined();
  });

  it.each(['eli5 rolling deployments', 'what is staging even for?'])(
    'answers a question about a concept with help, a name in it or a digit in "eli5": %s',
    async (text) => {
      // Act
      const reading = await read(text);

      // Assess
      expect([reading.intent, reading.mood]).toEqual(['Help', 'conceptual']);
    },
  );

  it.each([
    ['please lock web prod, release freeze for black friday', 'Lock', { service: 'web', environment: 'prod' }],
    ['lock all of prod, incident in progress', 'Lock', { environment: 'prod' }],
    ['lock worker prod reason kafka upgrade', 'Lock', { service: 'worker', environment: 'prod' }],
    ['freeze deploys to web prod until 3pm', 'Lock', { service: 'web', environment: 'prod' }],
    ['unlock api staging - migration finished', 'Unlock', { service: 'api', environment: 'staging' }],
  ])('reads an action by its verb and names, whatever reason follows them: %s', async (text, intent, slots) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.slots, reading.mood]).toEqual([intent, slots, 'request']);
  });

  it.each([
    ['web stg -> prod', 'Promote', { service: 'web', environment: 'prod', source: 'staging' }],
    ['jobs: dev => stg pls', 'Promote', { service: 'worker', environment: 'staging', source: 'dev' }],
    ['to prod with web v1.4.0 please', 'Deploy', { service: 'web', environment: 'prod', version: 'v1.4.0' }],
    [
      'hey bot, need jobs on staging with 1.4.7',
      'Deploy',
      { service: 'worker', environment: 'staging', version: '1.4.7' },
    ],
  ])(
    'asks back a service sent somewhere without a verb (a promotion where it says from where): %s',
    async (text, intent, slots) => {
      // Act
      const reading = await read(text);

      // Assess
      expect([reading.intent, reading.slots, reading.uncertain]).toEqual([intent, slots, true]);
    },
  );

  it.each([
    ['pls put a freeze on payments prod for the release window', 'Lock', { service: 'payments', environment: 'prod' }],
    ['deploys to stage can resume, unlock it', 'Unlock', { environment: 'staging' }],
  ])('reads the request, not its reason, and a request said after a comma: %s', async (text, intent, slots) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.slots]).toEqual([intent, slots]);
  });

  it.each([
    ["what's on prod rn", 'DeployStatus', { environment: 'prod' }],
    ['is worker out on prod yet?', 'DeployStatus', { service: 'worker', environment: 'prod' }],
    ['why cant i deploy web to prod', 'LockStatus', { service: 'web', environment: 'prod' }],
    ['was prod frozen over the weekend?', 'LockStatus', { environment: 'prod' }],
    ["who's got the lock on api", 'LockStatus', { service: 'api' }],
    ['wie ist der status der api-pipeline?', 'PipelineStatus', { pipeline: 'api-pipeline' }],
    ['다음 달에 인스턴스 폐기 예정 있어?', 'MaintenanceNotices', { period: 'next-month' }],
    ['why did the api pipeline break on tuesday', 'PipelineStatus', { pipeline: 'api-pipeline' }],
    ['누가 payments 잠궜어?', 'LockStatus', { service: 'payments' }],
    ['지금 prod lock 걸려있는지 check 좀', 'LockStatus', { environment: 'prod' }],
  ])('answers a question said loosely with its status: %s', async (text, intent, slots) => {
    // Act
    const reading = await read(text);

    // Assess: nothing in it is taken for a name opsbot does not know ("got", "weekend").
    expect([reading.intent, reading.slots, reading.unresolved, reading.unsupportedLanguage]).toEqual([
      intent,
      slots,
      undefined,
      undefined,
    ]);
  });

  it.each(['how are rollbacks handled by the bot?', 'whats blue/green'])(
    'answers a question about a concept with help: %s',
    async (text) => {
      // Act
      const reading = await read(text);

      // Assess
      expect(reading.intent).toBe('Help');
    },
  );

  it.each(['no need to check the api pipeline, it’s fine', 'never mind the web deploy status'])(
    'answers nothing asked when told something need not be done: %s',
    async (text) => {
      // Act
      const reading = await read(text);

      // Assess
      expect([reading.intent, reading.mood]).toEqual(['FallbackIntent', 'negated']);
    },
  );

  it('declines "skip the … deploy", an action skipped', async () => {
    // Act
    const reading = await read('skip the api deploy to staging this time');

    // Assess
    expect([reading.intent, reading.mood, reading.declined?.intent]).toEqual(['FallbackIntent', 'negated', 'Deploy']);
  });

  it.each([
    ['pause all deploys to live :no_entry:', 'Lock', { environment: 'prod' }],
    [
      'resume deploys for web on staging, incident is over :tada:',
      'Unlock',
      { service: 'web', environment: 'staging' },
    ],
    ['sperr bitte die deploys für prod bis 17 uhr', 'Lock', { environment: 'prod' }],
  ])('reads a pause or a resume of deploys as a lock or an unlock: %s', async (text, intent, slots) => {
    // Act
    const reading = await read(text);

    // Assess: "17" in "bis 17 Uhr" is a time, not a version.
    expect([reading.intent, reading.slots]).toEqual([intent, slots]);
  });

  it.each([
    ['how do pipelines relate to deploys', 'Help', {}],
    ['왜 payments 배포가 안 되지?', 'LockStatus', { service: 'payments' }],
    ['왜 api 운영에 배포가 안 돼?', 'LockStatus', { service: 'api', environment: 'prod' }],
    [
      'warum kann ich billing nicht auf staging deployen?',
      'LockStatus',
      { service: 'payments', environment: 'staging' },
    ],
    ['aws maintenence tomorow?', 'MaintenanceNotices', { period: 'tomorrow' }],
  ])(
    'answers how things relate with help, and why a deploy will not go with the locks: %s',
    async (text, intent, slots) => {
      // Act
      const reading = await read(text);

      // Assess
      expect([reading.intent, reading.slots]).toEqual([intent, slots]);
    },
  );

  it('reads "skip …" before a request as part of it, not as a negation', async () => {
    // Act
    const reading = await read('skip the canary and deploy api to prod');

    // Assess
    expect([reading.intent, reading.mood]).toEqual(['Deploy', 'request']);
  });

  it('never offers a deploy for a message that says something else of a service', async () => {
    // Act
    const reading = await read('api prod 5xx errors spiking');

    // Assess
    expect(reading.intent).toBe('FallbackIntent');
  });

  it('asks back an action placed by its names alone, as a sample utterance without a verb', async () => {
    // Act
    const reading = await read('web prod v1.2.3');

    // Assess
    expect([reading.intent, reading.uncertain]).toEqual(['Deploy', true]);
  });

  it('answers a verbless question about a service and a version with its status, never a deploy', async () => {
    // Act
    const reading = await read('is web 1.2.0 on prod?');

    // Assess
    expect([reading.intent, reading.mood]).toEqual(['DeployStatus', 'question']);
  });

  it.each([
    ['rolbak api in prod', { service: 'api', environment: 'prod' }],
    ['rolbck payments in staging', { service: 'payments', environment: 'staging' }],
  ])('asks back an action whose verb lost two letters: %s', async (text, slots) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.slots, reading.uncertain]).toEqual(['Rollback', slots, true]);
  });

  it('reads a name one typo from two of its spellings (production, Produktion) as that name', async () => {
    // Act
    const reading = await read('whats deployd in prodution');

    // Assess
    expect([reading.intent, reading.slots]).toEqual(['DeployStatus', { environment: 'prod' }]);
  });

  it('never reads an everyday word two letters from a keyword of another language as that keyword', async () => {
    // Act: "waiting" is two letters from German "wartung" (maintenance).
    const reading = await read('is traffic shifted yet on the web prod deploy or still waiting');

    // Assess
    expect([reading.intent, reading.slots]).toEqual(['DeployStatus', { service: 'web', environment: 'prod' }]);
  });

  it('asks back before acting on an action read through a typo', async () => {
    // Act
    const reading = await read('roll bak api prod');

    // Assess
    expect([reading.intent, reading.slots, reading.uncertain]).toEqual([
      'Rollback',
      { service: 'api', environment: 'prod' },
      true,
    ]);
  });
});

describe('when the English reader cannot be loaded', () => {
  it('asks back before any English action rather than risk acting on a negated one', async () => {
    // Prepare
    const matcher = understanding.matcher;
    const meaning = new MeaningReader(declarations, (word) => matcher.namesAnything(word), {
      identifier: languageIdentifier,
      english: () => Promise.reject(new Error('chunk missing')),
    });

    // Act
    const text = "don't deploy api to prod yet";
    const reading = await meaning.read(matcher.classify(text), await meaning.language(text));

    // Assess
    expect([reading.intent, reading.uncertain]).toEqual(['Deploy', true]);
  });
});

describe('languages', () => {
  it.each([
    ['api를 prod에 배포해줘', 'ko', 'Deploy', { service: 'api', environment: 'prod' }],
    ['web 프로덕션 롤백해줘', 'ko', 'Rollback', { service: 'web', environment: 'prod' }],
    ['api deploy 해줘 스테이징에', 'ko', 'Deploy', { service: 'api', environment: 'staging' }],
    [
      'despliega payments v1.2.0 en producción',
      'es',
      'Deploy',
      { service: 'payments', environment: 'prod', version: 'v1.2.0' },
    ],
    ['¿qué versión de web está en staging?', 'es', 'DeployStatus', { service: 'web', environment: 'staging' }],
    ['sperre worker in produktion', 'de', 'Lock', { service: 'worker', environment: 'prod' }],
    ['welche Version von api läuft auf prod?', 'de', 'DeployStatus', { service: 'api', environment: 'prod' }],
    ['다음 7일 동안 AWS 점검 있어?', 'ko', 'MaintenanceNotices', { period: '7-days' }],
    ['¿hay mantenimiento de AWS los próximos 3 días?', 'es', 'MaintenanceNotices', { period: '3-days' }],
    ['gibt es AWS Wartung in den nächsten 10 Tagen?', 'de', 'MaintenanceNotices', { period: '10-days' }],
    ['gibt es nächste Woche AWS-Wartungen?', 'de', 'MaintenanceNotices', { period: 'next-week' }],
    ['haz rollback del worker en dev', 'es', 'Rollback', { service: 'worker', environment: 'dev' }],
    ['¿cómo va el pipeline de web?', 'es', 'PipelineStatus', { pipeline: 'web-pipeline' }],
    ['프론트엔드 운영 배포 되돌려줘', 'ko', 'Rollback', { service: 'web', environment: 'prod' }],
  ])('understands %s (%s), names included', async (text, language, intent, slots) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.language, reading.intent, reading.slots]).toEqual([language, intent, slots]);
  });

  it.each([
    ['api 배포하지 마', 'ko'],
    ['no despliegues api todavía', 'es'],
    ['bitte api noch nicht deployen', 'de'],
  ])('never acts on a negated request in %s', async (text, language) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.language, reading.intent, reading.mood]).toEqual([language, 'FallbackIntent', 'negated']);
  });

  it.each([
    ['worker 잠금 안 풀어도 돼요', 'negated'],
    ['is it worth rolling back worker or just hotfixing', 'hypothetical'],
    ['do you think we should revert backend on stg', 'hypothetical'],
  ])('never acts on %s', async (text, mood) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.mood]).toEqual(['FallbackIntent', mood]);
  });

  it.each([
    ["what's an image tag vs a sha tag", 'Help', {}],
    ["how are locks supposed to be used? i'm new here :wave:", 'Help', {}],
    ['what actually happens during a rolling update', 'Help', {}],
    ['anyone want tacos', 'FallbackIntent', {}],
    ['how does it pick a version if i don’t give one', 'Help', {}],
    ['what happens to a lock when the person who set it goes home', 'Help', {}],
    [
      'get payments back to the last good build on prod, 5xx everywhere',
      'Rollback',
      { service: 'payments', environment: 'prod' },
    ],
  ])('reads %s as what it means, not by an everyday word', async (text, intent, slots) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.slots]).toEqual([intent, slots]);
  });

  it.each([
    ["don't, under any circumstances, deploy web to prod", 'FallbackIntent', 'negated'],
    ["lock web prod because i don't want anyone deploying", 'Lock', 'request'],
    ['hey, why can’t I deploy web to prod', 'LockStatus', 'question'],
    ["why won't the web pipeline start", 'DeployStatus', 'question'],
  ])('reads the mood of the request itself: %s', async (text, intent, mood) => {
    // Act
    const reading = await read(text);

    // Assess
    expect([reading.intent, reading.mood]).toEqual([intent, mood]);
  });

  it.each(['cancel web prod', 'live web prod'])('reads %s as English', async (text) => {
    // Act
    const reading = await read(text);

    // Assess
    expect(reading.language).toBe('en');
  });

  it('asks back a name read as a verb ("live" is prod)', async () => {
    // Act
    const reading = await read('live web prod');

    // Assess
    expect(reading.uncertain).toBe(true);
  });

  it('never acts on a conditional: if payments breaks again would we revert to 2.0.0?', async () => {
    // Act
    const reading = await read('if payments breaks again would we revert to 2.0.0?');

    // Assess
    expect([reading.intent, reading.mood]).toEqual(['FallbackIntent', 'hypothetical']);
  });

  it('never acts on a Spanish hypothetical', async () => {
    // Act
    const reading = await read('¿y si revertimos web en producción?');

    // Assess
    expect([reading.language, reading.intent, reading.mood]).toEqual(['es', 'FallbackIntent', 'hypothetical']);
  });

  it.each([
    ['fais un rollback de payments en production', 'fr'],
    ["api'yi prod'a deploy et", 'tr'],
  ])(
    'says %s is in a language it does not read (%s), though its words are English or Spanish ones',
    async (text, language) => {
      // Act
      const reading = await read(text);

      // Assess
      expect([reading.intent, reading.unsupportedLanguage]).toEqual(['FallbackIntent', language]);
    },
  );

  it('says a message in a language it does not read is one, and places nothing', async () => {
    // Act
    const reading = await read("déploie api en prod s'il te plaît, c'est urgent");

    // Assess
    expect([reading.intent, reading.unsupportedLanguage]).toEqual(['FallbackIntent', 'fr']);
  });
});

describe("opsbot's own evaluation sets (test/nlu/, npm run nlu:eval)", () => {
  it.each([
    ['eval.jsonl', 450, 0.97, 0.98],
    ['eval-fresh.jsonl', 240, 0.99, 0.99],
    ['eval-blind.jsonl', 200, 0.99, 0.99],
    ['eval-heldout.jsonl', 160, 0.99, 0.99],
    ['eval-final.jsonl', 160, 0.99, 0.99],
    ['eval-last.jsonl', 160, 0.99, 0.99],
    ['eval-seventh.jsonl', 160, 0.99, 0.99],
    ['eval-eighth.jsonl', 160, 0.98, 0.98],
    ['eval-promote.jsonl', 90, 0.92, 0.92],
  ])(
    '%s: its %d utterances placed at the figures the README states, no action on a request that was not one',
    async (file, rows, intents, slots) => {
      // Act
      const scored = await scoreSet(readLabelled(join(__dirname, '..', 'nlu', file)));

      // Assess
      expect(scored.rows).toBe(rows);
      expect(scored.intents).toBeGreaterThanOrEqual(intents);
      expect(scored.slots).toBeGreaterThanOrEqual(slots);
      expect(scored.actedOn).toEqual([]);
    },
  );
});
