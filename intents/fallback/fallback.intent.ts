import { declareIntent } from '../define-intent';

/** What the bot says when it cannot place a message. */
export const fallbackIntent = declareIntent({
  name: 'FallbackIntent',
  description: 'Anything opsbot does not understand',
  utterances: [],
  slots: {},
  sideEffects: false,
  examples: { 'what time is it in London': {}, 'sing me a song': {} },
});
