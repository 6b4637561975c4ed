import type { IntentDeclaration } from '../define-intent';
import { LANGUAGES } from '../languages';
import { inEveryLanguage } from '../utterances-by-language';
import type { Vocabulary } from '../vocabulary';
import { loadWinkEnglishReader } from './english-reader';
import { languageIdentifier } from './language-id';
import { LocalMatcher } from './local-matcher';
import { MeaningReader, type Reading } from './meaning-reader';
import { cleanSlackText } from './normalize';
import { grammarTables } from './tables';

/** The worker's understanding: the matcher in every language opsbot speaks, and the meaning read beside it. */
export interface Understanding {
  readonly matcher: LocalMatcher;
  readonly meaning: MeaningReader;
}

/**
 * The worker's matcher and meaning reader (wink-nlp, eld), with the intents' sample utterances in every language
 * (`intents/utterances-by-language.ts`).
 */
export function understandingFor(intents: readonly IntentDeclaration[], vocabulary: Vocabulary): Understanding {
  const multilingual = inEveryLanguage(intents);
  const matcher = new LocalMatcher(multilingual, vocabulary, grammarTables(multilingual, LANGUAGES));
  const meaning = new MeaningReader(multilingual, (word) => matcher.namesAnything(word), {
    identifier: languageIdentifier,
    english: loadWinkEnglishReader,
    slotsOf: (intent, text) => matcher.classifyAs(intent, text).slots,
  });
  return { matcher, meaning };
}

/** A message understood by the local matcher and read for its meaning. */
export async function readMessage(understanding: Understanding, rawText: string, botUserId?: string): Promise<Reading> {
  const text = cleanSlackText(rawText, botUserId);
  const guess = await understanding.meaning.language(text);
  return understanding.meaning.read(understanding.matcher.classify(text), guess);
}
