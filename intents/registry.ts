import { type IntentDeclaration, type IntentDefinition, placeholdersOf } from './define-intent';

/**
 * The intents opsbot knows, looked up by name. Built from an explicit array: of declarations on the Slack edge
 * (`intents/declarations.ts`), of definitions with their behaviour in the worker (`intents/index.ts`).
 */
export class IntentRegistry<T extends IntentDeclaration = IntentDefinition> {
  private readonly byName = new Map<string, T>();

  /**
   * @throws when two intents share a name, or (unless `alreadyChecked`) two intents claim the same utterance or an
   * utterance names a slot its intent does not declare.
   * @param options.alreadyChecked the declarations are opsbot's own, checked when the code was built
   *   ({@link IntentRegistry.check}: by the Lambda bundling, the worker's registry and the tests), so the slack
   *   function's cold start does not check them again.
   */
  constructor(intents: readonly T[], options: { readonly alreadyChecked?: boolean } = {}) {
    if (options.alreadyChecked !== true) IntentRegistry.check(intents);
    for (const intent of intents) {
      if (this.byName.has(intent.name)) {
        throw new Error(`Two intents are named "${intent.name}"; intent names must be unique`);
      }
      this.byName.set(intent.name, intent);
    }
  }

  /** @throws when two intents claim the same utterance, or an utterance names a slot its intent does not declare. */
  static check(intents: readonly IntentDeclaration[]): void {
    const claimed = new Map<string, string>();
    for (const intent of intents) {
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

  get all(): readonly T[] {
    return [...this.byName.values()];
  }

  get(name: string): T | undefined {
    return this.byName.get(name);
  }

  /** Like {@link get}, for names that must exist (the fallback intent). */
  require(name: string): T {
    const intent = this.byName.get(name);
    if (intent === undefined) throw new Error(`No intent is registered as "${name}"`);
    return intent;
  }
}
