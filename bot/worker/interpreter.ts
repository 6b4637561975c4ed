import { createHash } from 'node:crypto';
import type { DialogState, Nlu, RawSlotValue } from '../../integrations/nlu.port';
import type { IntentDefinition } from '../../intents/define-intent';
import { LEX_LOCALES } from '../../intents/languages';
import type { LanguageGuess } from '../../intents/matcher/language-id';
import {
  type Classification,
  FALLBACK_INTENT,
  type LocalMatcher,
  type UnresolvedSlot,
} from '../../intents/matcher/local-matcher';
import type { MeaningReader, Reading } from '../../intents/matcher/meaning-reader';
import { cleanSlackText } from '../../intents/matcher/normalize';
import type { IntentRegistry } from '../../intents/registry';
import type { Log } from '../logger';

/**
 * What the worker needs to know about a message: intent, canonical slots, where the dialog stands, and what it
 * means (its language and mood: a negated request is declined, not planned).
 */
export interface Understanding extends Classification, Partial<Omit<Reading, keyof Classification>> {
  readonly state: DialogState;
  readonly slotToElicit?: string;
  /** The NLU service's own question, when it asked for a slot. */
  readonly prompt?: string;
  readonly source: 'lex' | 'matcher';
}

/** The longest opsbot waits for Lex, whatever time is left. */
const LEX_TIMEOUT_MS = 2500;

/**
 * A Lex session id for a person in a thread: hashed, so no names or ids of people reach Lex (as Lex advises);
 * the same thread gives the same session, a new thread a new one.
 */
export function lexSessionId(
  teamId: string | undefined,
  channel: string,
  threadTs: string | undefined,
  userId: string,
): string {
  return createHash('sha256')
    .update(`${teamId ?? '-'}|${channel}|${threadTs ?? 'main'}|${userId}`)
    .digest('hex')
    .slice(0, 40);
}

/**
 * Understands a message with Lex when it is configured (in the locale of the language it is written in), and with
 * the local matcher otherwise or when Lex fails (throttled, too slow, unavailable); what Lex places nothing for, the
 * matcher may still read by a request's shape, and an action so read is asked back. Either way, slot values are
 * resolved to configured names by the matcher's resolver, and the message is read for its meaning (a negated,
 * hypothetical or conceptual request never becomes an action), before any handler sees it.
 */
export class Interpreter {
  constructor(
    private readonly matcher: LocalMatcher,
    private readonly registry: IntentRegistry,
    private readonly log: Log,
    private readonly lex?: Nlu,
    private readonly botUserId?: string,
    private readonly meaning?: MeaningReader,
  ) {}

  get usesLex(): boolean {
    return this.lex !== undefined;
  }

  async understand(
    text: string,
    context: { sessionId: string; deadline?: number; now?: number },
  ): Promise<Understanding> {
    const cleaned = cleanSlackText(text, this.botUserId);
    const guess: LanguageGuess = (await this.meaning?.language(cleaned)) ?? { language: 'en' };
    const read = async (understood: Understanding): Promise<Understanding> => {
      if (this.meaning === undefined) return understood;
      const reading = await this.meaning.read(understood, guess);
      return {
        ...understood,
        ...reading,
        ...(reading.intent !== understood.intent && { state: reading.intent === FALLBACK_INTENT ? 'failed' : 'ready' }),
      };
    };
    if ('unsupported' in guess) return read(this.fallback(cleaned, 'matcher'));
    if (this.lex !== undefined) {
      const now = context.now ?? Date.now();
      const left = context.deadline === undefined ? LEX_TIMEOUT_MS : (context.deadline - now) / 4;
      const timeoutMs = Math.max(100, Math.min(LEX_TIMEOUT_MS, left));
      try {
        const result = await this.lex.interpret(
          cleaned,
          { sessionId: context.sessionId },
          { timeoutMs, localeId: LEX_LOCALES[guess.language] },
        );
        const lexUnderstood = this.resolve(cleaned, result.intent, result.slots, {
          state: result.state,
          ...(result.slotToElicit !== undefined && { slotToElicit: result.slotToElicit }),
          ...(result.prompt !== undefined && { prompt: result.prompt }),
          confidence: result.confidence ?? 1,
        });
        return read(
          lexUnderstood.intent === FALLBACK_INTENT ? this.afterLexFallback(cleaned, lexUnderstood) : lexUnderstood,
        );
      } catch (error) {
        this.log.warn('nlu.lex_failed_using_matcher', { error: (error as Error).name, timeoutMs });
      }
    }
    const local = this.matcher.classify(cleaned);
    return read({ ...local, state: local.intent === FALLBACK_INTENT ? 'failed' : 'ready', source: 'matcher' });
  }

  /**
   * What Lex placed nothing for, the local matcher may still read by its request shapes ("lock web prod, migrating
   * the db", "web stg -> prod"): a loose placement, so an action is asked back first.
   */
  private afterLexFallback(text: string, lexUnderstood: Understanding): Understanding {
    const local = this.matcher.classify(text);
    if (local.intent === FALLBACK_INTENT) return lexUnderstood;
    this.log.debug('nlu.lex_fallback_read_by_matcher', { intent: local.intent });
    return { ...local, loose: true, state: 'ready', source: 'matcher' };
  }

  private fallback(text: string, source: Understanding['source']): Understanding {
    return { text, intent: FALLBACK_INTENT, slots: {}, confidence: 0, state: 'failed', source };
  }

  /** Lex's raw slot values → configured names; the first value that names nothing configured is reported. */
  private resolve(
    text: string,
    intentName: string,
    raw: Readonly<Record<string, RawSlotValue>>,
    extra: { state: DialogState; slotToElicit?: string; prompt?: string; confidence: number },
  ): Understanding {
    const intent: IntentDefinition | undefined = this.registry.get(intentName);
    if (intent === undefined || intent.name === FALLBACK_INTENT) {
      return { text, intent: FALLBACK_INTENT, slots: {}, confidence: extra.confidence, state: 'failed', source: 'lex' };
    }
    const slots: Record<string, string> = {};
    let unresolved: UnresolvedSlot | undefined;
    for (const [slot, value] of Object.entries(raw)) {
      const declaration = intent.slots[slot];
      if (declaration === undefined) continue;
      const candidates = declaration.type === 'Version' ? [value.original] : [value.interpreted, value.original];
      const resolved = candidates
        .filter((c): c is string => c !== undefined)
        .map((c) => this.matcher.resolver.resolve(declaration.type, c))
        .find((c) => c !== undefined);
      if (resolved !== undefined) slots[slot] = resolved;
      else if (unresolved === undefined) {
        unresolved = {
          slot,
          type: declaration.type,
          value: value.original,
          suggestions: this.matcher.resolver.suggest(declaration.type, value.original),
        };
      }
    }
    return {
      text,
      intent: intent.name,
      slots,
      ...(unresolved !== undefined && { unresolved }),
      source: 'lex',
      ...extra,
    };
  }
}
