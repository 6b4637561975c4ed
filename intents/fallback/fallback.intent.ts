import { defineIntent } from '../define-intent';
import { code, notice } from '../reply';

/** What the bot says when it cannot place a message. */
export const fallback = defineIntent({
  name: 'FallbackIntent',
  description: 'Anything opsbot does not understand',
  utterances: [],
  slots: {},
  sideEffects: false,
  examples: { 'what time is it in London': {}, 'sing me a song': {} },
  async handle() {
    return notice(
      'none',
      "Sorry, I didn't understand that. I can deploy, roll back, and report deploys, pipelines and AWS maintenance.",
      ['Try ', code('/deploy help'), ', or say “deploy web to staging”.'],
    );
  },
});
