import { defineIntent } from '../define-intent';
import { helpIntent } from './help.intent';
import { helpReply } from './help-reply';

/** Help, asked in words: the same reply the slash command's acknowledgement gives. */
export const help = defineIntent(helpIntent, {
  async handle(_request, { intents }) {
    return helpReply(intents);
  },
});
