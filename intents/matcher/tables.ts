import type { IntentDeclaration } from '../define-intent';
import { LANGUAGES, type Language, type OtherLanguage } from '../languages';
import type { SlotType } from '../vocabulary';
import { stem, tokenize } from './normalize';

/** The intent the matcher returns when nothing fits. */
export const FALLBACK_INTENT = 'FallbackIntent';

/** Slot types whose values fill slots without weighing on which intent was meant. */
export const SOFT_TYPES: ReadonlySet<SlotType> = new Set<SlotType>(['Period', 'Account']);

/** Words that carry no intent. Question words stay: they tell status questions from commands. */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'the',
  'a',
  'an',
  'to',
  'in',
  'on',
  'of',
  'for',
  'it',
  'me',
  'my',
  'please',
  'pls',
  'can',
  'you',
  'could',
  'would',
  'i',
  'we',
  'our',
  'us',
  'and',
  'at',
  'be',
  'this',
  'that',
  'hey',
  'hi',
  'hello',
  'there',
  'with',
  'opsbot',
  'bot',
  'just',
  'into',
  'onto',
  'from',
  'up',
  'now',
  'right',
  'so',
  'some',
  'thanks',
  'thank',
  'yo',
  'ok',
  'okay',
  'will',
  'should',
  'u',
  'ur',
  'our',
  'your',
  'its',
  'let',
  'lets',
  'go',
  'ahead',
  'out',
  'over',
  'rn',
  'atm',
  'asap',
  'plz',
  'thx',
  'ty',
  'yet',
  'already',
  'want',
  'wanna',
  'need',
  'needs',
  'like',
]);

/**
 * Question and helper words: they tell a status question from a command, but alone they place nothing ("what time
 * is it?" is no status question).
 */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set([
  'what',
  'whats',
  'which',
  'who',
  'whos',
  'how',
  'when',
  'where',
  'why',
  'is',
  'are',
  'was',
  'were',
  'did',
  'has',
  'have',
  'any',
  'all',
  'show',
  'get',
  'tell',
]);

/** The feature a slot value of this type adds to an utterance's bag of words. */
export const slotFeature = (type: SlotType) => `$${type}`;

/** What the matcher's grammar is compiled from: an intent's name, sample utterances and slots. */
export type GrammarSource = Pick<IntentDeclaration, 'name' | 'utterances' | 'slots' | 'languages'>;

/**
 * The languages the Slack acknowledgement's matcher reads: the slash command's grammar is English, and messages are
 * understood by the worker, in every language.
 */
export const EDGE_LANGUAGES: readonly Language[] = ['en'];

/** A declaration's sample utterances in the given languages (English: `utterances`). */
export function utterancesIn(intent: GrammarSource, languages: readonly Language[]): string[] {
  return languages.flatMap((language) =>
    language === 'en' ? intent.utterances : (intent.languages?.[language as OtherLanguage] ?? []),
  );
}

/**
 * The matcher's grammar, compiled from the intent declarations alone (never from the configured names), as plain
 * JSON: the deployed bundles carry it prebuilt (`infra/bundling/bundling.ts`), so a cold start does not compile it.
 */
export interface GrammarTables {
  /**
   * A fingerprint of the declarations these tables were compiled from (each intent's name and number of sample
   * utterances, not their text): a matcher given another list of declarations (a subset, in a test) compiles its
   * own. It cannot tell two lists apart that differ only in an utterance's words; a bundle's tables and declarations
   * come from the same source files, and the tables test checks they equal a fresh compile.
   */
  readonly fingerprint: string;
  /**
   * Every feature of the sample utterances (a word stem or a `$SlotType`) with its weight,
   * `log(1 + intents / intents whose utterances have it)`: rarer features weigh more.
   */
  readonly idf: readonly (readonly [feature: string, weight: number])[];
  /** The weight of a feature no sample utterance has. */
  readonly unknownWeight: number;
  /**
   * The intents in declaration order, each with its sample utterances in order (an equal score goes to the first),
   * each utterance as its features: their indices in {@link GrammarTables.idf}.
   */
  readonly intents: readonly { readonly name: string; readonly templates: readonly (readonly number[])[] }[];
  /** Every word of the sample utterances: never mistaken for a typo of a configured name. */
  readonly grammar: readonly string[];
  /** The keywords a typo is corrected to (`deply` → `deploy`). */
  readonly keywords: readonly string[];
}

/**
 * Compiles the matcher's grammar from the intent declarations: pure, and the same tables for the same declarations.
 * @example
 * new LocalMatcher(declarations, vocabulary, compileGrammar(declarations))
 */
export function compileGrammar(
  intents: readonly GrammarSource[],
  languages: readonly Language[] = LANGUAGES,
): GrammarTables {
  const grammar = new Set<string>();
  const compiled = intents
    .filter((intent) => intent.name !== FALLBACK_INTENT)
    .map((intent) => ({
      name: intent.name,
      templates: utterancesIn(intent, languages).map((utterance) => {
        const features = new Set<string>();
        const bare = utterance.replace(/\{([a-zA-Z]+)\}/g, (_, slot: string) => {
          const declaration = intent.slots[slot];
          if (declaration !== undefined && !SOFT_TYPES.has(declaration.type)) {
            features.add(slotFeature(declaration.type));
          }
          return ' ';
        });
        for (const token of tokenize(bare)) {
          grammar.add(token.word);
          if (!STOPWORDS.has(token.word)) features.add(stem(token.word));
        }
        return features;
      }),
    }));

  const intentCount = new Set(compiled.filter((intent) => intent.templates.length > 0).map((intent) => intent.name))
    .size;
  const intentsWith = new Map<string, Set<string>>();
  for (const { name, templates } of compiled) {
    for (const f of templates.flatMap((features) => [...features])) {
      intentsWith.set(f, (intentsWith.get(f) ?? new Set()).add(name));
    }
  }
  const features = [...intentsWith.keys()];
  const position = new Map(features.map((f, i) => [f, i]));
  return {
    fingerprint: fingerprintOf(intents, languages),
    idf: features.map((f) => [f, Math.log(1 + intentCount / (intentsWith.get(f) as Set<string>).size)]),
    unknownWeight: Math.log(1 + intentCount),
    intents: compiled.map(({ name, templates }) => ({
      name,
      templates: templates.map((template) => [...template].map((f) => position.get(f) as number)),
    })),
    grammar: [...grammar],
    keywords: [...grammar].filter((w) => !STOPWORDS.has(w) && w.length >= 4),
  };
}

/** Set by the bundler (esbuild `define`, `infra/bundling/bundling.ts`); absent under tsx and jest. */
declare const OPSBOT_MATCHER_TABLES: GrammarTables | undefined;

const PREBUILT: GrammarTables | undefined =
  typeof OPSBOT_MATCHER_TABLES === 'undefined' ? undefined : OPSBOT_MATCHER_TABLES;

/** The tables the bundle carries, when it carries them and they were compiled from these declarations. */
export function prebuiltTables(
  intents: readonly GrammarSource[],
  languages: readonly Language[] = LANGUAGES,
): GrammarTables | undefined {
  return PREBUILT !== undefined && PREBUILT.fingerprint === fingerprintOf(intents, languages) ? PREBUILT : undefined;
}

/** The tables the bundle carries for these declarations, else compiled now. */
export function grammarTables(
  intents: readonly GrammarSource[],
  languages: readonly Language[] = LANGUAGES,
): GrammarTables {
  return prebuiltTables(intents, languages) ?? compileGrammar(intents, languages);
}

/**
 * The intents' names and how many sample utterances each has. One bundle's tables and declarations come from the
 * same source files, so this only tells different lists of declarations apart, and costs next to nothing at start.
 */
function fingerprintOf(intents: readonly GrammarSource[], languages: readonly Language[]): string {
  return `${languages.join(',')} ${intents
    .filter((i) => i.name !== FALLBACK_INTENT)
    .map((i) => `${i.name}:${utterancesIn(i, languages).length}`)
    .join(' ')}`;
}
