import type { IntentDeclaration } from '../define-intent';
import { LANGUAGES, type Language, OTHER_LANGUAGES } from '../languages';
import { PERIODS } from '../vocabulary';
import { TypoIndex } from './fuzzy';
import type { LanguageGuess, LanguageIdentifier } from './language-id';
import type { Classification } from './local-matcher';
import { asksHowItWorks, type EnglishReader, type Mood, moodOf, withoutLead } from './meaning';
import { stem, tokenize } from './normalize';
import { mover } from './request-shapes';
import { FALLBACK_INTENT, STOPWORDS, utterancesIn } from './tables';

/** An action said in the negative or as a hypothetical: declined, never planned. */
export interface Declined {
  readonly mood: 'negated' | 'hypothetical';
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
}

/** A classification read for its meaning as well as its keywords. */
export interface Reading extends Classification {
  /** The language the message is written in (its Lex locale), English when it cannot be told. */
  readonly language: Language;
  /** A language opsbot does not speak (ISO 639-1), when the message is written in one: nothing else is read. */
  readonly unsupportedLanguage?: string;
  readonly mood: Mood;
  /** What a negated or hypothetical message named, which opsbot does not do: "OK, I won't deploy api to prod". */
  readonly declined?: Declined;
  /** An action chosen through a corrected typo: asked back ("did you mean …?") before it is planned. */
  readonly uncertain?: boolean;
}

/** The question an action becomes when it is asked about rather than asked for ("who deployed api?"). */
const ABOUT: Readonly<Record<string, string>> = {
  Deploy: 'DeployStatus',
  Promote: 'DeployStatus',
  Rollback: 'DeployStatus',
  Lock: 'LockStatus',
  Unlock: 'LockStatus',
};

/** Asking why an action cannot be done, in each language ("why can't I deploy …", "왜 … 배포가 안 돼?"). */
const BLOCKED: Readonly<Record<Language, RegExp>> = {
  en: /^why\b.*\b(?:can['’]?t|cannot|can not|won['’]?t|isn['’]?t|am i not|are we not|unable)\b.*\b(?:deploy\w*|roll\w*|releas\w*|ship\w*|promot\w*|push\w*)/,
  ko: /^왜\s.*(?:배포|deploy|롤백|rollback).*(?:안\s*되|안\s*돼|못\s*하|막혀|막혔)/,
  es: /^¿?\s*por qu[ée] no\b.*\b(?:despleg\w*|desplieg\w*|deploy\w*|rollback)/,
  de: /^warum\b.*\bnicht\b.*\b(?:deploy\w*|ausroll\w*|bereitstell\w*|rollback)/,
};

/** Below this, an action's match is too loose to act on without asking. */
const SURE = 0.45;

/**
 * Meaning before keywords: the language a message is written in, and its mood (a request, or a negated,
 * hypothetical or conceptual one, or a question). Only a request may become an action: a negated or hypothetical
 * one is declined, a conceptual question gets help, and a question about an action is answered by its status.
 * Whatever understood the words (Lex or the local matcher), opsbot reads their meaning here.
 */
export class MeaningReader {
  /** The verbs of the actions, each with its action: the first word of their sample utterances ("deploy", "roll"). */
  private actionStems: ReadonlyMap<string, string> | undefined;
  /** Every word of the sample utterances, by language, and those no other language's use. */
  private grammar: GrammarWords | undefined;
  private identifier: LanguageIdentifier | undefined;
  private english: Promise<EnglishReader> | undefined;
  /** The intent that promotes (declares a source slot) and the one that moves services, once looked up. */
  private moves: { promotion?: IntentDeclaration; deploy?: IntentDeclaration } | undefined;

  // Built and loaded on first use, not when the worker starts: a cold start that only runs an event never needs them.
  constructor(
    private readonly intents: readonly IntentDeclaration[],
    private readonly isName: (word: string) => boolean,
    private readonly loaders: {
      /** The language identifier (eld, which it loads when first needed). */
      readonly identifier: () => LanguageIdentifier;
      /** The NLP library's reading of English (wink-nlp); none: negation and tense in English go unread. */
      readonly english?: () => Promise<EnglishReader>;
      /** What a message names for an intent it was not placed in ("do NOT deploy web", read as help). */
      readonly slotsOf?: (intent: string, text: string) => Readonly<Record<string, string>>;
    },
  ) {}

  /**
   * The language of a message: Korean, Spanish, German or English, or one opsbot does not speak. The declarations'
   * own words speak first: a message in plain ASCII whose every word (names aside) is one of the sample utterances',
   * some of them only English's, none only another language's, is English without asking the identifier. Where the
   * identifier cannot tell (a short message, read as English), the words only one language's sample utterances use
   * decide ("sperre worker in produktion" is German).
   */
  async language(text: string): Promise<LanguageGuess> {
    this.grammar ??= grammarWords(this.intents);
    const { only, all, typos } = this.grammar;
    // A typo of a word of the sample utterances is that word ("maintenence tomorow" is no French).
    const words = tokenize(text)
      .map((t) => t.word)
      .filter((w) => !this.isName(w) && !/\d/.test(w))
      .map((w) => (all.has(w) ? w : (typos.correct(w) ?? w)));
    const count = (language: Language) => words.filter((w) => only.get(language)?.has(w)).length;
    const others = OTHER_LANGUAGES.map((language) => [language, count(language)] as const).sort((a, b) => b[1] - a[1]);
    const [best, second] = others;
    const foreign = best !== undefined && best[1] > 0;
    if (/^[\x20-\x7e]*$/.test(text) && !foreign && count('en') > 0 && words.every((w) => all.has(w))) {
      return { language: 'en' };
    }
    this.identifier ??= this.loaders.identifier();
    const guess = await this.identifier(text, this.isName);
    // A short message fools the identifier ("haz rollback del worker en dev" reads as Danish, "was prod frozen over
    // the weekend?" as Dutch): one whose words are all a language's sample utterances', two or more only that
    // language's, is in that language.
    const told = foreign && best[1] > (second?.[1] ?? 0) ? best[0] : !foreign && count('en') >= 2 ? 'en' : undefined;
    if (told !== undefined && count(told) >= 2 && (!('language' in guess) || guess.language !== told)) {
      const used = this.grammar.used.get(told) as ReadonlySet<string>;
      // English, opsbot's own, may have one word its sample utterances lack ("weekend"); the others may not.
      const unknown = words.filter((w) => !used.has(w) && !(told === 'en' && STOPWORDS.has(w))).length;
      if (unknown === 0 || (told === 'en' && unknown === 1 && words.length >= 3)) return { language: told };
    }
    if (!('language' in guess) || guess.language !== 'en' || count('en') > 0) return guess;
    return told !== undefined && told !== 'en' ? { language: told } : guess;
  }

  /** A classification read for its meaning, in the language identified for it. */
  async read(classification: Classification, guess: LanguageGuess): Promise<Reading> {
    if ('unsupported' in guess) {
      return {
        ...classification,
        intent: FALLBACK_INTENT,
        slots: {},
        language: 'en',
        unsupportedLanguage: guess.unsupported,
        mood: 'request',
      };
    }
    const { language } = guess;
    const action = this.intents.find((i) => i.name === classification.intent)?.sideEffects === true;
    // An action's verb in a message read as something else ("do NOT deploy web" is no request for help).
    const named = action ? undefined : this.actionNamed(classification.text);
    // The NLP library reads only what could become an action: whether it is negated, or asked about in the past.
    const reader = (action || named !== undefined) && language === 'en' ? await this.englishReader() : undefined;
    // The request, not what the person said after it: "lock web prod because i don't want anyone deploying".
    const said = classification.request ?? classification.text;
    const mood = moodOf(said, language, reader, (word) => this.actionOf(word) !== undefined);
    // "why can't I deploy web to prod?" asks what stands in the way, a lock or a freeze: no negated request.
    if (BLOCKED[language].test(withoutLead(said.toLowerCase()))) {
      const slots = this.loaders.slotsOf?.('LockStatus', classification.text) ?? {};
      return { ...classification, intent: 'LockStatus', slots, language, mood: 'question' };
    }
    // A question about a concept: one naming nothing configured ("what's a pipeline?"), or where nothing else was
    // understood ("what is staging even for?"), or one that names an action ("what's an image tag vs a sha tag"),
    // never becomes an action; "what is on prod" is a question.
    if (
      mood === 'conceptual' &&
      (Object.keys(classification.slots).length === 0 ||
        classification.intent === FALLBACK_INTENT ||
        action ||
        asksHowItWorks(said, language))
    ) {
      return { ...classification, intent: 'Help', slots: {}, language, mood };
    }
    // Negated or hypothetical: nothing is done, and an action it named ("do NOT deploy web", read as help, or "don't
    // deploy api yet") is declined with the names it gave.
    if (mood === 'negated' || mood === 'hypothetical') {
      const declined = action
        ? { mood, intent: classification.intent, slots: classification.slots }
        : named !== undefined
          ? { mood, intent: named, slots: this.loaders.slotsOf?.(named, classification.text) ?? {} }
          : undefined;
      return {
        ...classification,
        intent: FALLBACK_INTENT,
        slots: {},
        language,
        mood,
        ...(declined !== undefined && { declined }),
      };
    }
    const about = ABOUT[classification.intent];
    if (action && mood === 'question' && about !== undefined) {
      const { service, environment } = classification.slots;
      return {
        ...classification,
        intent: about,
        slots: {
          ...(service !== undefined && { service }),
          ...(environment !== undefined && { environment }),
        },
        language,
        mood,
      };
    }
    // An action whose negation could not be read (the English reader failed to load) is asked back, never done.
    const unread = action && language === 'en' && this.loaders.english !== undefined && reader === undefined;
    const uncertain =
      action &&
      (classification.corrected === true ||
        classification.loose === true ||
        classification.confidence < SURE ||
        unread);
    return { ...this.moved(classification), language, mood, ...(uncertain && { uncertain }) };
  }

  /**
   * Whoever placed the words (Lex or the local matcher), a move keeps its meaning: a promotion that names its version
   * ("promote web v1.9.3 to prod") is a deploy of that version, and a deploy said from one environment to another
   * without a version ("deploy web from staging to prod") is a promotion of what the first runs.
   */
  private moved(classification: Classification): Classification {
    const slotsOf = this.loaders.slotsOf;
    if (slotsOf === undefined) return classification;
    this.moves ??= {
      promotion: this.intents.find((i) => Object.values(i.slots).some((s) => s.source === true)),
      deploy: mover(this.intents),
    };
    const { promotion, deploy } = this.moves;
    if (promotion === undefined || deploy === undefined) return classification;
    // The request itself, not the reason said after it ("redeploy billing in dev, the pod is wedged").
    const said = classification.request ?? classification.text;
    if (classification.intent === promotion.name) {
      const asDeploy = slotsOf(deploy.name, said);
      return asDeploy.version === undefined
        ? classification
        : { ...classification, intent: deploy.name, slots: asDeploy };
    }
    if (classification.intent === deploy.name && classification.slots.version === undefined) {
      const asPromotion = slotsOf(promotion.name, said);
      const source = Object.entries(promotion.slots).find(([, s]) => s.source === true)?.[0] as string;
      // Read as a promotion only to the place the deploy was going: one more place said is where from.
      return asPromotion[source] === undefined || asPromotion.environment !== classification.slots.environment
        ? classification
        : { ...classification, intent: promotion.name, slots: asPromotion };
    }
    return classification;
  }

  /** The English reader, loaded once; a load that fails leaves this message's negation unread and is tried again. */
  private async englishReader(): Promise<EnglishReader | undefined> {
    if (this.loaders.english === undefined) return undefined;
    this.english ??= this.loaders.english();
    try {
      return await this.english;
    } catch {
      this.english = undefined;
      return undefined;
    }
  }

  /** The action a word names in any of its forms (`deploying`, `rolled`), if it names one. */
  private actionOf(word: string): string | undefined {
    if (this.actionStems === undefined) {
      const stems = new Map<string, string>();
      for (const intent of this.intents.filter((i) => i.sideEffects)) {
        for (const u of intent.utterances) {
          const first = wordsOf(u).find((w) => !STOPWORDS.has(w));
          if (first !== undefined && !stems.has(stem(first))) stems.set(stem(first), intent.name);
        }
      }
      this.actionStems = stems;
    }
    return this.actionStems.get(stem(word));
  }

  /** The first action a message names by its verb. */
  private actionNamed(text: string): string | undefined {
    for (const { word } of tokenize(text)) {
      const action = this.actionOf(word);
      if (action !== undefined) return action;
    }
    return undefined;
  }
}

/** The words of a sample utterance, its placeholders left out. */
function wordsOf(utterance: string): string[] {
  return tokenize(utterance.replace(/\{\w+\}/g, ' ')).map((t) => t.word);
}

interface GrammarWords {
  readonly all: ReadonlySet<string>;
  /** The English word one typo from a word of five letters or more. */
  readonly typos: { correct(word: string): string | undefined };
  readonly used: ReadonlyMap<Language, ReadonlySet<string>>;
  readonly only: ReadonlyMap<Language, ReadonlySet<string>>;
}

/** The words of the sample utterances and periods, and for each language those no other language's use. */
function grammarWords(intents: readonly IntentDeclaration[]): GrammarWords {
  // The words of periods are a language's too ("tomorrow", "mañana", "nächste Woche"): sample utterances say {period}.
  const periodWords = (language: Language) =>
    PERIODS.flatMap((p) =>
      language === 'en' ? [p.name.replace(/-/g, ' '), ...p.aliases] : (p.words?.[language] ?? []),
    );
  const by = new Map(
    LANGUAGES.map((language) => [
      language,
      new Set([
        ...intents.flatMap((i) => utterancesIn(i, [language]).flatMap(wordsOf)),
        ...periodWords(language).flatMap(wordsOf),
      ]),
    ]),
  );
  const only = new Map(
    LANGUAGES.map((language) => {
      const others = LANGUAGES.filter((l) => l !== language).map((l) => by.get(l) as Set<string>);
      const own = [...(by.get(language) as Set<string>)].filter((w) => !others.some((o) => o.has(w)));
      return [language, new Set(own)];
    }),
  );
  const all = new Set([...by.values()].flatMap((words) => [...words]));
  // Toward English only: a typo of an English word is common, and "cancel" must not become Spanish "cancela".
  const index = new TypoIndex([...(by.get('en') as Set<string>)].filter((w) => w.length >= 5));
  const typos = { correct: (word: string) => (word.length >= 5 ? index.correct(word) : undefined) };
  return { all, typos, used: by, only };
}
