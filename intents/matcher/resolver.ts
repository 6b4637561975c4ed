import { type NamedThing, namesOf, PERIODS, type SlotType, type Vocabulary } from '../vocabulary';
import { closest, TypoIndex } from './fuzzy';
import { type Token, tokenize, withoutParticle } from './normalize';

/** A value found in an utterance: which type, its canonical name, and which tokens it covered. */
export interface Entity {
  readonly type: SlotType;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const VERSION =
  /^(sha256:[0-9a-f]{64}|v?\d+(\.\d+){0,3}([-+][0-9a-z][0-9a-z.-]*)?|(sha|git|build|release|rc|r)-?[0-9a-f]{5,40}|[0-9a-f]{7,40}|latest|stable)$/i;
/** An image digest, as ECR names it (lower-case hex). */
const DIGEST = /^sha256:[0-9a-f]{64}$/i;

/** A digest in ECR's spelling; a tag as written (tags are case-sensitive). */
function digestOrTag(version: string): string {
  return DIGEST.test(version) ? version.toLowerCase() : version;
}

/** "next" before a span of days, in the languages opsbot reads ("다음 7일", "los próximos 7 días", "die nächsten 7 Tage"). */
const NEXT = new Set(['next', '다음', 'proximos', 'proximas', 'siguientes', 'nachsten', 'kommenden']);
/** The word for days after a number ("3 days", "3일", "3 días", "3 Tage"; accents folded). */
const DAYS = /^(?:days?|일|일간|dias?|tage|tagen)$/;

const PIPELINE_WORDS = new Set(['pipeline', 'pipelines', 'build', 'builds', 'ci']);
const VERSION_CUES = new Set(['version', 'tag', 'image', 'build', 'release', 'revision']);
/** Words before a number that make it a time: "until 17", "bis 17 Uhr", "hasta las 5". */
const TIME_BEFORE = new Set(['at', 'until', 'till', 'til', 'by', 'bis', 'um', 'ab', 'hasta', 'las', 'a']);
/** Words after a number that make it a time or a count: "5 pm", "17 Uhr", "2 hours". */
const TIME_AFTER = new Set([
  'am',
  'pm',
  'uhr',
  'h',
  'hrs',
  'hours',
  'hour',
  'min',
  'mins',
  'minutes',
  'horas',
  'stunden',
  '시',
]);
/** Cues that are everyday words as well ("release time!", "the dev build over to staging"): a tag after them has a digit. */
const LOOSE_CUES = new Set(['build', 'release']);
/** Words that may stand between a pipeline word and its service: "the pipeline of api", "el pipeline de web". */
const PIPELINE_OF = new Set(['of', 'for', 'de', 'del', 'der', 'des', 'von', 'vom', 'für', 'fur']);
/** Words after a version cue that are not a tag ("the web build *from* staging"). */
const NOT_TAGS = new Set([
  'from',
  'as',
  'to',
  'in',
  'on',
  'of',
  'for',
  'the',
  'a',
  'an',
  'and',
  'with',
  'into',
  'that',
  'is',
  'was',
  'vs',
  'versus',
  'or',
  'than',
  'but',
  'if',
  'when',
  'it',
  'i',
  'we',
  'you',
  'so',
  'then',
  'because',
]);

/** Words that look like typos of names but are ordinary English; never corrected into a name. */
export const COMMON_WORDS: ReadonlySet<string> = new Set([
  'state',
  'states',
  'date',
  'time',
  'list',
  'last',
  'best',
  'test',
  'rest',
  'mine',
  'made',
  'make',
  'like',
  'love',
  'give',
  'gave',
  'have',
  'here',
  'there',
  'where',
  'were',
  'what',
  'when',
  'then',
  'than',
  'this',
  'that',
  'they',
  'them',
  'lives',
  'life',
  'line',
  'site',
  'dead',
  'stay',
  'stag',
  'page',
  'stake',
  'sage',
  'wage',
  'web3',
  'apis',
  'job',
  'work',
  'working',
  'worked',
  'works',
  'worker',
  'prom',
  'prof',
  'proud',
  'deep',
  'devs',
  'deal',
  'bill',
  'pay',
  'paid',
  'done',
  'gone',
  'none',
  'note',
  'notes',
  'need',
  'stop',
  'step',
]);

interface Phrase {
  readonly words: readonly string[];
  readonly type: Exclude<SlotType, 'Version'>;
  readonly value: string;
}

/**
 * Finds and resolves slot values: configured names and aliases (case-insensitive, one typo tolerated),
 * pipelines by their service's names, and version tags. The same resolver serves the local matcher
 * and any other NLU, so a value always resolves to the same canonical name.
 */
export class SlotResolver {
  private readonly phrases = new Map<string, Phrase[]>();
  private readonly maxPhraseLength: number;
  private readonly typos: TypoIndex;
  private readonly pipelineOfService = new Map<string, string>();
  private readonly grammar: Set<string>;

  constructor(
    private readonly vocabulary: Vocabulary,
    /** Words of the intents' own grammar: never mistaken for a typo of a name. */
    grammarWords: Iterable<string> = [],
  ) {
    const add = (type: Phrase['type'], value: string, spelling: string) => {
      for (const variant of new Set([spelling, spelling.replace(/[-_]/g, ' ')])) {
        const words = tokenize(variant).map((t) => t.word);
        if (words.length === 0) continue;
        const first = words[0] as string;
        const list = this.phrases.get(first) ?? [];
        list.push({ words, type, value });
        this.phrases.set(first, list);
      }
    };
    // A name in every spelling: its aliases, and its words in the other languages opsbot reads.
    const spellings = (t: NamedThing) => [t.name, ...t.aliases, ...Object.values(t.words ?? {}).flat()];
    for (const s of vocabulary.services) for (const n of spellings(s)) add('Service', s.name, n);
    for (const e of vocabulary.environments) for (const n of spellings(e)) add('Environment', e.name, n);
    for (const a of vocabulary.accounts ?? []) for (const n of spellings(a)) add('Account', a.name, n);
    for (const p of PERIODS) for (const n of spellings(p)) add('Period', p.name, n);
    for (const p of vocabulary.pipelines) {
      for (const n of [p.name, ...p.aliases]) add('Pipeline', p.name, n);
      if (p.service !== undefined) this.pipelineOfService.set(p.service, p.name);
    }
    this.maxPhraseLength = Math.max(1, ...[...this.phrases.values()].flat().map((p) => p.words.length));
    const grammar = new Set(grammarWords);
    // A typo is corrected to a configured name even when the sample utterances use that word too (Spanish says
    // "staging"); the everyday words of periods ("the", "week", "next") are never a typo's correction.
    const configured = (w: string) => this.phrases.get(w)?.some((p) => p.type !== 'Period') === true;
    // A configured name that is an everyday word ("worker") is corrected to as well: the everyday words near it
    // ("worked", "works") are never corrected (`phraseAt`).
    const singleWords = [...this.phrases.keys()].filter((w) =>
      configured(w) ? true : !grammar.has(w) && !COMMON_WORDS.has(w),
    );
    this.typos = new TypoIndex(singleWords);
    this.grammar = grammar;
  }

  /** Entities in `tokens`, left to right, longest phrase first; one-typo names are corrected. */
  extract(tokens: readonly Token[]): Entity[] {
    const found: Entity[] = [];
    let i = 0;
    while (i < tokens.length) {
      const entity = this.phraseAt(tokens, i) ?? this.daysAt(tokens, i) ?? this.versionAt(tokens, i);
      if (entity !== undefined) {
        found.push(entity);
        i = entity.end;
      } else {
        i++;
      }
    }
    return found.map((entity) => this.asPipeline(entity, tokens));
  }

  /**
   * "the web pipeline", "the worker build", "pipelines api", "el pipeline de api": a service named beside a pipeline
   * word means its pipeline.
   */
  private asPipeline(entity: Entity, tokens: readonly Token[]): Entity {
    if (entity.type !== 'Service') return entity;
    const pipeline = this.pipelineOfService.get(entity.value);
    const before = tokens[entity.start - 1]?.word;
    const beside = [
      before,
      tokens[entity.end]?.word,
      before !== undefined && PIPELINE_OF.has(before) ? tokens[entity.start - 2]?.word : undefined,
    ];
    if (pipeline === undefined || !beside.some((w) => w !== undefined && PIPELINE_WORDS.has(w))) return entity;
    return { ...entity, type: 'Pipeline', value: pipeline };
  }

  private phraseAt(tokens: readonly Token[], i: number): Entity | undefined {
    const token = tokens[i] as Token;
    const exact = this.longestPhrase(tokens, i, token.word);
    if (exact !== undefined) return exact;
    if (this.grammar.has(token.word) || COMMON_WORDS.has(token.word) || VERSION.test(token.word)) return undefined;
    // One typo from two spellings of the same thing ("prodution": production, Produktion) is that thing.
    const read = this.typos.candidates(token.word).map((word) => this.longestPhrase(tokens, i, word));
    const [first] = read;
    return first !== undefined &&
      read.every((e) => e !== undefined && e.type === first.type && e.value === first.value && e.end === first.end)
      ? first
      : undefined;
  }

  private longestPhrase(tokens: readonly Token[], i: number, first: string): Entity | undefined {
    const candidates = this.phrases.get(first);
    if (candidates === undefined) return undefined;
    let best: Phrase | undefined;
    for (const phrase of candidates) {
      if (phrase.words.length > this.maxPhraseLength || i + phrase.words.length > tokens.length) continue;
      const fits = phrase.words.every((w, k) => {
        const word = tokens[i + k]?.word;
        // The last word of a Korean phrase may carry its particle ("다음 달에").
        return (
          k === 0 || word === w || (k === phrase.words.length - 1 && word !== undefined && withoutParticle(word) === w)
        );
      });
      if (fits && (best === undefined || phrase.words.length > best.words.length)) best = phrase;
    }
    return best && { type: best.type, value: best.value, start: i, end: i + best.words.length };
  }

  /** "3 days", "10 day", "7d": a span of days from now (1 to 90). */
  private daysAt(tokens: readonly Token[], i: number): Entity | undefined {
    // "next 3 days": the "next" belongs to the span.
    if (NEXT.has(tokens[i]?.word ?? '')) {
      const span = this.daysAt(tokens, i + 1);
      return span === undefined ? undefined : { ...span, start: i };
    }
    const word = tokens[i]?.word ?? '';
    const short = /^(\d{1,2})d$/.exec(word);
    const count = short?.[1] ?? (/^\d{1,2}$/.test(word) && DAYS.test(tokens[i + 1]?.word ?? '') ? word : undefined);
    const days = Number(count);
    if (count === undefined || days < 1 || days > 90) return undefined;
    return { type: 'Period', value: `${days}-days`, start: i, end: i + (short !== null ? 1 : 2) };
  }

  private versionAt(tokens: readonly Token[], i: number): Entity | undefined {
    const token = tokens[i] as Token;
    // A number said as a time ("bis 17 Uhr", "until 5 pm", "at 12") is no tag; "deploy web prod 42" has one.
    const time =
      /^\d{1,2}$/.test(token.original) &&
      (TIME_BEFORE.has(tokens[i - 1]?.word ?? '') || TIME_AFTER.has(tokens[i + 1]?.word ?? ''));
    const looksLikeVersion = VERSION.test(token.original) && /\d|latest|stable/i.test(token.original) && !time;
    const cue = i > 0 ? (tokens[i - 1]?.word ?? '') : '';
    const cued =
      VERSION_CUES.has(cue) &&
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(token.original) &&
      (!LOOSE_CUES.has(cue) || /\d/.test(token.original));
    if (!looksLikeVersion && !(cued && !this.grammar.has(token.word) && !NOT_TAGS.has(token.word))) return undefined;
    return { type: 'Version', value: digestOrTag(token.original), start: i, end: i + 1 };
  }

  /**
   * Resolves one value (as a person or Lex gave it) to its canonical name for a slot type.
   * A pipeline also resolves from its service's names (`frontend` → `web-pipeline`).
   */
  resolve(type: SlotType, value: string): string | undefined {
    const tokens = tokenize(value);
    if (tokens.length === 0) return undefined;
    if (type === 'Version') {
      const only = tokens.length === 1 ? (tokens[0] as Token) : undefined;
      // A tag has a digit in it (or is a well-known moving tag): "help" or "prod" in reply to "which version?" is not one.
      const tag = only?.original;
      if (tag !== undefined && DIGEST.test(tag)) return digestOrTag(tag);
      return tag !== undefined &&
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(tag) &&
        (/\d/.test(tag) || /^(latest|stable)$/i.test(tag))
        ? tag
        : undefined;
    }
    // A name of exactly this type (an account called like an environment resolves as the account).
    const words = tokens.map((t) => t.word);
    const exact = this.phrases
      .get(words[0] as string)
      ?.find((p) => p.type === type && p.words.length === words.length && p.words.every((w, k) => w === words[k]));
    if (exact !== undefined) return exact.value;
    const entities = this.extract(tokens);
    // A span of time as Lex hands it over ("the next 3 days"): the one period in it.
    if (type === 'Period') {
      const periods = entities.filter((e) => e.type === 'Period');
      return periods.length === 1 ? periods[0]?.value : undefined;
    }
    if (entities.length !== 1) return undefined;
    const entity = entities[0] as Entity;
    if (entity.start !== 0 || entity.end < tokens.length - (tokens.at(-1)?.word === 'pipeline' ? 1 : 0)) {
      return undefined;
    }
    if (entity.type === type) return entity.value;
    if (type === 'Pipeline' && entity.type === 'Service') return this.pipelineOfService.get(entity.value);
    return undefined;
  }

  /** The pipeline that builds a service, when configured. */
  pipelineOf(service: string): string | undefined {
    return this.pipelineOfService.get(service);
  }

  /** Closest configured names of a type, for "did you mean …?". */
  suggest(type: SlotType, value: string): string[] {
    if (type === 'Pipeline') {
      const byService = closest(
        value,
        this.vocabulary.services.flatMap((s) => [s.name, ...s.aliases]),
      );
      const pipelines = byService
        .map((name) => this.resolve('Pipeline', name))
        .filter((p): p is string => p !== undefined);
      return [...new Set([...closest(value, namesOf(this.vocabulary, 'Pipeline')), ...pipelines])].slice(0, 3);
    }
    const things =
      type === 'Service'
        ? this.vocabulary.services
        : type === 'Account'
          ? (this.vocabulary.accounts ?? [])
          : type === 'Period'
            ? PERIODS
            : this.vocabulary.environments;
    const spellings = things.flatMap((t) => [t.name, ...t.aliases]);
    const canonical = closest(value, spellings, 6).map((s) => this.resolve(type, s) ?? s);
    return [...new Set(canonical)].slice(0, 3);
  }
}
