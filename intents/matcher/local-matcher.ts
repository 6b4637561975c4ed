import type { IntentDeclaration } from '../define-intent';
import type { SlotType, Vocabulary } from '../vocabulary';
import { isSubsequence, isSwap, TypoIndex } from './fuzzy';
import { cleanSlackText, stem, type Token, tokenize } from './normalize';
import {
  AFTER_THE_NAMES,
  BECAUSE,
  BETWEEN_NAMES,
  CONTRACTIONS,
  leadingVerbs,
  mover,
  NAME_PLACE,
  NAME_TYPES,
  TARGET_WORDS,
} from './request-shapes';
import { COMMON_WORDS, type Entity, SlotResolver } from './resolver';
import {
  FALLBACK_INTENT,
  FUNCTION_WORDS,
  type GrammarTables,
  grammarTables,
  SOFT_TYPES,
  STOPWORDS,
  slotFeature,
} from './tables';

export { FALLBACK_INTENT } from './tables';

/** A slot value the person gave that matches nothing configured. */
export interface UnresolvedSlot {
  readonly slot: string;
  readonly type: SlotType;
  readonly value: string;
  readonly suggestions: readonly string[];
}

export interface Classification {
  readonly text: string;
  readonly intent: string;
  /** Canonical slot values. */
  readonly slots: Readonly<Record<string, string>>;
  /** 0..1: how closely the utterance matched the intent's sample utterances. */
  readonly confidence: number;
  /** A value in a slot's place that resolves to nothing configured. */
  readonly unresolved?: UnresolvedSlot;
  /** The intent was chosen through a corrected typo of its keyword ("roll bak"): worth asking "did you mean …?". */
  readonly corrected?: boolean;
  /**
   * Placed without the words of any sample utterance (names alone, a service sent somewhere without a verb) or where
   * another NLU placed nothing: an action so placed is asked back, never done.
   */
  readonly loose?: boolean;
  /** The request itself, when the person said more after it ("lock web prod *because …*"): what its mood is read on. */
  readonly request?: string;
}

/** Words before a name that make it the source of a move, not its target ("promote web *from* staging to prod"). */
const SOURCE_BEFORE: ReadonlySet<string> = new Set(['from', 'von', 'aus', 'desde']);
/** Verbs that make one place like another: what follows their "with" is the source ("sync prod with staging"). */
const SYNC = /^\s*(?:sync|align|match)\b/i;
/** Korean particles after a name that make it the source ("스테이징*에서*"). */
const SOURCE_AFTER: ReadonlySet<string> = new Set(['에서', '부터']);
/** Words before a name that make it the target ("promote web from staging *to* prod"). */
const TARGET_BEFORE: ReadonlySet<string> = new Set(['to', 'into', 'onto', 'nach', 'auf', 'hacia', 'a', 'al']);
/** Korean particles after a name that make it the target ("프로덕션*으로*"). */
const TARGET_AFTER: ReadonlySet<string> = new Set(['로', '으로']);

/**
 * How close a message is to a sample utterance: the share of the sample's weight the message covers (recall,
 * `dot / |t|²`) and of the message's weight the sample covers (precision, `dot / |m|²`), weighed as
 * `recall^RECALL · precision^(1 − RECALL)` = `dot / (|t|^(2·RECALL) · |m|^(2 − 2·RECALL))`, so that words the person
 * added (a lock's reason, a greeting) cost less than words of the sample they left out. With RECALL ½ this is the
 * cosine similarity.
 */
const RECALL = 0.65;

/** Below this similarity an utterance is not placed; it goes to the fallback intent. */
const THRESHOLD = 0.34;

/** How much less close a question that can hold what the message names may be, and still be taken instead. */
const ELSEWHERE = 0.7;

/** A similarity this close is a sample utterance said almost word for word. */
const CLOSE = 0.8;

interface Template {
  readonly intent: string;
  /** Its norm raised to twice {@link RECALL}: its share of the similarity's denominator, computed once. */
  readonly scale: number;
}

/**
 * The embedded default NLU: the grammar compiled from the intent declarations (prebuilt in the deployed bundles,
 * `tables.ts`) and the configured names.
 * An utterance becomes a bag of word stems and slot types, scored against every sample utterance
 * (cosine similarity, words weighted by how few intents use them); the best intent wins if it is
 * close enough, and its slots are filled from the values found.
 */
export class LocalMatcher {
  readonly resolver: SlotResolver;
  private readonly templates: Template[] = [];
  /** Each template's score for the message being classified; zero between messages. */
  private scores: Float64Array | undefined;
  private readonly postings = new Map<string, Array<{ template: number; weight: number }>>();
  private readonly idf: ReadonlyMap<string, number>;
  private readonly keywords: readonly string[];
  /** Built when a word first needs correcting: many requests never do. */
  private keywordTypos: TypoIndex | undefined;
  private readonly intents: ReadonlyMap<string, IntentDeclaration>;
  /** The intent that declares a source slot (a promotion), once looked up; null when there is none. */
  private promotion: IntentDeclaration | null | undefined;
  /** Classifications read as promotions by their two places (see `promotionOf`). */
  private readonly promoted = new WeakSet<Classification>();
  private readonly unknownWeight: number;
  /** The verbs that begin one action's sample utterances and no other action's, with that action. */
  private leadingVerbs: ReadonlyMap<string, IntentDeclaration> | undefined;
  /** The action whose sample utterances move a service somewhere ("deploy {service} to {environment}"). */
  private move: IntentDeclaration | null | undefined;

  /**
   * @param tables the grammar compiled from these declarations; by default the tables the bundle carries for them
   *   (`infra/bundling/bundling.ts`), else compiled now.
   */
  constructor(
    intents: readonly IntentDeclaration[],
    vocabulary: Vocabulary,
    tables: GrammarTables = grammarTables(intents),
  ) {
    this.intents = new Map(intents.map((i) => [i.name, i]));
    this.resolver = new SlotResolver(vocabulary, tables.grammar);
    this.keywords = tables.keywords;
    this.idf = new Map(tables.idf);
    this.unknownWeight = tables.unknownWeight;
    for (const { name, templates } of tables.intents) {
      for (const features of templates) {
        const template = this.templates.length;
        let sum = 0;
        for (const f of features) {
          const [feature, weight] = tables.idf[f] as readonly [string, number];
          sum += weight * weight;
          const list = this.postings.get(feature) ?? [];
          list.push({ template, weight });
          this.postings.set(feature, list);
        }
        this.templates.push({ intent: name, scale: Math.sqrt(sum) ** (2 * RECALL) });
      }
    }
  }

  /**
   * Classifies one utterance (raw Slack text is fine: markup is cleaned first).
   * @example
   * matcher.classify('ship billing to production') // { intent: 'Deploy', slots: { service: 'payments', environment: 'prod' }, … }
   */
  classify(rawText: string, botUserId?: string): Classification {
    const text = cleanSlackText(rawText, botUserId);
    // "promote web staging -> prod": an arrow says where to ("prod <- stg" too, the other way round).
    const arrows = leftArrows(text).replace(/\s*(?:->|=>|→)\s*/g, ' to ');
    // "sync prod with staging": after a verb that makes one place like another, "with" says where from.
    const read = SYNC.test(arrows) ? arrows.replace(/\swith\s/i, ' from ') : arrows;
    const said = this.saidByItsVerb(text, read);
    if (said !== undefined) {
      const tokens = tokenize(read);
      return this.promotionOf(said, tokens, this.resolver.extract(tokens));
    }
    const placed = this.placed(text, read);
    // "put a freeze on payments prod for the release window": the request is said before its reason, whose words
    // ("release") must not make it another action.
    const head = read.split(BECAUSE, 1)[0] ?? read;
    // "… for api": a name after "for" is the request's own, not the start of its reason.
    const forName = /^\s*for\s+(?:the\s+)?([^\s,.;!?]+)/i.exec(read.slice(head.length))?.[1];
    if (forName !== undefined && this.namesAnything(forName)) return placed;
    // A promotion said with both its places ("… for the api over to prod") is read whole: "for" ends no request there.
    if (head.length === read.length || !this.intents.get(placed.intent)?.sideEffects || this.promoted.has(placed))
      return placed;
    const first = this.placed(text, head);
    const another = first.intent !== placed.intent && this.intents.get(first.intent)?.sideEffects === true;
    return another && Object.keys(first.slots).length > 0 ? { ...first, request: head } : placed;
  }

  /** The intent whose sample utterances `read` is closest to, and its slots: `text` as the person wrote it. */
  private placed(text: string, read: string): Classification {
    const tokens = tokenize(read);
    const entities = this.resolver.extract(tokens);
    return this.promotionOf(this.closest(text, tokens, entities), tokens, entities);
  }

  /**
   * A move said with where it comes from and no version ("copy web from dev to staging", "web stg -> prod", "take
   * the backend build from stg to production") is a promotion: the image that runs there, taken on. Read as the
   * intent that declares a source slot, whatever verb it was said with.
   */
  private promotionOf(c: Classification, tokens: readonly Token[], entities: readonly Entity[]): Classification {
    const intent = this.intents.get(c.intent);
    if (this.promotion === undefined)
      this.promotion =
        [...this.intents.values()].find((i) => Object.values(i.slots).some((s) => s.source === true)) ?? null;
    const promotion = this.promotion;
    if (intent === undefined || promotion === null) return c;
    if (this.move === undefined) this.move = mover(this.intents.values()) ?? null;
    if (entities.some((e) => e.type === 'Version')) {
      // A promotion takes what runs; one that names its version ("web 1.9.3 von stage nach prod promoten") deploys it.
      const move = this.move;
      if (c.intent !== promotion.name || move === null) return c;
      const { slots, unresolved } = this.fillSlots(move, tokens, entities);
      const { unresolved: _unresolved, ...rest } = c;
      return { ...rest, intent: move.name, slots, ...(unresolved !== undefined && { unresolved }) };
    }
    if (promotion.name === c.intent) return c;
    const places = entities.filter((e) => e.type === 'Environment');
    if (new Set(places.map((e) => e.value)).size < 2) return c;
    const marked = (e: Entity, before: ReadonlySet<string>, after: ReadonlySet<string>) =>
      before.has(tokens[e.start - 1]?.word ?? '') || after.has(tokens[e.end]?.word ?? '');
    const from = places.some((e) => marked(e, SOURCE_BEFORE, SOURCE_AFTER));
    const to = places.some((e) => marked(e, TARGET_BEFORE, TARGET_AFTER));
    // A move (its verb says where to) with two places; anything else only with both ends said ("from … to …").
    const moves = intent === this.move;
    if (!(moves ? from || to : intent.sideEffects ? false : from && to)) return c;
    const { slots, unresolved } = this.fillSlots(promotion, tokens, entities);
    const source = Object.entries(promotion.slots).find(([, s]) => s.source === true)?.[0] as string;
    if (slots[source] === undefined) return c;
    const { unresolved: _unresolved, ...rest } = c;
    const promoted = { ...rest, intent: promotion.name, slots, ...(unresolved !== undefined && { unresolved }) };
    this.promoted.add(promoted);
    return promoted;
  }

  private closest(text: string, tokens: readonly Token[], entities: readonly Entity[]): Classification {
    const corrections = { count: 0 };
    const features = this.featuresOf(tokens, entities, corrections);

    // One buffer for every message (its entries zeroed again below): thousands of templates in four languages.
    this.scores ??= new Float64Array(this.templates.length);
    const scores = this.scores;
    const touched: number[] = [];
    let inputNorm = 0;
    let keywordHits = 0;
    for (const f of features) {
      const list = this.postings.get(f);
      const w = this.idf.get(f) ?? this.unknownWeight;
      inputNorm += w * w;
      if (list === undefined) continue;
      if (!f.startsWith('$') && !FUNCTION_WORDS.has(f)) keywordHits++;
      for (const { template, weight } of list) {
        if (scores[template] === 0) touched.push(template);
        scores[template] = (scores[template] as number) + weight * w;
      }
    }
    // The message's share of the similarity's denominator (see RECALL), once for all its candidates.
    const inputScale = Math.sqrt(inputNorm) ** (2 - 2 * RECALL);

    // Only the sample utterances sharing a feature can score; in declaration order, so a tie goes to the first.
    touched.sort((a, b) => a - b);
    let best = -1;
    let bestScore = 0;
    // A pipeline named in a question about status is a question about that pipeline ("wie ist der Status der
    // api-pipeline?"), unless the words are much closer to another question.
    const pipelineNamed = entities.some((e) => e.type === 'Pipeline');
    let bestHolding = -1;
    let bestHoldingScore = 0;
    for (const t of touched) {
      const s = (scores[t] as number) / ((this.templates[t] as Template).scale * inputScale);
      if (s > bestScore + 1e-9) {
        bestScore = s;
        best = t;
      }
      if (pipelineNamed && s > bestHoldingScore + 1e-9 && this.holdsPipeline((this.templates[t] as Template).intent)) {
        bestHoldingScore = s;
        bestHolding = t;
      }
    }
    for (const t of touched) scores[t] = 0;
    const bestIntent = best < 0 ? undefined : this.intents.get((this.templates[best] as Template).intent);
    if (
      bestHolding >= 0 &&
      bestIntent !== undefined &&
      !bestIntent.sideEffects &&
      !this.holdsPipeline(bestIntent.name) &&
      bestHoldingScore >= ELSEWHERE * bestScore
    ) {
      best = bestHolding;
      bestScore = bestHoldingScore;
    }
    // Question words alone place nothing ("what time is it?"), unless with a name they are a sample utterance
    // almost word for word ("what's on prod").
    const placedByNames = bestScore >= CLOSE && entities.some((e) => !SOFT_TYPES.has(e.type));
    // The keyword must be the placed utterance's own: "who broke the coffee machine" shares "who" with "who deployed
    // web" and "broke" with a pipeline question, and is neither. A name said ("what tag is billing on in stage")
    // places the question with its words.
    const ownKeyword =
      best >= 0 &&
      (entities.some((e) => !SOFT_TYPES.has(e.type)) || [...features].some((f) => this.isKeywordOf(f, best)));
    if (best < 0 || ((keywordHits === 0 || !ownKeyword) && !placedByNames) || bestScore < THRESHOLD) {
      return (
        this.moveOf(text, tokens, entities) ??
        this.pipelineNamedIn(text, tokens, entities, bestHolding) ?? {
          text,
          intent: FALLBACK_INTENT,
          slots: {},
          confidence: round(1 - bestScore),
        }
      );
    }
    const intentName = (this.templates[best] as Template).intent;
    const intent = this.intents.get(intentName) as IntentDeclaration;
    const { slots, unresolved } = this.fillSlots(intent, tokens, entities);
    return {
      text,
      intent: intentName,
      slots,
      confidence: round(bestScore),
      ...(unresolved !== undefined && { unresolved }),
      ...(corrections.count > 0 && { corrected: true }),
      // Placed by its names alone, it is no surer than a move without a verb: an action is asked back.
      ...(keywordHits === 0 && { loose: true }),
    };
  }

  /**
   * A pipeline named where nothing else was understood ("why did the api pipeline break on tuesday") is asked
   * about: its status, by the closest question that holds a pipeline.
   */
  private pipelineNamedIn(
    text: string,
    tokens: readonly Token[],
    entities: readonly Entity[],
    closest: number,
  ): Classification | undefined {
    const intent = closest < 0 ? undefined : this.intents.get((this.templates[closest] as Template).intent);
    if (intent === undefined || intent.sideEffects) return undefined;
    const { slots } = this.fillSlots(intent, tokens, entities);
    return { text, intent: intent.name, slots, confidence: THRESHOLD, loose: true };
  }

  /** Whether `feature` is a word (not a slot, not a function word) of the sample utterance `template`. */
  private isKeywordOf(feature: string, template: number): boolean {
    if (feature.startsWith('$') || FUNCTION_WORDS.has(feature)) return false;
    return this.postings.get(feature)?.some((p) => p.template === template) === true;
  }

  private holdsPipeline(intentName: string): boolean {
    const intent = this.intents.get(intentName);
    return intent !== undefined && Object.values(intent.slots).some((slot) => slot.type === 'Pipeline');
  }

  /**
   * Reads text as the data of an intent already chosen (a slash command's first word chose it): its slots only, from
   * whatever the text names; no word in it can choose another intent.
   */
  classifyAs(intentName: string, rawText: string): Classification {
    const intent = this.intents.get(intentName);
    if (intent === undefined) throw new Error(`classifyAs: no intent ${intentName}`);
    const text = cleanSlackText(rawText);
    const { slots, unresolved } = this.fillSlots(intent, tokenize(text));
    return { text, intent: intentName, slots, confidence: 1, ...(unresolved !== undefined && { unresolved }) };
  }

  /** True when a word names a configured service or environment (by name or alias). */
  namesAnything(word: string): boolean {
    return (
      this.resolver.resolve('Service', word) !== undefined || this.resolver.resolve('Environment', word) !== undefined
    );
  }

  /** Fills an intent's slots from the entities found; a leftover unknown word in a missing slot's place is reported. */
  fillSlots(
    intent: IntentDeclaration,
    tokens: readonly Token[],
    entities: readonly Entity[] = this.resolver.extract(tokens),
  ): { slots: Record<string, string>; unresolved?: UnresolvedSlot } {
    const slots: Record<string, string> = {};
    const used = new Set<Entity>();
    const declared = Object.entries(intent.slots);
    // "from staging to prod": of two values of a type, the target fills the slot, and a source only when nothing
    // else of its type does.
    const beside = (e: Entity, before: ReadonlySet<string>, after: ReadonlySet<string>) =>
      before.has(tokens[e.start - 1]?.word ?? '') || after.has(tokens[e.end]?.word ?? '');
    const isSource = (e: Entity) => beside(e, SOURCE_BEFORE, SOURCE_AFTER);
    const isTarget = (e: Entity) => beside(e, TARGET_BEFORE, TARGET_AFTER);
    // A source slot first: the value said as the source, or the first of two said with neither marked.
    for (const [slot, declaration] of declared) {
      if (declaration.source !== true) continue;
      const ofType = entities.filter((e) => !used.has(e) && e.type === declaration.type);
      // Said before the target, unmarked: "promote web staging prod", "web stg to prod" (not "… to staging, not prod").
      const target = ofType.find(isTarget) ?? ofType.at(-1);
      const entity =
        ofType.find(isSource) ??
        (ofType.length > 1 && target !== undefined
          ? ofType.find((e) => !isTarget(e) && e.start < target.start)
          : undefined);
      if (entity !== undefined) {
        used.add(entity);
        slots[slot] = entity.value;
      }
    }
    for (const [slot, declaration] of declared) {
      if (slots[slot] !== undefined) continue;
      if (declaration.source === true) continue;
      const ofType = entities.filter((e) => !used.has(e) && e.type === declaration.type);
      const entity =
        (ofType.length > 1 ? ofType.find((e) => isTarget(e) && !isSource(e)) : undefined) ??
        ofType.find((e) => !isSource(e)) ??
        ofType[0];
      if (entity !== undefined) {
        used.add(entity);
        slots[slot] = entity.value;
      }
    }
    // A word that names two things (an environment and an account both called "prod") fills the slot asking for
    // the other one when nothing else does.
    for (const [slot, declaration] of declared) {
      if (
        slots[slot] !== undefined ||
        declaration.type === 'Version' ||
        declaration.type === 'Pipeline' ||
        declaration.source === true
      )
        continue;
      for (const entity of entities) {
        if (used.has(entity)) continue;
        const words = tokens
          .slice(entity.start, entity.end)
          .map((t) => t.original)
          .join(' ');
        const value = this.resolver.resolve(declaration.type, words);
        if (value !== undefined) {
          used.add(entity);
          slots[slot] = value;
          break;
        }
      }
    }
    for (const [slot, declaration] of declared) {
      if (declaration.type !== 'Pipeline' || slots[slot] !== undefined) continue;
      const service = entities.find((e) => !used.has(e) && e.type === 'Service');
      const pipeline = service && this.resolver.pipelineOf(service.value);
      if (service !== undefined && pipeline !== undefined) {
        used.add(service);
        slots[slot] = pipeline;
      }
    }
    // An optional source is no missing name: "promote api to prod for the billing fix" has no source to ask about.
    const missing = declared.find(
      ([slot, d]) => slots[slot] === undefined && d.type !== 'Version' && d.source !== true,
    );
    if (missing === undefined) return { slots };
    const covered = new Set(entities.flatMap((e) => range(e.start, e.end)));
    const leftovers = tokens.filter(
      (t, i) =>
        !covered.has(i) && !STOPWORDS.has(t.word) && !this.isGrammar(t.word) && /^[a-z][a-z0-9_-]{1,}$/.test(t.word),
    );
    if (leftovers.length !== 1) return { slots };
    // A word in a name's place: beside a name, after "in", "on", "to"…, or in a terse request ("is foo locked").
    // "who's got the lock on api" and "was prod frozen over the weekend" name no environment "got" or service
    // "weekend".
    const at = tokens.indexOf(leftovers[0] as Token);
    const terse = tokens.filter((t) => !STOPWORDS.has(t.word)).length <= 3;
    const inPlace = covered.has(at - 1) || covered.has(at + 1) || NAME_PLACE.has(tokens[at - 1]?.word ?? '');
    if (!terse && !inPlace) return { slots };
    const [slot, declaration] = missing;
    const value = (leftovers[0] as Token).original;
    return {
      slots,
      unresolved: { slot, type: declaration.type, value, suggestions: this.resolver.suggest(declaration.type, value) },
    };
  }

  /**
   * An action said by its verb, then its names, then whatever the person adds: "lock web prod, migrating the db",
   * "please freeze deploys to web prod until 3pm". The verb chooses the action (it begins that action's sample
   * utterances and no other action's); the words after the names are the request's reason or time, not words
   * that choose an intent.
   */
  private saidByItsVerb(text: string, read: string): Classification | undefined {
    let head = read.split(AFTER_THE_NAMES, 1)[0] ?? '';
    // "sync prod with staging for api": a name after "for" is the request's own, not the start of its reason.
    const tail = read.slice(head.length);
    const forName = /^\s*for\s+(?:the\s+)?([^\s,.;!?]+)/i.exec(tail);
    if (forName?.[1] !== undefined && this.namesAnything(forName[1])) {
      // …and the names that follow it ("for payments in production").
      const words = tail.slice(forName[0].length).split(/(?=\s)/);
      let more = '';
      for (const w of words) {
        const word = w.trim().replace(/[,.;!?]+$/, '');
        if (!(this.namesAnything(word) || /^(?:in|on|and|the)$/i.test(word)) || /[,.;!?]$/.test(w.trim())) {
          if (this.namesAnything(word)) more += w;
          break;
        }
        more += w;
      }
      head = `${head}${forName[0]}${more}`;
    }
    const tokens = tokenize(head);
    const first = tokens.findIndex((t) => !STOPWORDS.has(t.word));
    this.leadingVerbs ??= leadingVerbs(this.intents.values());
    const word = first < 0 ? undefined : (tokens[first] as Token).word;
    // "live web prod": a name (prod's alias "live") is no verb.
    const intent = word === undefined || this.namesAnything(word) ? undefined : this.leadingVerbs.get(stem(word));
    if (intent === undefined) return undefined;
    const rest = tokens.slice(first + 1);
    const entities = this.resolver.extract(rest);
    const named = new Set(entities.flatMap((e) => (NAME_TYPES.has(e.type) ? range(e.start, e.end) : [])));
    if (named.size === 0 || !rest.every((t, i) => named.has(i) || BETWEEN_NAMES.has(t.word))) return undefined;
    const { slots } = this.fillSlots(intent, rest, entities);
    return { text, intent: intent.name, slots, confidence: 1, ...(head.length < read.length && { request: head }) };
  }

  /**
   * A service sent somewhere, without a verb opsbot knows: "web stg -> prod", "to prod with web v1.4.0 please",
   * "need jobs on staging with 1.4.7". A service and a version, a service and "to" an environment, or a service and
   * an environment and nothing else, with no word of any intent, make the action that moves services, asked back
   * before it is done; said as a question ("is worker on prod yet?") it is answered with its status by the meaning
   * reader, which runs after.
   */
  private moveOf(text: string, tokens: readonly Token[], entities: readonly Entity[]): Classification | undefined {
    if (!entities.some((e) => e.type === 'Service')) return undefined;
    const hasVersion = entities.some((e) => e.type === 'Version');
    const toPlace = entities.some((e) => e.type === 'Environment' && TARGET_WORDS.has(tokens[e.start - 1]?.word ?? ''));
    // "is worker on prod yet?": nothing but the names; "api prod 5xx errors spiking" says something else of them.
    const named = new Set(entities.flatMap((e) => range(e.start, e.end)));
    const onlyNames =
      entities.some((e) => e.type === 'Environment') &&
      tokens.every((t, i) => named.has(i) || STOPWORDS.has(t.word) || FUNCTION_WORDS.has(t.word));
    if (!hasVersion && !toPlace && !onlyNames) return undefined;
    if (this.move === undefined) this.move = mover(this.intents.values()) ?? null;
    const intent = this.move ?? undefined;
    if (intent === undefined) return undefined;
    const { slots, unresolved } = this.fillSlots(intent, tokens, entities);
    return {
      text,
      intent: intent.name,
      slots,
      confidence: THRESHOLD,
      loose: true,
      ...(unresolved !== undefined && { unresolved }),
    };
  }

  private isGrammar(word: string): boolean {
    if (this.idf.has(stem(word)) || this.correctKeyword(word) !== undefined) return true;
    const parts = word.split('-');
    return parts.length > 1 && !/\d/.test(word) && parts.every((part) => part === '' || this.isGrammar(part));
  }

  /** A keyword one typo away (`deply` → `deploy`); short and everyday words are left alone. */
  private correctKeyword(word: string): string | undefined {
    if (word.length < 3 || COMMON_WORDS.has(word)) return undefined;
    this.keywordTypos ??= new TypoIndex(this.keywords);
    const corrected = this.keywordTypos.correct(word);
    // Short words collide too easily (`sing` → `using`): below five letters only a swap of two letters counts, and
    // for three letters a dropped one too (`bak` → `back`).
    if (word.length >= 5) return corrected ?? this.twoTyposFrom(word);
    return corrected !== undefined && (isSwap(word, corrected) || (word.length === 3 && corrected.length === 4))
      ? corrected
      : undefined;
  }

  /**
   * The one long keyword a word of five letters or more is, two letters dropped (`rolbak` → `rollback`), its first
   * letter right. Only dropped letters: two letters changed make another word too often (`waiting` is not
   * `wartung`, `migrating` not `migration`).
   */
  private twoTyposFrom(word: string): string | undefined {
    let found: string | undefined;
    for (const keyword of this.keywords) {
      if (keyword.length !== word.length + 2 || keyword[0] !== word[0] || !isSubsequence(word, keyword)) continue;
      if (found !== undefined && stem(found) !== stem(keyword)) return undefined;
      found ??= keyword;
    }
    return found;
  }

  /** The message's features; `corrections` counts the keywords read through a typo. */
  private featuresOf(
    tokens: readonly Token[],
    entities: readonly Entity[],
    corrections: { count: number },
  ): Set<string> {
    const features = new Set<string>();
    let next = 0;
    for (const entity of entities) {
      this.addWords(features, tokens.slice(next, entity.start), corrections);
      // A period or an account fills its slot but does not choose the intent: "deploy web today" stays a deploy.
      if (SOFT_TYPES.has(entity.type)) this.addWords(features, tokens.slice(entity.start, entity.end), corrections);
      else features.add(slotFeature(entity.type));
      next = entity.end;
    }
    this.addWords(features, tokens.slice(next), corrections);
    return features;
  }

  private addWords(features: Set<string>, tokens: readonly Token[], corrections: { count: number }): void {
    for (const { word } of tokens) {
      if (STOPWORDS.has(word)) continue;
      const contracted = CONTRACTIONS.get(word);
      if (contracted !== undefined) {
        for (const part of contracted) features.add(stem(part));
        continue;
      }
      const s = stem(word);
      if (this.idf.has(s)) {
        features.add(s);
        continue;
      }
      // "AWS-Wartungen", "roll-back": a hyphenated word unknown as a whole is read as its parts.
      if (word.includes('-') && !/\d/.test(word)) {
        const parts = word.split('-').filter((part) => part !== '');
        if (parts.length > 1) {
          this.addWords(
            features,
            parts.map((part) => ({ word: part, original: part })),
            corrections,
          );
          continue;
        }
      }
      const corrected = this.correctKeyword(word);
      if (corrected !== undefined) corrections.count++;
      features.add(corrected === undefined ? s : stem(corrected));
    }
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, k) => start + k);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** "prod <- stg" said as "stg to prod": the word before a left arrow is where to. Linear in the text's length. */
function leftArrows(text: string): string {
  if (!/<-|<=|←/.test(text)) return text;
  const words = text.replace(/(<-|<=|←)/g, ' $1 ').split(/\s+/);
  for (let i = 1; i < words.length - 1; i++) {
    if (!/^(?:<-|<=|←)$/.test(words[i] as string)) continue;
    [words[i - 1], words[i], words[i + 1]] = [words[i + 1] as string, 'to', words[i - 1] as string];
  }
  return words.join(' ');
}
