import { createHash } from 'node:crypto';
import type { CfnBot } from 'aws-cdk-lib/aws-lex';
import type { IntentDeclaration } from '../../intents/define-intent';
import { PERIODS, type SlotType, type Vocabulary } from '../../intents/vocabulary';

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

export const LEX_LOCALE = 'en_US';
const FALLBACK = 'FallbackIntent';

/** Example spans of days for the Period slot. */
const PERIOD_EXAMPLES = ['3 days', 'next 7 days', '10d', '30 days'];

/** Example tags for the free-text Version slot: Lex learns the shape and accepts any value (ORIGINAL_VALUE). */
const VERSION_EXAMPLES = ['v1.8.2', '1.4.0', 'v2.0.0-rc.1', 'sha-4f2a9c1', '2024.11.20', 'latest'];

function slotTypeValues(
  type: Exclude<SlotType, 'Version' | 'Period'>,
  vocabulary: Vocabulary,
): CfnBot.SlotTypeValueProperty[] {
  if (type === 'Pipeline') {
    return vocabulary.pipelines.map((p) => {
      const service = vocabulary.services.find((s) => s.name === p.service);
      const synonyms = [...p.aliases, ...(service === undefined ? [] : [service.name, ...service.aliases])];
      return {
        sampleValue: { value: p.name },
        ...(synonyms.length > 0 && { synonyms: unique(synonyms).map((value) => ({ value })) }),
      };
    });
  }
  const things =
    type === 'Service'
      ? vocabulary.services
      : type === 'Account'
        ? (vocabulary.accounts ?? [])
        : vocabulary.environments;
  return things.map((t) => ({
    sampleValue: { value: t.name },
    ...(t.aliases.length > 0 && { synonyms: unique(t.aliases).map((value) => ({ value })) }),
  }));
}

/**
 * A slot type of configured names; none when nothing of that kind is configured (no pipelines, say): a custom slot
 * type needs values to resolve to (Lex V2's model refuses an empty list), so it is left out with the slots that use it.
 */
function configuredSlotType(
  type: Exclude<SlotType, 'Version' | 'Period'>,
  vocabulary: Vocabulary,
): CfnBot.SlotTypeProperty | undefined {
  const values = slotTypeValues(type, vocabulary);
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
 * The Lex V2 locale built from opsbot's intent declarations and the configured names: each intent with its
 * sample utterances and slots (prompts from the declarations), slot types whose values and synonyms are the
 * configured names and aliases, and the built-in fallback. One source for Lex and the local matcher.
 */
export function lexBotLocale(intents: readonly IntentDeclaration[], vocabulary: Vocabulary): CfnBot.BotLocaleProperty {
  const usedTypes = new Set(intents.flatMap((i) => Object.values(i.slots).map((s) => s.type)));
  const slotTypes: CfnBot.SlotTypeProperty[] = [...usedTypes].flatMap((type) => {
    const slotType =
      type === 'Period'
        ? {
            name: 'Period',
            description: 'A span of time as people say it: today, tomorrow, this week, next month, the next 3 days',
            // The words as said: opsbot's resolver reads them (a number of days is any number).
            valueSelectionSetting: { resolutionStrategy: 'ORIGINAL_VALUE' },
            slotTypeValues: [
              ...PERIODS.map((p) => {
                const synonyms = unique(p.aliases.filter((a) => a !== p.name.replace('-', ' ')));
                return {
                  sampleValue: { value: p.name.replace('-', ' ') },
                  ...(synonyms.length > 0 && { synonyms: synonyms.map((value) => ({ value })) }),
                };
              }),
              ...PERIOD_EXAMPLES.map((value) => ({ sampleValue: { value } })),
            ],
          }
        : type === 'Version'
          ? {
              name: 'Version',
              description: 'An image tag, as typed',
              valueSelectionSetting: { resolutionStrategy: 'ORIGINAL_VALUE' },
              slotTypeValues: VERSION_EXAMPLES.map((value) => ({ sampleValue: { value } })),
            }
          : configuredSlotType(type, vocabulary);
    return slotType === undefined ? [] : [slotType];
  });
  const defined = new Set(slotTypes.map((t) => t.name));
  const lexIntents: CfnBot.IntentProperty[] = intents
    .filter((i) => i.name !== FALLBACK)
    .map((intent) => {
      // A slot whose type has nothing configured is left out, and so are the utterances that name it.
      const slots = Object.entries(intent.slots).filter(([, declaration]) => defined.has(declaration.type));
      const kept = new Set(slots.map(([name]) => name));
      const utterances = intent.utterances.filter((u) =>
        [...u.matchAll(/\{(\w+)\}/g)].every((m) => kept.has(m[1] as string)),
      );
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
  return { localeId: LEX_LOCALE, nluConfidenceThreshold: 0.4, slotTypes, intents: lexIntents };
}

/** A short hash of a locale, so a changed definition makes a new bot version. */
export function definitionHash(locale: CfnBot.BotLocaleProperty): string {
  return createHash('sha256').update(JSON.stringify(locale)).digest('hex').slice(0, 12);
}
