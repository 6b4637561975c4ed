import type { Language } from '../languages';

/**
 * What a message means beside its keywords: a request said in the negative ("don't deploy api yet"), a hypothetical
 * ("what happens if I roll back web?"), a question about a concept ("how do rollbacks work?"), or a question about
 * the state of things or the past ("what did we ship to prod yesterday?", "are there locks on worker?"). Only a
 * plain request (an imperative, or "can you …") may become an action.
 */
export type Mood = 'request' | 'negated' | 'hypothetical' | 'conceptual' | 'question';

/** The words of a message as an NLP library reads them: each word's lemma, part of speech, and negation scope. */
export interface ReadWord {
  readonly normal: string;
  readonly lemma: string;
  /** Universal POS tag (`VERB`, `AUX`, `NOUN`, …). */
  readonly pos: string;
  /** Inside the scope of a negation ("don't *deploy api*", "no need to *roll back*"). */
  readonly negated: boolean;
}

/** Reads English words: wink-nlp in the worker (`integrations/nlp/wink-reader.ts`). */
export type EnglishReader = (text: string) => readonly ReadWord[];

/** Words that begin a request put as a question ("can you deploy …", "could we get … out"). */
const MODAL_REQUEST =
  /^(?:can|could|would|will|cn|pls can|please can)\s+(?:you|u|we|i|ya|someone|somebody)\b(?!.*\b(?:explain|tell me about|describe)\b)/;
/** A question about whether or what if: advice asked for, not a request. */
const EN_HYPOTHETICAL =
  /^(?:could|would|might|may|will) (?!you\b|u\b|we\b|i\b|ya\b|someone\b|somebody\b)|\b(?:what if|what happens if|what would happen|would it be|would that|is it safe|is it ok(?:ay)?|is it fine|is it a good idea|is it worth|worth it|do you think|any reason|shouldn'?t (?:i|we)|should (?:i|we|you)|shall we|if (?:i|we|you|someone|u)\b|^if\b|\bwould (?:we|i)\b|suppose|hypothetically|in theory)\b/;
const EN_CONCEPT =
  /^(?:what(?:'s| is| are|s)? (?:a |an |the )?(?:[a-z/-]+ ){0,2}(?:anyway|exactly|again)?\??$|how (?:do|does|did|would|can|should) (?:i|we|you|one|it|they|[a-z/-]+s?)\b.*\b(?:work|works|happen|get done|handled?)\b|explain\b|tell me (?:about|how)\b|what(?:'s| is) the difference\b|difference between\b|what does .* mean\b|how (?:do|does|can|should) (?:i|we|one)\b)/;
/** Asking what something is or how it works, wherever it is said. */
const EN_CONCEPT_ANYWHERE =
  /^what(?:'s| is| are|s) (?:a |an |the )?[a-z/-]+ (?:even |really |actually )?for\s*\??$|\b(?:explain|describe|tell me about|eli5|difference between|the difference|vs\.?|versus|the point of|what counts as|what even is|in general|mean by)\b|^what(?:'s| is|s) (?:a|an)\b|^how (?:do|does|are|is) .*\b(?:know|affect|decide[sd]?|handled?|handles|work|works|tagged|choose[sd]?|chosen|pick(?:s|ed)?|relate|differ|compare|interact|fit|used|supposed)\b|^what (?:actually |really |exactly )?happens (?:to|when|during|in|with)\b|^what(?:'s| is|s) (?:a |an )?[a-z]+[/-][a-z]+\??$/;

/**
 * A question about how opsbot, or one of its actions, behaves rather than about the team's services: an action said
 * of anyone or anything ("when you promote something", "before something gets promoted"), an action as the subject
 * ("does promote reuse the digest?", "why does rollback refuse …"), opsbot as the subject ("does the bot post …"),
 * whether a step or rule exists ("is there an approval step …"), or a choice of rules ("… or does it have to …").
 * Whatever names it gives, it is answered by help.
 */
const EN_HOW_IT_WORKS =
  /\bwhen (?:you|someone|somebody|one|people) (?:promote|deploy|ship|release|roll back|rollback|lock|unlock)s? (?:something|anything|things|stuff|it|a|an)\b|\bwhen (?:something|a (?:deploy|promotion|rollback)) (?:is|gets|fails|goes)\b|\bsomething (?:gets?|is) \w+ed\b|\b(?:promote|deploy|ship|roll back|rollback|lock|unlock) (?:something|anything)\b|^(?:why |how |when )?(?:does|do|will|would) (?:a |an |the )?(?:promote|promotions?|deploy|deploys|deployments?|rollbacks?|locks?|unlock|guard ?rails?|approvals?|freezes?)\b(?! (?:to|of|in|on|for)\b)|^(?:does|do) (?:the bot|opsbot|you)\b(?! think\b)|^does it\b|^is there (?:a|an|any) (?:[\w-]+ ){0,3}(?:step|rule|check|way|limit|option|gate)s?\b|\bor (?:does|do|must|should|has|have|is) (?:it|that|this|one|i|we) (?:have to|need to|must|go|always)\b|\bdiff(?:erence)? between\b|^what (?:guard ?rails|checks|rules|limits|steps) (?:are there|do you|does|apply)\b/;

/** Whether a message asks how opsbot or one of its actions works (see {@link EN_HOW_IT_WORKS}); English only. */
export function asksHowItWorks(text: string, language: Language): boolean {
  return language === 'en' && EN_HOW_IT_WORKS.test(withoutLead(text.toLowerCase().trim()));
}

/** Words that ask: a question about state or history rather than a request. */
const EN_QUESTION =
  /^(?:is|are|was|were|did|does|has|have|had|who|whos|who's|what|whats|what's|which|when|where|why|how|any|anything|do (?!not\b|a\b|an\b|the\b))\b/;
/** Negations said without a verb the library scopes: "hold off on deploying", "not yet", "never mind deploying". */
const EN_DEFER =
  /\b(?:hold off|avoid|refrain from|skip|not yet|not now|not today|no need|never ?mind|forget about|let's not|lets not|don'?t|do not|dont|nobody|no one|noone)\b/;

const ES_NEGATION = /(?:^|\s)(?:no|nunca|jamás|jamas|ni)\s|no hace falta|no es necesario|sin (?:desplegar|hacer)/;
const ES_HYPOTHETICAL =
  /(?:^|¿|\by )\s*si \S+(?:amos|emos|imos|o)\b|\b(?:qué pasa si|que pasa si|qué pasaría|que pasaria|si (?:despliego|desplegamos|hago|hacemos|bloqueo)|debería|deberia|deberíamos|deberiamos|sería seguro|seria seguro|es seguro)\b/;
const ES_CONCEPT =
  /^¿?\s*(?:qué es|que es|qué son|que son|cómo funciona|como funciona|explica|explícame|explicame|para qué sirve|para que sirve)\b/;
// A question word ends where a letter does not follow: JavaScript's \b takes "é" for no letter, so "qué" had none.
const ES_QUESTION =
  /^¿|\?\s*$|^(?:qué|que|quién|quien|cuál|cual|cuándo|cuando|dónde|donde|cómo|como|hay|está|esta|están|estan|se (?:desplegó|desplego|hizo))(?![\p{L}\p{N}])/u;

const DE_NEGATION = /\b(?:nicht|kein|keine|keinen|nie|niemals|bloß nicht|bloss nicht)\b/;
const DE_HYPOTHETICAL =
  /\b(?:was passiert,? wenn|was wäre,? wenn|was waere,? wenn|wenn (?:ich|wir|man)|sollten wir|sollen wir|sollte ich|soll ich|ist es sicher|wäre es|waere es)\b/;
const DE_CONCEPT =
  /^(?:was ist (?:ein|eine|der|die|das)?|was sind|wie funktionier|erklär|erklaer|wofür ist|wofuer ist|was bedeutet)/;
const DE_QUESTION =
  /\?\s*$|^(?:wer|was|welche|welcher|welches|wann|wo|warum|wieso|wie|ist|sind|läuft|laeuft|laufen|gibt es|hat|haben|wurde|wurden)\b/;

const KO_NEGATION =
  /(?:지\s*(?:마|말|않)|안\s*(?:해|하|돼|할)|(?:^|\s)안\s+[가-힣]+도\s*(?:돼|되)|않|필요\s*없|하지\s*말|말고|하면\s*안|금지)/;
const KO_HYPOTHETICAL =
  /(?:하면\s*(?:어떻게|어떡|괜찮|될까|돼\?|되나)|해도\s*(?:될까|돼|되나|괜찮)|할까\??$|할까요|만약)/;
const KO_CONCEPT =
  /(?:(?:이|가|란|이란)\s*뭐(?:야|예요|에요|지|죠)?\??\s*$|뭔가요|무엇인가요|어떻게\s*(?:작동|동작|돌아가|되는)|설명해)/;
const KO_QUESTION =
  /(?:\?\s*$|뭐|무엇|어떻게|언제|누가|누구|어디|어느|몇|있어\??$|있나요|있니|됐어|됐나|했어|했나|했니|했지|인가요|나요\??$|니\??$|까\??$|어\?$)/;

/**
 * Reads a message's mood in its language. English goes through an NLP library (negation scope, lemmas and parts of
 * speech: what was negated, and whether a verb is in the past); Korean, Spanish and German through their own
 * negation and question words.
 * @param actionWords true for a word (lower case) that names one of opsbot's actions in any form (`deploy`, `rolled`).
 */
export function moodOf(
  text: string,
  language: Language,
  readEnglish: EnglishReader | undefined,
  actionWords: (word: string) => boolean,
): Mood {
  const lower = text.toLowerCase().trim();
  switch (language) {
    case 'en':
      return englishMood(lower, readEnglish, actionWords);
    case 'es':
      return firstOf(lower, ES_CONCEPT, ES_HYPOTHETICAL, ES_NEGATION, ES_QUESTION);
    case 'de':
      return firstOf(lower, DE_CONCEPT, DE_HYPOTHETICAL, DE_NEGATION, DE_QUESTION);
    case 'ko':
      return firstOf(lower, KO_CONCEPT, KO_HYPOTHETICAL, KO_NEGATION, KO_QUESTION);
  }
}

function firstOf(text: string, concept: RegExp, hypothetical: RegExp, negation: RegExp, question: RegExp): Mood {
  if (concept.test(text)) return 'conceptual';
  if (hypothetical.test(text)) return 'hypothetical';
  if (negation.test(text)) return 'negated';
  if (question.test(text)) return 'question';
  return 'request';
}

/** Greetings and fillers before the request itself ("hey opsbot, ok so can you …"). */
const LEAD =
  /^(?:(?:hey|hi|hello|yo|ok|okay|so|um|uh|hmm|quick question|question|btw|also|and|then|please|pls|plz)[\s,:!.-]*)+/;

/** Saying that something need not be done, whatever it is: "no need to check the api pipeline". */
const EN_NOT_NEEDED = /^(?:no need to|never ?mind|forget about|don'?t bother|do not bother)\b/;

/** A message without the greetings and fillers before it ("hey opsbot, so why …"). */
export function withoutLead(text: string): string {
  return text.replace(LEAD, '').trim();
}

function englishMood(
  text: string,
  readEnglish: EnglishReader | undefined,
  actionWords: (word: string) => boolean,
): Mood {
  const said = withoutLead(text);
  if (EN_NOT_NEEDED.test(said)) return 'negated';
  // A version in it is a request ("what is v1.2 doing on prod"); "eli5" is no version.
  if (
    (EN_CONCEPT.test(said) || EN_CONCEPT_ANYWHERE.test(said) || EN_HOW_IT_WORKS.test(said)) &&
    !/\d/.test(said.replace(/\beli5\b/g, ''))
  ) {
    return 'conceptual';
  }
  if (EN_HYPOTHETICAL.test(said)) return 'hypothetical';
  // The request is the last clause that names an action: "déployer? no — deploy web to staging" asks for a deploy,
  // and "sorry if this is a dumb q but could you deploy api to staging?" is asked as one.
  const clauses = said.split(/\s*(?:[—–;!?]|\.\s|\s-\s|,?\s+but\s+|,?\s+so\s+)\s*/).filter((c) => c !== '');
  const clause = clauses.findLast((c) => c.split(/\s+/).some((w) => actionWords(w.replace(/[^a-z'-]/g, '')))) ?? said;
  const modalRequest = MODAL_REQUEST.test(said) || MODAL_REQUEST.test(clause);
  if (!modalRequest && EN_QUESTION.test(said)) return 'question';
  const words = readEnglish?.(clause) ?? [];
  const actions = words.filter((w) => actionWords(w.normal) || actionWords(w.lemma));
  if (
    actions.some((w) => w.negated) ||
    (actions.length > 0 && EN_DEFER.test(clause) && deferredBefore(clause, words, actionWords))
  ) {
    return 'negated';
  }
  // "who deployed api", "web was rolled back last night": an action in the past is a question about history.
  if (!modalRequest && actions.length > 0 && actions.every((w) => isPast(w))) {
    return 'question';
  }
  if (!modalRequest && /\?\s*$/.test(said) && !actions.some((w) => w === words[0])) return 'question';
  return 'request';
}

/** A deferral said before the action word ("hold off on deploying api"), not after ("deploy api, not web"). */
function deferredBefore(said: string, words: readonly ReadWord[], actionWords: (word: string) => boolean): boolean {
  const defer = EN_DEFER.exec(said);
  if (defer === null) return false;
  // "skip the canary and deploy api": an action after "and", "then" or "but" is asked for, not deferred ("don't,
  // under any circumstances, deploy web" still is).
  const after = said.slice(defer.index + defer[0].length).split(/\s*\b(?:and|then|but)\b\s*/)[0] ?? '';
  return words.some((w) => (actionWords(w.normal) || actionWords(w.lemma)) && after.includes(w.normal));
}

/** A verb in the past tense or a past participle: its form is not its lemma, nor the lemma's -s or -ing form. */
function isPast(word: ReadWord): boolean {
  if (word.pos !== 'VERB' && word.pos !== 'AUX') return false;
  const { normal, lemma } = word;
  if (normal === lemma || normal.endsWith('ing')) return false;
  return !(normal === `${lemma}s` || normal === `${lemma}es`);
}
