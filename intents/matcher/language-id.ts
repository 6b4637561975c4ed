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
export type LanguageIdentifier = (text: string, isName: (word: string) => boolean) => Promise<LanguageGuess>;

type Eld = typeof import('eld/extrasmall')['eld'];

/**
 * The identifier, with eld (its smallest n-gram table, under a megabyte) loaded the first time a message needs it:
 * loading takes a good part of a second of a cold worker, and Korean or a message too short to tell never needs it.
 * eld is an ES module only, hence the dynamic import.
 */
export function languageIdentifier(): LanguageIdentifier {
  let eld: Promise<Eld> | undefined;
  return async (text, isName) => {
    if (HANGUL.test(text)) return { language: 'ko' };
    if (turkishCaseOnName(text, isName)) return { unsupported: 'tr' };
    const words = tokenize(text)
      .map((t) => t.original)
      .filter((w) => !isName(w.toLowerCase()) && !/\d/.test(w));
    const letters = words.join('').replace(/[^\p{L}]/gu, '').length;
    if (letters < MIN_LETTERS || words.length < 2) return { language: 'en' };
    eld ??= import('eld/extrasmall').then(
      (m) => m.eld,
      (error: unknown) => {
        eld = undefined;
        throw error;
      },
    );
    return detect(await eld, text, words.length);
  };
}

/**
 * A case ending written onto a name after an apostrophe (`api'yi`, `prod'a`, `staging'de`) is how Turkish writes
 * them, and no language opsbot speaks does; a message that short is beyond what eld's table can tell.
 */
const TURKISH_CASE = /([\p{L}\p{N}._-]+)['’](?:y?[ıiuü]|y?[ae]|[dt][ae]n?|n?[ıiuü]n|y?l[ae])(?![\p{L}'’])/gu;

function turkishCaseOnName(text: string, isName: (word: string) => boolean): boolean {
  return [...text.matchAll(TURKISH_CASE)].some((m) => isName((m[1] as string).toLowerCase()));
}

/** eld's reading of the whole message: names and versions are noise, but the words around them tell the language. */
function detect(eld: Eld, text: string, words: number): LanguageGuess {
  const result = eld.detect(text);
  const scores = result.getScores();
  const best = LANGUAGES.reduce((a, b) => ((scores[b] ?? 0) > (scores[a] ?? 0) ? b : a), 'en' as Language);
  if (SUPPORTED.has(result.language)) return { language: result.language as Language };
  const margin = (scores[result.language] ?? 0) - (scores[best] ?? 0);
  if (result.language !== '' && result.isReliable() && words >= 3 && margin > 0.04) {
    return { unsupported: result.language };
  }
  return { language: (scores[best] ?? 0) > 0 ? best : 'en' };
}
