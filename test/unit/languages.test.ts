import { intents as definitions } from '../../intents';
import { placeholdersOf } from '../../intents/define-intent';
import { OTHER_LANGUAGES } from '../../intents/languages';
import { inEveryLanguage } from '../../intents/utterances-by-language';
import { ENVIRONMENT_WORDS, PERIODS, type Vocabulary, withLanguageWords } from '../../intents/vocabulary';

/** The intents with their sample utterances in every language, as the Lex bot and the worker read them. */
const intents = inEveryLanguage(definitions);

/** Lex V2's longest sample utterance (LEX_LIMITS.utteranceCharacters). */
const UTTERANCE_CHARACTERS = 200;

const withUtterances = intents.filter((i) => i.utterances.length > 0);

/** How the registry tells two utterances apart: case and spacing aside. */
const key = (utterance: string): string => utterance.trim().toLowerCase().replace(/\s+/g, ' ');

describe('the sample utterances in Korean, Spanish and German', () => {
  it('are declared by every intent that has English utterances', () => {
    // Prepare
    const missing: string[] = [];

    // Act
    for (const intent of withUtterances) {
      for (const language of OTHER_LANGUAGES) {
        if ((intent.languages?.[language] ?? []).length < 15) missing.push(`${intent.name} (${language})`);
      }
    }

    // Assess
    expect(withUtterances.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it('use only slots their intent declares, each at most once, within Lex’s length', () => {
    // Prepare
    const wrong: string[] = [];

    // Act
    for (const intent of withUtterances) {
      for (const language of OTHER_LANGUAGES) {
        for (const utterance of intent.languages?.[language] ?? []) {
          const slots = placeholdersOf(utterance);
          const undeclared = slots.filter((slot) => !(slot in intent.slots));
          if (undeclared.length > 0) wrong.push(`${intent.name} (${language}) "${utterance}": {${undeclared}}`);
          if (new Set(slots).size !== slots.length)
            wrong.push(`${intent.name} (${language}) "${utterance}": a slot twice`);
          if ([...utterance].length > UTTERANCE_CHARACTERS)
            wrong.push(`${intent.name} (${language}) "${utterance}": long`);
          if (utterance !== utterance.trim() || utterance.includes('  '))
            wrong.push(`${intent.name} "${utterance}": spacing`);
        }
      }
    }

    // Assess
    expect(wrong).toEqual([]);
  });

  it('cover the slots their English utterances cover, and the intent without them', () => {
    // Prepare
    const gaps: string[] = [];

    // Act
    for (const intent of withUtterances) {
      const english = new Set(intent.utterances.flatMap(placeholdersOf));
      const englishBare = intent.utterances.some((u) => placeholdersOf(u).length === 0);
      for (const language of OTHER_LANGUAGES) {
        const said = intent.languages?.[language] ?? [];
        const covered = new Set(said.flatMap(placeholdersOf));
        for (const slot of english) if (!covered.has(slot)) gaps.push(`${intent.name} (${language}): no {${slot}}`);
        if (englishBare && !said.some((u) => placeholdersOf(u).length === 0)) {
          gaps.push(`${intent.name} (${language}): none without a slot`);
        }
      }
    }

    // Assess
    expect(gaps).toEqual([]);
  });

  it('are each claimed once, across intents and languages, English included', () => {
    // Prepare
    const claimed = new Map<string, string>();
    const twice: string[] = [];

    // Act
    for (const intent of intents) {
      const all = [
        ...intent.utterances.map((u) => ['en', u] as const),
        ...OTHER_LANGUAGES.flatMap((l) => (intent.languages?.[l] ?? []).map((u) => [l, u] as const)),
      ];
      for (const [language, utterance] of all) {
        const owner = claimed.get(key(utterance));
        if (owner !== undefined) twice.push(`"${utterance}": ${owner} and ${intent.name} (${language})`);
        claimed.set(key(utterance), `${intent.name} (${language})`);
      }
    }

    // Assess
    expect(twice).toEqual([]);
  });
});

describe('the words of names in the other languages', () => {
  it('give every period its words in each language', () => {
    for (const period of PERIODS) {
      for (const language of OTHER_LANGUAGES) expect(period.words?.[language]?.length).toBeGreaterThan(0);
    }
  });

  it('give well-known environments, by name or alias, their words, and leave the rest as they are', () => {
    // Prepare
    const vocabulary: Vocabulary = {
      services: [{ name: 'web', aliases: [] }],
      environments: [
        { name: 'production', aliases: [] },
        { name: 'qa', aliases: ['stg'] },
        { name: 'sandbox', aliases: [] },
        { name: 'dev', aliases: [], words: { ko: ['데브'] } },
      ],
      pipelines: [],
    };

    // Act
    const [production, qa, sandbox, dev] = withLanguageWords(vocabulary).environments;

    // Assess
    expect(production?.words).toEqual({
      ko: ['프로덕션', '운영', '상용', '운영계'],
      es: ['producción', 'produccion'],
      de: ['produktion', 'produktiv', 'produktivumgebung'],
    });
    expect(qa?.words?.ko).toEqual(['스테이징', '스테이지']);
    expect(qa?.words?.es).toContain('preproducción');
    expect(sandbox).toEqual({ name: 'sandbox', aliases: [] });
    expect(dev?.words).toEqual({ ko: ['데브', '개발', '개발계'], es: ['desarrollo'], de: ['entwicklung'] });
    expect(withLanguageWords(vocabulary).pipelines).toBe(vocabulary.pipelines);
  });

  it('give services named or aliased by everyday words theirs, unless two services share the word', () => {
    // Prepare
    const vocabulary: Vocabulary = {
      services: [
        { name: 'shop', aliases: ['frontend'] },
        { name: 'billing', aliases: [] },
        { name: 'payments', aliases: [] },
        { name: 'search', aliases: [] },
      ],
      environments: [],
      pipelines: [],
    };

    // Act
    const [shop, billing, payments, search] = withLanguageWords(vocabulary).services;

    // Assess
    expect(shop?.words).toEqual({ ko: ['프론트엔드', '프론트', '프런트엔드'] });
    // 결제 could be either: it names neither.
    expect([billing?.words, payments?.words]).toEqual([undefined, undefined]);
    expect(search).toEqual({ name: 'search', aliases: [] });
  });

  it('name each well-known environment in one group only', () => {
    const names = ENVIRONMENT_WORDS.flatMap((g) => g.names);
    expect(new Set(names).size).toBe(names.length);
  });
});
