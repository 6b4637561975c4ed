import { type IntentDefinition, placeholdersOf } from './define-intent';

/** The intents opsbot knows, looked up by name. Built from an explicit array. */
export class IntentRegistry {
  private readonly byName = new Map<string, IntentDefinition>();

  /**
   * @throws when two intents share a name, two intents claim the same utterance,
   * or an utterance names a slot its intent does not declare.
   */
  constructor(intents: readonly IntentDefinition[]) {
    const claimed = new Map<string, string>();
    for (const intent of intents) {
      if (this.byName.has(intent.name)) {
        throw new Error(`Two intents are named "${intent.name}"; intent names must be unique`);
      }
      this.byName.set(intent.name, intent);
      for (const utterance of intent.utterances) {
        const key = utterance.trim().toLowerCase().replace(/\s+/g, ' ');
        const owner = claimed.get(key);
        if (owner !== undefined) {
          throw new Error(`The utterance "${utterance}" is claimed by both ${owner} and ${intent.name}`);
        }
        claimed.set(key, intent.name);
        for (const slot of placeholdersOf(utterance)) {
          if (!(slot in intent.slots)) {
            throw new Error(
              `${intent.name}: the utterance "${utterance}" uses {${slot}}, which is not a declared slot`,
            );
          }
        }
      }
    }
  }

  get all(): readonly IntentDefinition[] {
    return [...this.byName.values()];
  }

  get(name: string): IntentDefinition | undefined {
    return this.byName.get(name);
  }

  /** Like {@link get}, for names that must exist (the fallback intent). */
  require(name: string): IntentDefinition {
    const intent = this.byName.get(name);
    if (intent === undefined) throw new Error(`No intent is registered as "${name}"`);
    return intent;
  }
}
