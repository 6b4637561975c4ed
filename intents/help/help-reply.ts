import type { IntentDeclaration } from '../define-intent';
import { lowerFirst } from '../format';
import { code, type Reply, strong } from '../reply';

/** Help generated from the intent declarations: what each intent does, its command and a way to say it. */
export function helpReply(intents: readonly IntentDeclaration[]): Reply {
  const listed = intents.filter((i) => i.usage !== undefined);
  const sections = listed.map((intent) => {
    const sample = intent.utterances.find((u) => u.includes('{')) ?? intent.utterances[0];
    return [
      strong(intent.description),
      code(intent.usage as string),
      ...(sample === undefined ? [] : [`or say “${sample.replace(/\{(\w+)\}/g, '<$1>')}”`]),
    ];
  });
  return {
    title: 'What opsbot can do',
    // Each description as it is written ("Show AWS maintenance" keeps its AWS), its first letter lowered mid-sentence.
    summary: `opsbot can: ${listed.map((i) => lowerFirst(i.description)).join('; ')}.`,
    sections,
    context: ['Mention me in a channel or send me a direct message; I answer in a thread.'],
    visibility: 'channel',
  };
}
