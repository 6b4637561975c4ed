/**
 * The languages opsbot understands: English, and Korean, Spanish and German from the same declarations (each intent
 * carries sample utterances in them). Replies stay in English.
 */
export const LANGUAGES = ['en', 'ko', 'es', 'de'] as const;

export type Language = (typeof LANGUAGES)[number];

/** The languages besides English that declarations carry sample utterances in. */
export type OtherLanguage = Exclude<Language, 'en'>;

export const OTHER_LANGUAGES: readonly OtherLanguage[] = ['ko', 'es', 'de'];

/** The Lex V2 locale each language is built and recognised in. */
export const LEX_LOCALES = {
  en: 'en_US',
  ko: 'ko_KR',
  es: 'es_ES',
  de: 'de_DE',
} as const satisfies Record<Language, string>;

/** A Lex V2 locale opsbot's bot is built in. */
export type LexLocaleId = (typeof LEX_LOCALES)[Language];

export const LEX_LOCALE_IDS: readonly LexLocaleId[] = LANGUAGES.map((language) => LEX_LOCALES[language]);

/**
 * How Lex V2's Assisted NLU (a Bedrock LLM Lex runs for intent classification and slot resolution) works in a
 * locale: `Primary`, on every input; `Fallback`, only when Lex's own NLU is not confident or lands on the fallback
 * intent. (Lex V2 guide, "Improve intent classification and slot resolution in Lex V2 with assisted NLU".)
 */
export const ASSISTED_NLU_MODES = ['Primary', 'Fallback'] as const;

export type AssistedNluMode = (typeof ASSISTED_NLU_MODES)[number];

/** How a reply names each language. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  en: 'English',
  ko: 'Korean (한국어)',
  es: 'Spanish (español)',
  de: 'German (Deutsch)',
};

/** Words in another language for a name, by language (`프로덕션`, `producción` for prod). */
export type WordsByLanguage = Readonly<Partial<Record<OtherLanguage, readonly string[]>>>;
