import type { IntentDeclaration } from '../define-intent';
import { LANGUAGES } from '../languages';
import type { SlotType } from '../vocabulary';
import { stem, tokenize } from './normalize';
import { STOPWORDS, utterancesIn } from './tables';

/*
 * The shapes of requests the local matcher reads beside its sample utterances' words: an action's verb then its
 * names then a reason, a service sent somewhere without a verb, a question word said with its verb.
 */

/** Words that begin what is said about a request: its reason or its time ("because", "until", "bis", "hasta"). */
const REASON_WORDS = 'because|reason|until|till|while|since|due|for|bis|weil|wegen|hasta|porque';
/**
 * Where the names of a request end and what is said about it begins: "lock web prod, migrating the db", "lock worker
 * prod until the release is out", "freeze web prod for the launch".
 */
export const AFTER_THE_NAMES = new RegExp(`\\s*(?:[,;—–(]|\\s-\\s|\\.\\s|:\\s|\\b(?:${REASON_WORDS}|as)\\b)`, 'i');
/**
 * Where a request ends and its reason or time begins: "put a freeze on payments prod *for* the release window",
 * "sperr die deploys für prod *bis* 17 Uhr". A comma is not one: "deploys to stage can resume, unlock it" says its
 * request after it.
 */
export const BECAUSE = new RegExp(`\\s*(?:[—–(]|\\s-\\s|\\b(?:${REASON_WORDS})\\b)`, 'i');
/** Words that may stand between an action's verb and its names ("lock *all of* prod", "freeze *deploys to* web"). */
export const BETWEEN_NAMES: ReadonlySet<string> = new Set([
  ...STOPWORDS,
  'all',
  'everything',
  'deploy',
  'deploys',
  'deployment',
  'deployments',
  'release',
  'releases',
  'service',
  'env',
  'environment',
]);
/** A move to a place: "… *to* prod", "web stg -> prod". */
export const TARGET_WORDS: ReadonlySet<string> = new Set(['to', 'into', 'onto', 'nach', 'auf', 'hacia', 'al']);
/** A question word and its verb said as one ("what's on prod", "whats up with api"): read as both. */
export const CONTRACTIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ['whats', ['what', 'is']],
  ['whos', ['who', 'is']],
  ['wheres', ['where', 'is']],
  ['hows', ['how', 'is']],
  ['whens', ['when', 'is']],
]);
/** Words after which a name is said: "deploy to *foo*", "locks in *foo*". */
export const NAME_PLACE: ReadonlySet<string> = new Set(['in', 'on', 'to', 'into', 'onto', 'at', 'of', 'for', 'from']);
/** The slot types that name what an action acts on. */
export const NAME_TYPES: ReadonlySet<SlotType> = new Set(['Service', 'Environment']);

/** The languages whose requests begin with their verb, English first; a Korean one ends with it ("api 배포해줘"). */
const VERB_FIRST = LANGUAGES.filter((language) => language !== 'ko');

/**
 * The verbs that begin one action's sample utterances and no other action's, with that action: English's, then
 * those of the other languages that say the verb first, where they name no other action in any of them (German's
 * "lock von api entfernen" is an unlock: "lock" stays English's).
 */
export function leadingVerbs(intents: Iterable<IntentDeclaration>): ReadonlyMap<string, IntentDeclaration> {
  const actions = [...intents].filter((intent) => intent.sideEffects);
  const byLanguage = VERB_FIRST.map((language) => {
    const leading = new Map<string, Set<IntentDeclaration>>();
    const times = new Map<string, number>();
    for (const intent of actions) {
      for (const utterance of utterancesIn(intent, [language])) {
        const first = tokenize(utterance.replace(/\{\w+\}/g, ' ')).find((t) => !STOPWORDS.has(t.word));
        if (first === undefined) continue;
        const verb = stem(first.word);
        leading.set(verb, (leading.get(verb) ?? new Set()).add(intent));
        times.set(verb, (times.get(verb) ?? 0) + 1);
      }
    }
    // A word that begins one sample utterance only ("code freeze on …", "new deploy of …") is no verb to go by.
    for (const [verb, n] of times) if (n < 2) leading.delete(verb);
    return leading;
  });
  const verbs = new Map<string, IntentDeclaration>();
  byLanguage.forEach((leading, n) => {
    for (const [verb, of] of leading) {
      const [intent] = of;
      if (of.size !== 1 || intent === undefined || verbs.has(verb)) continue;
      // English's own verbs are English's; another language's only where no language reads it as another action.
      const elsewhere = n > 0 && byLanguage.some((other) => [...(other.get(verb) ?? [])].some((i) => i !== intent));
      if (!elsewhere) verbs.set(verb, intent);
    }
  });
  return verbs;
}

/** The action most of whose sample utterances send a service to an environment ("deploy {service} to {environment}"). */
export function mover(intents: Iterable<IntentDeclaration>): IntentDeclaration | undefined {
  const moves = (intent: IntentDeclaration) =>
    intent.utterances.filter((u) => /\{\w+\}.*\bto \{\w+\}/.test(u) && u.includes('{service}')).length;
  const best = [...intents].filter((i) => i.sideEffects).sort((a, b) => moves(b) - moves(a))[0];
  return best !== undefined && moves(best) > 0 ? best : undefined;
}
