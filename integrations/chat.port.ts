/** A message as the chat adapter sends it: blocks plus the plain-text fallback. */
export interface ChatMessage {
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

export interface PostTarget {
  readonly channel: string;
  /** Reply in this thread. */
  readonly threadTs?: string;
}

/** Posting to the chat: the worker's only way to answer people. */
export interface Chat {
  /**
   * Posts a message everyone in the channel sees; returns its `ts`, which identifies it for updates and threads.
   * A post is retried through a Slack outage within the adapter's budget and never shown twice: with a `key`, a post
   * that may already have landed is looked up by it before it is tried again.
   */
  post(target: PostTarget, message: ChatMessage, options?: { readonly key?: string }): Promise<string>;
  /** The `ts` of the message posted with `key` in the target (channel or thread) since `oldest`, if there is one. */
  findPosted(target: PostTarget, key: string, oldest: number): Promise<string | undefined>;
  /** Posts a message only `user` sees (refusals, errors, private confirmations). */
  postEphemeral(target: PostTarget, user: string, message: ChatMessage): Promise<void>;
  /** Replaces a message; throws `OpsbotError('MESSAGE_GONE')` when it is no longer in Slack (someone deleted it). */
  update(channel: string, ts: string, message: ChatMessage): Promise<void>;
  /** Answers through an interaction's `response_url`. */
  respond(
    responseUrl: string,
    message: ChatMessage & {
      readonly visibility: 'private' | 'channel';
      readonly replaceOriginal?: boolean;
      /** Post in this thread (a new message, not a replacement). */
      readonly threadTs?: string;
    },
  ): Promise<void>;
  /** Removes the message an interaction came from (a "Working on…" notice, an answered card). */
  deleteOriginal(responseUrl: string): Promise<void>;
  /** Publishes a person's Home tab (`views.publish`): the view replaces the one they had. */
  publishHome(userId: string, view: { readonly type: 'home'; readonly blocks: readonly unknown[] }): Promise<void>;
}
