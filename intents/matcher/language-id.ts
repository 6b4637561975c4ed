import { LANGUAGES, type Language } from '../languages';
import { tokenize } from './normalize';

/** The language a message is written in, or one opsbot does not speak (its ISO 639-1 code). */
export type LanguageGuess = { readonly language: Language } | { readonly unsupported: string };

const SUPPORTED: ReadonlySet<string> = new Set(LANGUAGES);
const HANGUL = /\p{Script=Hangul}/u;
/** Below this many letters of words that are not names, a message is too short to tell: English, opsbot's own. */
const MIN_LETTERS = 12;

/**
 * Identifies a message's language with eld (an n-gram language detector) on the whole message. Hangul makes it
 * Korean (mixed Korean and English is Korean). A message with too few letters outside names, versions and numbers
 * to tell is English, and so is one eld places in no language it is sure of; one eld reliably places in a language
 * opsbot does not speak, clearly ahead of the ones it does, is reported as such.
 * @param isName true for a word that names something configured (a service, an environment, a pipeline).
 */
export type LanguageIdentifier = (text: string, isName: (word: string) => boolean) => LanguageGuess;

type Eld = typeof import('eld/extrasmall')['eld'];

/**
 * Loads eld (its smallest n-gram table, under a megabyte, read once, when the first message is understood) and
 * returns the identifier. eld is an ES module only, hence the dynamic import.
 */
export async function loadLanguageIdentifier(): Promise<LanguageIdentifier> {
  const { eld } = await import('eld/extrasmall');
  return (text, isName) => identifyWith(eld, text, isName);
}

function identifyWith(eld: Eld, text: string, isName: (word: string) => boolean): LanguageGuess {
  if (HANGUL.test(text)) return { language: 'ko' };
  const words = tokenize(text)
    .map((t) => t.original)
    .filter((w) => !isName(w.toLowerCase()) && !/\d/.test(w));
  const rest = words.join(' ');
  if (rest.replace(/[^\p{L}]/gu, '').length < MIN_LETTERS || words.length < 2) return { language: 'en' };
  // The whole message: names and versions are noise for a short one, but its words around them tell the language.
  const result = eld.detect(text);
  const scores = result.getScores();
  const best = LANGUAGES.reduce((a, b) => ((scores[b] ?? 0) > (scores[a] ?? 0) ? b : a), 'en' as Language);
  if (SUPPORTED.has(result.language)) return { language: result.language as Language };
  const margin = (scores[result.language] ?? 0) - (scores[best] ?? 0);
  if (result.language !== '' && result.isReliable() && words.length >= 3 && margin > 0.04) {
    return { unsupported: result.language };
  }
  return { language: (scores[best] ?? 0) > 0 ? best : 'en' };
}
