import { defineIntent } from '../define-intent';
import { code, notice } from '../reply';
import { fallbackIntent } from './fallback.intent';

/** What opsbot says when it did not understand. */
export const fallback = defineIntent(fallbackIntent, {
  async handle() {
    return notice(
      'none',
      "Sorry, I didn't understand that. I can deploy, roll back, and report deploys, pipelines and AWS maintenance.",
      ['Try ', code('/deploy help'), ', or say “deploy web to staging”.'],
    );
  },
});
