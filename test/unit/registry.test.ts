import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { vocabularyOf } from '../../bot/vocabulary';
import { intents } from '../../intents';
import { defineIntent, missingSlots } from '../../intents/define-intent';
import { LocalMatcher } from '../../intents/matcher/local-matcher';
import { IntentRegistry } from '../../intents/registry';

const intent = (name: string, utterances: string[], slots = {}) =>
  defineIntent({
    name,
    description: name,
    utterances,
    slots,
    sideEffects: false,
    examples: {},
    handle: async () => ({ summary: '' }),
  });

describe('intent registry', () => {
  it('holds the declared intents under their canonical names', () => {
    // Act
    const registry = new IntentRegistry(intents);

    // Assess
    expect(registry.all.map((i) => i.name)).toEqual([
      'Deploy',
      'Rollback',
      'DeployStatus',
      'PipelineStatus',
      'MaintenanceNotices',
      'Help',
      'FallbackIntent',
    ]);
    expect(Object.keys(registry.require('Deploy').slots)).toEqual(['service', 'environment', 'version']);
    expect(missingSlots(registry.require('Rollback'), { service: 'web' })).toEqual(['environment']);
  });

  it('throws on a duplicate intent name', () => {
    expect(() => new IntentRegistry([intent('A', ['one']), intent('A', ['two'])])).toThrow('Two intents are named "A"');
  });

  it('throws on an utterance claimed by two intents, whatever its case and spacing', () => {
    expect(() => new IntentRegistry([intent('A', ['show  status']), intent('B', ['Show status'])])).toThrow(
      'The utterance "Show status" is claimed by both A and B',
    );
  });

  it('throws on an utterance naming an undeclared slot', () => {
    expect(() => new IntentRegistry([intent('A', ['deploy {service}'])])).toThrow(
      '{service}, which is not a declared slot',
    );
  });
});

describe('every intent example matches exactly its intent with exactly its slots', () => {
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  const matcher = new LocalMatcher(intents, vocabularyOf(config));
  const cases = intents.flatMap((i) =>
    Object.entries(i.examples).map(([text, slots]) => [i.name, text, slots] as const),
  );

  it.each(cases)('%s: "%s"', (name, text, slots) => {
    // Act
    const result = matcher.classify(text);

    // Assess
    expect({ intent: result.intent, slots: result.slots }).toEqual({ intent: name, slots });
  });
});
