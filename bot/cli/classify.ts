import { createInterface } from 'node:readline';
import { declarations } from '../../intents/declarations';
import { readMessage, understandingFor } from '../../intents/matcher/worker-understanding';
import { IntentRegistry } from '../../intents/registry';
import { loadConfig } from '../config';
import { readSettings } from '../settings';
import { vocabularyOf } from '../vocabulary';
import { jsonForTerminal } from './terminal';

/**
 * `opsbot classify`: one utterance per input line → one JSON object per output line, in order.
 * Empty lines classify too (as the fallback intent), so output lines always match input lines.
 */
export async function classifyLines(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream,
): Promise<number> {
  const loaded = loadConfig(readSettings());
  if (loaded.isExample) errors.write('opsbot: no opsbot.config.yaml here; classifying against the example world.\n');
  // As the worker reads a message: the matcher in every language, and the message's meaning.
  const understanding = understandingFor(new IntentRegistry(declarations).all, vocabularyOf(loaded.config));
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const { text, intent, slots, confidence, language, mood } = await readMessage(understanding, line);
    output.write(
      `${jsonForTerminal({ text: line, intent, slots, confidence, language, mood, ...(text !== line && { cleaned: text }) })}\n`,
    );
  }
  return 0;
}
