import { declareIntent } from '../define-intent';

/** What opsbot can do, generated from the declarations. */
export const helpIntent = declareIntent({
  name: 'Help',
  description: 'Show what opsbot can do',
  usage: '/deploy help',
  utterances: [
    'what are you for',
    'what can you help with',
    'what do you support',
    'help',
    'help me',
    'what commands do you know',
    'what are your commands',
    'what can you do',
    'what do you do',
    'how do i use you',
    'how does this work',
    'show commands',
    'list commands',
    'commands',
    'usage',
  ],
  slots: {},
  sideEffects: false,
  examples: { help: {}, 'what commands do you know': {} },
});
