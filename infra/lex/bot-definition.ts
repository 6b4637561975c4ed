import { createHash } from 'node:crypto';
import type { CfnBot } from 'aws-cdk-lib/aws-lex';
import type { IntentDeclaration } from '../../intents/define-intent';
import { type AssistedNluMode, LANGUAGES, type Language, LEX_LOCALES, type LexLocaleId } from '../../intents/languages';

export type { AssistedNluMode, LexLocaleId };

import { type NamedThing, PERIODS, type SlotType, type Vocabulary } from '../../intents/vocabulary';

/** Amazon Lex V2 build-time quotas opsbot's bot must stay within (Lex V2 guide, "Guidelines and quotas"). */
export const LEX_LIMITS = {
  utteranceCharacters: 200,
  utterancesPerIntent: 1500,
  intentsPerLocale: 1000,
  slotTypesPerLocale: 250,
  slotsPerIntent: 100,
  valuesPerSlotType: 10000,
  valueCharacters: 140,
  messageCharacters: 1000,
  nameCharacters: 100,
} as const;

/** Assisted NLU by locale; a locale left out runs Lex's own NLU alone. */
export type AssistedNlu = Readonly<Partial<Record<LexLocaleId, AssistedNluMode>>>;

export interface LexBotLocaleOptions {
  /**
   * Assisted NLU in the locales that name a mode.
   * @default off in every locale
   */
  readonly assistedNlu?: AssistedNlu;
}

const FALLBACK = 'FallbackIntent';

/** Example spans of days for the Period slot, as each language says them. */
const PERIOD_EXAMPLES: Readonly<Record<Language, readonly string[]>> = {
  en: ['3 days', 'next 7 days', '10d', '30 days'],
  ko: ['3일', '다음 7일', '10일간', '30일'],
  es: ['3 días', 'los próximos 7 días', '10 dias', '30 días'],
  de: ['3 tage', 'die nächsten 7 tage', '10 tagen', '30 tage'],
};

/** Example tags for the free-text Version slot: Lex learns the shape and accepts any value (ORIGINAL_VALUE). */
const VERSION_EXAMPLES = ['v1.8.2', '1.4.0', 'v2.0.0-rc.1', 'sha-4f2a9c1', '2024.11.20', 'latest'];

/**
 * A thing's names in a language: its aliases, and in another language than English its words there too. The words
 * are what people of that language call it; its aliases are configured names, typed in any language.
 */
function namesIn(thing: NamedThing, language: Language): string[] {
  return [...thing.aliases, ...(language === 'en' ? [] : (thing.words?.[language] ?? []))];
}

/**
 * Slot type values with their synonyms: each value once, and each synonym only where no value or earlier synonym of
 * the type already says it (the same word for two environments, or `staging` as the Spanish word for `staging`):
 * Lex resolves a word to one value.
 */
function valuesOf(
  entries: ReadonlyArray<{ value: string; synonyms: readonly string[] }>,
): CfnBot.SlotTypeValueProperty[] {
  const taken = new Set(entries.map((e) => e.value.toLowerCase()));
  return entries.map(({ value, synonyms }) => {
    const own = unique(synonyms).filter((s) => !taken.has(s));
    for (const s of own) taken.add(s);
    return { sampleValue: { value }, ...(own.length > 0 && { synonyms: own.map((s) => ({ value: s })) }) };
  });
}

function slotTypeValues(
  type: Exclude<SlotType, 'Version' | 'Period'>,
  vocabulary: Vocabulary,
  language: Language,
): CfnBot.SlotTypeValueProperty[] {
  if (type === 'Pipeline') {
    return valuesOf(
      vocabulary.pipelines.map((p) => {
        const service = vocabulary.services.find((s) => s.name === p.service);
        return {
          value: p.name,
          synonyms: [
            ...namesIn(p, language),
            ...(service === undefined ? [] : [service.name, ...namesIn(service, language)]),
          ],
        };
      }),
    );
  }
  const things =
    type === 'Service'
      ? vocabulary.services
      : type === 'Account'
        ? (vocabulary.accounts ?? [])
        : vocabulary.environments;
  return valuesOf(things.map((t) => ({ value: t.name, synonyms: namesIn(t, language) })));
}

/**
 * A slot type of configured names; none when nothing of that kind is configured (no pipelines, say): a custom slot
 * type needs values to resolve to (Lex V2's model refuses an empty list), so it is left out with the slots that use it.
 */
function configuredSlotType(
  type: Exclude<SlotType, 'Version' | 'Period'>,
  vocabulary: Vocabulary,
  language: Language,
): CfnBot.SlotTypeProperty | undefined {
  const values = slotTypeValues(type, vocabulary, language);
  if (values.length === 0) return undefined;
  return {
    name: type,
    description: `Configured ${type.toLowerCase()} names and their aliases`,
    valueSelectionSetting: { resolutionStrategy: 'TOP_RESOLUTION' },
    slotTypeValues: values,
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.toLowerCase()))];
}

function plainText(value: string): CfnBot.PromptSpecificationProperty {
  return {
    messageGroupsList: [{ message: { plainTextMessage: { value: value.replace(/`/g, '') } } }],
    maxRetries: 2,
    allowInterrupt: true,
  };
}

/**
 * The Lex V2 locale of one language, built from opsbot's intent declarations and the configured names: each intent
 * with its sample utterances in that language (`utterances` in English, `languages[language]` otherwise) and its slots
 * (prompts from the declarations, in English), slot types whose values are the configured names, with their aliases
 * and their words in that language as synonyms, and the built-in fallback. One source for Lex and the local matcher.
 *
 * Every slot type is custom (Version too: `AMAZON.AlphaNumeric` is not in every locale, ko_KR's among them), so each
 * locale has the same slots.
 */
export function lexBotLocale(
  intents: readonly IntentDeclaration[],
  vocabulary: Vocabulary,
  language: Language = 'en',
  assistedNlu?: AssistedNluMode,
): CfnBot.BotLocaleProperty {
  const usedTypes = new Set(intents.flatMap((i) => Object.values(i.slots).map((s) => s.type)));
  const slotTypes: CfnBot.SlotTypeProperty[] = [...usedTypes].flatMap((type) => {
    const slotType =
      type === 'Period'
        ? {
            name: 'Period',
            description: 'A span of time as people say it: today, tomorrow, this week, next month, the next 3 days',
            // The words as said: opsbot's resolver reads them (a number of days is any number).
            valueSelectionSetting: { resolutionStrategy: 'ORIGINAL_VALUE' },
            slotTypeValues: valuesOf([
              ...PERIODS.map((p) => ({ value: p.name.replace('-', ' '), synonyms: namesIn(p, language) })),
              ...PERIOD_EXAMPLES[language].map((value) => ({ value, synonyms: [] })),
            ]),
          }
        : type === 'Version'
          ? {
              name: 'Version',
              description: 'An image tag, as typed',
              valueSelectionSetting: { resolutionStrategy: 'ORIGINAL_VALUE' },
              slotTypeValues: VERSION_EXAMPLES.map((value) => ({ sampleValue: { value } })),
            }
          : configuredSlotType(type, vocabulary, language);
    return slotType === undefined ? [] : [slotType];
  });
  const defined = new Set(slotTypes.map((t) => t.name));
  const lexIntents: CfnBot.IntentProperty[] = intents
    .filter((i) => i.name !== FALLBACK)
    .map((intent) => {
      // A slot whose type has nothing configured is left out, and so are the utterances that name it.
      const slots = Object.entries(intent.slots).filter(([, declaration]) => defined.has(declaration.type));
      const kept = new Set(slots.map(([name]) => name));
      const said = language === 'en' ? intent.utterances : (intent.languages?.[language] ?? []);
      const utterances = said.filter((u) => [...u.matchAll(/\{(\w+)\}/g)].every((m) => kept.has(m[1] as string)));
      return {
        name: intent.name,
        description: intent.description,
        sampleUtterances: utterances.map((utterance) => ({ utterance })),
        ...(slots.length > 0 && {
          slots: slots.map(([name, declaration]) => ({
            name,
            slotTypeName: declaration.type,
            valueElicitationSetting: {
              slotConstraint: declaration.required === true ? 'Required' : 'Optional',
              promptSpecification: plainText(declaration.prompt),
            },
          })),
          slotPriorities: slots.map(([name], i) => ({ priority: i + 1, slotName: name })),
        }),
      };
    });
  lexIntents.push({
    name: FALLBACK,
    description: 'Anything opsbot does not understand',
    parentIntentSignature: 'AMAZON.FallbackIntent',
  });
  return {
    localeId: LEX_LOCALES[language],
    nluConfidenceThreshold: 0.4,
    ...(assistedNlu !== undefined && {
      generativeAiSettings: {
        runtimeSettings: { nluImprovementSpecification: { enabled: true, assistedNluMode: assistedNlu } },
      },
    }),
    slotTypes,
    intents: lexIntents,
  };
}

/**
 * Every locale of opsbot's bot, one per language it understands: en_US, ko_KR, es_ES, de_DE ({@link lexBotLocale}),
 * each with Assisted NLU where `options.assistedNlu` names a mode for it.
 * @example
 * const locales = lexBotLocales(declarations, vocabularyOf(config), { assistedNlu: { ko_KR: 'Fallback' } });
 */
export function lexBotLocales(
  intents: readonly IntentDeclaration[],
  vocabulary: Vocabulary,
  options: LexBotLocaleOptions = {},
): CfnBot.BotLocaleProperty[] {
  return LANGUAGES.map((language) =>
    lexBotLocale(intents, vocabulary, language, options.assistedNlu?.[LEX_LOCALES[language]]),
  );
}

/** A short hash of the locales, so a changed definition makes a new bot version. */
export function definitionHash(locales: CfnBot.BotLocaleProperty | readonly CfnBot.BotLocaleProperty[]): string {
  return createHash('sha256').update(JSON.stringify(locales)).digest('hex').slice(0, 12);
}
