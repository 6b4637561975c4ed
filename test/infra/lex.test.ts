import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { vocabularyOf } from '../../bot/vocabulary';
import { LEX_LIMITS, lexBotLocale, lexBotLocales } from '../../infra/lex/bot-definition';
import { opsbotStacks } from '../../infra/opsbot-app';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { intents as definitions } from '../../intents';
import { LANGUAGES, type Language, LEX_LOCALES, OTHER_LANGUAGES, type OtherLanguage } from '../../intents/languages';
import { inEveryLanguage } from '../../intents/utterances-by-language';
import { PERIODS } from '../../intents/vocabulary';
import { TWO_ACCOUNT_DEPLOYS } from '../support/configs';
import { checkLexBot, LEX_LOCALE_RULES } from '../support/published-models';

/** The intents with their sample utterances in every language, as the Lex bot and the worker read them. */
const intents = inEveryLanguage(definitions);

interface LexSlotType {
  Name: string;
  ValueSelectionSetting: { ResolutionStrategy: string };
  SlotTypeValues: Array<{ SampleValue: { Value: string }; Synonyms?: Array<{ Value: string }> }>;
}
interface LexIntent {
  Name: string;
  ParentIntentSignature?: string;
  SampleUtterances?: Array<{ Utterance: string }>;
  Slots?: Array<{
    Name: string;
    SlotTypeName: string;
    ValueElicitationSetting: {
      SlotConstraint: string;
      PromptSpecification: { MessageGroupsList: Array<{ Message: { PlainTextMessage: { Value: string } } }> };
    };
  }>;
}

interface LexLocale {
  LocaleId: string;
  Intents: LexIntent[];
  SlotTypes: LexSlotType[];
  GenerativeAISettings?: {
    RuntimeSettings?: { NluImprovementSpecification?: { Enabled: boolean; AssistedNluMode?: string } };
  };
}

/** The bot's locales, as synthesized, by locale id. */
function localesOf(template: Template): Map<string, LexLocale> {
  const [bot] = Object.values(template.findResources('AWS::Lex::Bot'));
  return new Map(((bot?.Properties.BotLocales ?? []) as LexLocale[]).map((l) => [l.LocaleId, l]));
}

/** The worker's environment variables, as synthesized. */
function workerEnvironment(template: Template): Record<string, unknown> {
  const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
  const [, worker] = functions.find(([id]) => id.startsWith('Worker')) ?? [];
  return (worker?.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
}

const LOCALES: Array<[Language, string]> = LANGUAGES.map((language) => [language, LEX_LOCALES[language]]);
const OTHER_LOCALES: Array<[OtherLanguage, string]> = OTHER_LANGUAGES.map((language) => [
  language,
  LEX_LOCALES[language],
]);

describe('the Lex V2 bot generated from the intent declarations', () => {
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  const vocabulary = vocabularyOf(config);
  const template = Template.fromStack(new OpsbotStack(new App(), 'Opsbot', { config }));
  const locales = localesOf(template);
  const english = locales.get('en_US');
  const lexIntents = english?.Intents ?? [];
  const slotTypes = english?.SlotTypes ?? [];
  const synonymsIn = (locale: LexLocale | undefined, type: string, value: string): string[] =>
    locale?.SlotTypes.find((t) => t.Name === type)
      ?.SlotTypeValues.find((v) => v.SampleValue.Value === value)
      ?.Synonyms?.map((s) => s.Value) ?? [];

  it('has a locale per language: en_US, ko_KR, es_ES and de_DE, English first', () => {
    expect([...locales.keys()]).toEqual(['en_US', 'ko_KR', 'es_ES', 'de_DE']);
  });

  it.each(LOCALES)(
    'gives every declared intent in %s (%s) its sample utterances in that language, and its slots',
    (language, id) => {
      const locale = locales.get(id);
      for (const intent of intents.filter((i) => i.name !== 'FallbackIntent')) {
        const lex = locale?.Intents.find((i) => i.Name === intent.name);
        const utterances = language === 'en' ? intent.utterances : intent.languages?.[language];
        expect(utterances?.length).toBeGreaterThan(0);
        expect(lex?.SampleUtterances?.map((u) => u.Utterance)).toEqual(utterances);
        expect(lex?.Slots?.map((s) => [s.Name, s.SlotTypeName]) ?? []).toEqual(
          Object.entries(intent.slots).map(([n, d]) => [n, d.type]),
        );
      }
      expect(locale?.Intents.find((i) => i.Name === 'FallbackIntent')?.ParentIntentSignature).toBe(
        'AMAZON.FallbackIntent',
      );
    },
  );

  it('has the same slot types in every locale, all of them custom: none is a built-in a locale lacks (ko_KR)', () => {
    const names = (locale: LexLocale | undefined) => locale?.SlotTypes.map((t) => t.Name);
    for (const locale of locales.values()) {
      expect(names(locale)).toEqual(names(english));
      const slotTypeNames = locale.Intents.flatMap((i) => (i.Slots ?? []).map((s) => s.SlotTypeName));
      expect(slotTypeNames.filter((t) => t.startsWith('AMAZON.'))).toEqual([]);
      for (const t of LEX_LOCALE_RULES.missingBuiltInSlotTypes[locale.LocaleId] ?? [])
        expect(slotTypeNames).not.toContain(t);
    }
    expect(LEX_LOCALE_RULES.missingBuiltInSlotTypes.ko_KR).toContain('AMAZON.AlphaNumeric');
    expect(
      locales.get('ko_KR')?.SlotTypes.find((t) => t.Name === 'Version')?.ValueSelectionSetting.ResolutionStrategy,
    ).toBe('ORIGINAL_VALUE');
  });

  it('asks for required slots with the declarations’ prompts', () => {
    const environment = lexIntents.find((i) => i.Name === 'Deploy')?.Slots?.find((s) => s.Name === 'environment');
    expect(environment?.ValueElicitationSetting.SlotConstraint).toBe('Required');
    expect(
      environment?.ValueElicitationSetting.PromptSpecification.MessageGroupsList[0]?.Message.PlainTextMessage.Value,
    ).toBe('Which environment should I deploy to?');
  });

  it('carries every configured name as a slot value and every alias as a synonym', () => {
    const synonyms = (type: string, value: string) => synonymsIn(english, type, value);
    for (const s of vocabulary.services)
      expect(synonyms('Service', s.name)).toEqual(s.aliases.map((a) => a.toLowerCase()));
    for (const e of vocabulary.environments)
      expect(synonyms('Environment', e.name)).toEqual(e.aliases.map((a) => a.toLowerCase()));
    expect(synonyms('Pipeline', 'web-pipeline')).toEqual(['web', 'frontend', 'website']);
    expect(slotTypes.find((t) => t.Name === 'Version')?.ValueSelectionSetting.ResolutionStrategy).toBe(
      'ORIGINAL_VALUE',
    );
  });

  it.each(OTHER_LOCALES)(
    'gives the %s locale (%s) its language’s words as synonyms, beside the configured aliases',
    (language, id) => {
      const locale = locales.get(id);
      for (const e of vocabulary.environments) {
        const synonyms = synonymsIn(locale, 'Environment', e.name);
        expect(synonyms).toEqual(expect.arrayContaining(e.aliases.map((a) => a.toLowerCase())));
        for (const word of e.words?.[language] ?? []) {
          // A word that is already a value (Spanish `staging`) resolves as that value.
          if (word !== e.name) expect(synonyms).toContain(word.toLowerCase());
        }
      }
      expect(synonymsIn(locale, 'Environment', 'prod')).toEqual(
        expect.arrayContaining(
          ({ ko: ['프로덕션', '운영'], es: ['producción'], de: ['produktion'] } as Record<string, string[]>)[
            language
          ] ?? [],
        ),
      );
      for (const p of PERIODS) {
        const synonyms = synonymsIn(locale, 'Period', p.name.replace('-', ' '));
        expect(p.words?.[language]?.length).toBeGreaterThan(0);
        expect(synonyms).toEqual(expect.arrayContaining((p.words?.[language] ?? []).map((w) => w.toLowerCase())));
      }
      // English has none of another language's words.
      expect(synonymsIn(english, 'Environment', 'prod')).not.toContain(
        ({ ko: '프로덕션', es: 'producción', de: 'produktion' } as Record<string, string>)[language],
      );
    },
  );

  it('gives maintenance questions their period, service and account slots: accounts by name or id, periods as said', () => {
    const slots = lexIntents
      .find((i) => i.Name === 'MaintenanceNotices')
      ?.Slots?.map((slot) => [slot.Name, slot.SlotTypeName]);
    expect(slots).toEqual([
      ['period', 'Period'],
      ['service', 'Service'],
      ['account', 'Account'],
    ]);
    const account = slotTypes.find((t) => t.Name === 'Account');
    expect(account?.SlotTypeValues.map((v) => [v.SampleValue.Value, v.Synonyms?.map((x) => x.Value)])).toEqual([
      ['tools', ['111111111111']],
      ['prod', ['222222222222']],
    ]);
    const period = slotTypes.find((t) => t.Name === 'Period');
    expect(period?.ValueSelectionSetting.ResolutionStrategy).toBe('ORIGINAL_VALUE');
    expect(period?.SlotTypeValues.map((v) => v.SampleValue.Value)).toEqual(
      expect.arrayContaining(['today', 'tomorrow', 'this week', 'next month', '3 days']),
    );
  });

  it.each(LOCALES)('has no utterance in %s (%s) naming a slot its intent does not declare', (_, id) => {
    for (const intent of locales.get(id)?.Intents ?? []) {
      const declared = new Set((intent.Slots ?? []).map((s) => s.Name));
      for (const { Utterance } of intent.SampleUtterances ?? []) {
        for (const [, slot] of Utterance.matchAll(/\{(\w+)\}/g))
          expect({ Utterance, slot, declared: declared.has(slot as string) }).toMatchObject({ declared: true });
      }
    }
  });

  it.each(LOCALES)('stays within Lex V2 build-time quotas in %s (%s)', (_, id) => {
    const locale = locales.get(id);
    const localeIntents = locale?.Intents ?? [];
    const localeSlotTypes = locale?.SlotTypes ?? [];
    expect(localeIntents.length).toBeLessThanOrEqual(LEX_LIMITS.intentsPerLocale);
    expect(localeSlotTypes.length).toBeLessThanOrEqual(LEX_LIMITS.slotTypesPerLocale);
    const utterances = localeIntents.flatMap((i) => (i.SampleUtterances ?? []).map((u) => u.Utterance));
    expect(new Set(utterances.map((u) => u.toLowerCase())).size).toBe(utterances.length);
    for (const intent of localeIntents) {
      expect(intent.Name).toMatch(/^[0-9a-zA-Z_-]{1,100}$/);
      expect((intent.SampleUtterances ?? []).length).toBeLessThanOrEqual(LEX_LIMITS.utterancesPerIntent);
      expect((intent.Slots ?? []).length).toBeLessThanOrEqual(LEX_LIMITS.slotsPerIntent);
      for (const slot of intent.Slots ?? []) {
        expect(
          slot.ValueElicitationSetting.PromptSpecification.MessageGroupsList[0]?.Message.PlainTextMessage.Value.length,
        ).toBeLessThanOrEqual(LEX_LIMITS.messageCharacters);
      }
    }
    for (const u of utterances) expect([...u].length).toBeLessThanOrEqual(LEX_LIMITS.utteranceCharacters);
    for (const t of localeSlotTypes) {
      const values = t.SlotTypeValues.flatMap((v) => [v.SampleValue.Value, ...(v.Synonyms ?? []).map((s) => s.Value)]);
      expect(values.length).toBeLessThanOrEqual(LEX_LIMITS.valuesPerSlotType);
      for (const v of values) expect([...v].length).toBeLessThanOrEqual(LEX_LIMITS.valueCharacters);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it('has a version and a live alias of every locale, and lets the worker call RecognizeText on that alias only', () => {
    template.resourceCountIs('AWS::Lex::BotVersion', 1);
    template.hasResourceProperties('AWS::Lex::BotVersion', {
      BotVersionLocaleSpecification: ['en_US', 'ko_KR', 'es_ES', 'de_DE'].map((LocaleId) => ({
        LocaleId,
        BotVersionLocaleDetails: { SourceBotVersion: 'DRAFT' },
      })),
    });
    template.hasResourceProperties('AWS::Lex::BotAlias', {
      BotAliasName: 'live',
      BotAliasLocaleSettings: ['en_US', 'ko_KR', 'es_ES', 'de_DE'].map((LocaleId) => ({
        LocaleId,
        BotAliasLocaleSetting: { Enabled: true },
      })),
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    );
    const lex = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('lex:')));
    expect(lex).toHaveLength(1);
    expect(lex[0]?.Action).toBe('lex:RecognizeText');
    expect(JSON.stringify(lex[0]?.Resource)).toMatch(/:bot-alias\/.*LexBot.*BotAliasId/);
  });

  it('tells the worker the locales to recognise text in, English first', () => {
    const environment = workerEnvironment(template);
    expect(environment.OPSBOT_LEX_LOCALES).toBe('en_US,ko_KR,es_ES,de_DE');
    expect(environment).not.toHaveProperty('OPSBOT_LEX_LOCALE');
  });

  it('runs Lex’s own NLU alone unless Assisted NLU is asked for', () => {
    for (const locale of locales.values()) expect(locale.GenerativeAISettings).toBeUndefined();
  });
});

describe('Assisted NLU in the Lex V2 bot', () => {
  it('is on in the locales that name a mode, with that mode, and off in the others', () => {
    // Prepare
    const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));

    // Act
    const template = Template.fromStack(
      new OpsbotStack(new App(), 'Opsbot', { config, lexAssistedNlu: { ko_KR: 'Fallback', de_DE: 'Primary' } }),
    );

    // Assess
    const settings = [...localesOf(template).values()].map((l) => [l.LocaleId, l.GenerativeAISettings]);
    expect(settings).toEqual([
      ['en_US', undefined],
      ['ko_KR', { RuntimeSettings: { NluImprovementSpecification: { Enabled: true, AssistedNluMode: 'Fallback' } } }],
      ['es_ES', undefined],
      ['de_DE', { RuntimeSettings: { NluImprovementSpecification: { Enabled: true, AssistedNluMode: 'Primary' } } }],
    ]);
    const [bot] = Object.values(template.findResources('AWS::Lex::Bot'));
    expect(checkLexBot(bot?.Properties).violations).toEqual([]);
  });

  it('is set from the configuration, per locale (`lex.assistedNlu`)', () => {
    // Prepare
    const text = `${readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')}\nlex:\n  assistedNlu:\n    ko_KR: Fallback\n`;
    const config = parseConfig(text);

    // Act
    const { home } = opsbotStacks(new App(), config);

    // Assess
    const settings = [...localesOf(Template.fromStack(home)).values()].map((l) => [l.LocaleId, l.GenerativeAISettings]);
    expect(settings.filter(([, s]) => s !== undefined)).toEqual([
      ['ko_KR', { RuntimeSettings: { NluImprovementSpecification: { Enabled: true, AssistedNluMode: 'Fallback' } } }],
    ]);
    expect(() =>
      parseConfig(`${readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')}\nlex:\n  assistedNlu:\n    fr_FR: Primary\n`),
    ).toThrow();
  });

  it('needs no Bedrock permission: Lex runs its own model for it', () => {
    // Prepare
    const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));

    // Act
    const template = Template.fromStack(
      new OpsbotStack(new App(), 'Opsbot', { config, lexAssistedNlu: { en_US: 'Primary' } }),
    );

    // Assess
    const actions = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((s) => [s.Action].flat()),
    );
    expect(actions.filter((a) => a.startsWith('bedrock:'))).toEqual([]);
  });

  it('changes the bot version, so the alias serves the new settings', () => {
    // Prepare
    const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
    const versionOf = (template: Template) => Object.keys(template.findResources('AWS::Lex::BotVersion'));

    // Act
    const off = Template.fromStack(new OpsbotStack(new App(), 'Opsbot', { config }));
    const on = Template.fromStack(
      new OpsbotStack(new App(), 'Opsbot', { config, lexAssistedNlu: { es_ES: 'Primary' } }),
    );

    // Assess
    expect(versionOf(on)).not.toEqual(versionOf(off));
  });

  it('is built per locale by lexBotLocales, from the locale ids the option names', () => {
    // Prepare
    const vocabulary = vocabularyOf(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')));

    // Act
    const locales = lexBotLocales(intents, vocabulary, { assistedNlu: { es_ES: 'Fallback' } });

    // Assess
    expect(locales.map((l) => [l.localeId, l.generativeAiSettings])).toEqual([
      ['en_US', undefined],
      ['ko_KR', undefined],
      ['es_ES', { runtimeSettings: { nluImprovementSpecification: { enabled: true, assistedNluMode: 'Fallback' } } }],
      ['de_DE', undefined],
    ]);
  });
});

describe('the Lex V2 bot of a configuration that names no pipelines', () => {
  it('has no pipeline slot type to resolve to nothing, and no slot or utterance that would name one', () => {
    // Prepare
    const config = parseConfig(TWO_ACCOUNT_DEPLOYS);

    // Act
    const locales = lexBotLocales(intents, vocabularyOf(config));

    // Assess
    const used = intents.flatMap((i) => Object.values(i.slots).map((s) => s.type));
    expect(used).toContain('Pipeline');
    expect(locales).toHaveLength(4);
    for (const locale of locales) {
      expect((locale.slotTypes as Array<{ name: string }>).map((t) => t.name)).not.toContain('Pipeline');
      const lexIntents = (locale.intents ?? []) as Array<{
        name: string;
        slots?: Array<{ slotTypeName: string }>;
        sampleUtterances?: Array<{ utterance: string }>;
      }>;
      expect(lexIntents.flatMap((i) => i.slots ?? []).filter((s) => s.slotTypeName === 'Pipeline')).toEqual([]);
      expect(
        lexIntents.flatMap((i) => i.sampleUtterances ?? []).filter((u) => u.utterance.includes('{pipeline}')),
      ).toEqual([]);
      // The pipeline questions are still understood, without a name: "are the pipelines green?"
      expect(lexIntents.find((i) => i.name === 'PipelineStatus')?.sampleUtterances?.length).toBeGreaterThan(0);
    }
  });

  it('builds one locale on its own too: English by default', () => {
    // Prepare
    const vocabulary = vocabularyOf(parseConfig(TWO_ACCOUNT_DEPLOYS));

    // Act
    const english = lexBotLocale(intents, vocabulary);
    const korean = lexBotLocale(intents, vocabulary, 'ko');

    // Assess
    expect(english.localeId).toBe('en_US');
    expect(korean.localeId).toBe('ko_KR');
  });
});
