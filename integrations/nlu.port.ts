/** Where the dialog is, as the NLU service sees it. */
export type DialogState = 'ready' | 'elicit' | 'confirm' | 'failed';

/** A slot value as the NLU service returned it: what the person typed, and its own reading where it has one. */
export interface RawSlotValue {
  readonly original: string;
  readonly interpreted?: string;
}

export interface NluInterpretation {
  /** The intent's name; `FallbackIntent` when nothing fits. */
  readonly intent: string;
  /** Raw values: the caller resolves them to configured names. */
  readonly slots: Readonly<Record<string, RawSlotValue>>;
  readonly state: DialogState;
  readonly slotToElicit?: string;
  /** The service's own question to show, when it asks for something. */
  readonly prompt?: string;
  readonly confidence?: number;
}

/** A conversation with the NLU service: one session per person per thread. */
export interface NluConversation {
  /** Opaque and hashed: no user names or emails. */
  readonly sessionId: string;
}

/** A natural-language understanding service (Amazon Lex V2 in production). */
export interface Nlu {
  interpret(
    text: string,
    conversation: NluConversation,
    options: {
      readonly timeoutMs: number;
      /** The locale the message is written in (`ko_KR`); the service's default when it has no such locale. */
      readonly localeId?: string;
    },
  ): Promise<NluInterpretation>;
}
