import {
  type LexRuntimeV2Client,
  RecognizeTextCommand,
  type RecognizeTextCommandOutput,
} from '@aws-sdk/client-lex-runtime-v2';
import type { DialogState, Nlu, NluConversation, NluInterpretation, RawSlotValue } from '../nlu.port';

export interface LexBot {
  readonly botId: string;
  readonly botAliasId: string;
  /** The locale a message goes to when it is written in none the bot has. */
  readonly localeId: string;
  /** Every locale the bot was built with (one per language opsbot speaks); default: `localeId` alone. */
  readonly localeIds?: readonly string[];
}

/**
 * Amazon Lex V2 through `RecognizeText`. Lex decides the intent and the slots; opsbot fulfils (the bot has no
 * code hooks). Errors, throttling and timeouts are thrown for the caller to fall back on.
 */
export class LexNlu implements Nlu {
  constructor(
    private readonly client: LexRuntimeV2Client,
    private readonly bot: LexBot,
  ) {}

  async interpret(
    text: string,
    conversation: NluConversation,
    options: { timeoutMs: number; localeId?: string },
  ): Promise<NluInterpretation> {
    const wanted = options.localeId;
    const localeId =
      wanted !== undefined && (this.bot.localeIds ?? [this.bot.localeId]).includes(wanted) ? wanted : this.bot.localeId;
    const response = await this.client.send(
      new RecognizeTextCommand({
        botId: this.bot.botId,
        botAliasId: this.bot.botAliasId,
        localeId,
        sessionId: conversation.sessionId,
        text,
      }),
      { abortSignal: AbortSignal.timeout(options.timeoutMs) },
    );
    return readRecognizeText(response);
  }
}

/** Reads a RecognizeText response: the session's intent, its dialog state, slot values, and Lex's prompt. */
export function readRecognizeText(
  response: Pick<RecognizeTextCommandOutput, 'sessionState' | 'interpretations' | 'messages'>,
): NluInterpretation {
  const intent = response.sessionState?.intent;
  const action = response.sessionState?.dialogAction;
  const name = intent?.name ?? 'FallbackIntent';
  const slots: Record<string, RawSlotValue> = {};
  for (const [slot, value] of Object.entries(intent?.slots ?? {})) {
    const v = value?.value;
    const original = v?.originalValue ?? v?.interpretedValue;
    if (original === undefined || original === '') continue;
    slots[slot] = { original, ...(v?.interpretedValue !== undefined && { interpreted: v.interpretedValue }) };
  }
  let state: DialogState = 'ready';
  if (intent?.state === 'Failed' || action?.type === 'ElicitIntent') state = 'failed';
  else if (action?.type === 'ElicitSlot') state = 'elicit';
  else if (action?.type === 'ConfirmIntent') state = 'confirm';
  const prompt = response.messages?.find((m) => m.contentType === 'PlainText' && m.content)?.content;
  const confidence = response.interpretations?.find((i) => i.intent?.name === name)?.nluConfidence?.score;
  return {
    intent: name,
    slots,
    state,
    ...(action?.slotToElicit !== undefined && { slotToElicit: action.slotToElicit }),
    ...(prompt !== undefined && { prompt }),
    ...(confidence !== undefined && { confidence }),
  };
}
