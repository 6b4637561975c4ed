import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { createMemoryLog } from '../../bot/logger';
import { vocabularyOf } from '../../bot/vocabulary';
import { intents, reactions } from '../../intents';
import { declarations } from '../../intents/declarations';
import { defineIntent, missingSlots } from '../../intents/define-intent';
import { defineReaction, ReactionRegistry } from '../../intents/define-reaction';
import { LocalMatcher } from '../../intents/matcher/local-matcher';
import { reactionDeclarations } from '../../intents/reaction-declarations';
import { IntentRegistry } from '../../intents/registry';
import { alarmStateChange } from '../support/ports';

const intent = (name: string, utterances: string[], slots = {}) =>
  defineIntent(
    { name, description: name, utterances, slots, sideEffects: false, examples: {} },
    { handle: async () => ({ summary: '' }) },
  );

describe('intent registry', () => {
  it('holds the declared intents under their canonical names', () => {
    // Act
    const registry = new IntentRegistry(intents);

    // Assess
    expect(registry.all.map((i) => i.name)).toEqual([
      'Deploy',
      'Promote',
      'Rollback',
      'DeployStatus',
      'ServiceHealth',
      'Lock',
      'Unlock',
      'LockStatus',
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

  it('checks declarations on their own, as the Lambda bundling does before it compiles the matcher', () => {
    // Prepare: a declaration whose utterance names a slot it does not declare
    const broken = [...declarations, intent('Broken', ['break {thing}'])];

    // Act and Assess
    expect(() => IntentRegistry.check(broken)).toThrow('{thing}, which is not a declared slot');
    expect(() => IntentRegistry.check(declarations)).not.toThrow();
  });
});

describe('declarations and the worker’s intents', () => {
  it('are the same intents in the same order, each with its declared grammar', () => {
    // Assess: what the edge and Lex read is exactly what the worker runs
    expect(intents.map((i) => i.name)).toEqual(declarations.map((d) => d.name));
    intents.forEach((definition, i) => {
      const declared = declarations[i];
      expect(definition.utterances).toBe(declared?.utterances);
      expect(definition.slots).toBe(declared?.slots);
      expect(definition.sideEffects).toBe(declared?.sideEffects);
      expect(typeof definition.handle).toBe('function');
    });
  });

  it('and the reactions are those declared for infra, in the same order, each claiming the declared events', () => {
    // Assess: the EventBridge rules infra builds from the declarations are the events the worker's reactions take
    expect(reactions.map((r) => r.name)).toEqual(reactionDeclarations.map((d) => d.name));
    reactions.forEach((reaction, i) => {
      expect(reaction.events).toBe(reactionDeclarations[i]?.events);
      expect(typeof reaction.handle).toBe('function');
    });
  });

  it('give an intent that changes nothing no policy, card or offered values: the acknowledgement plans it without', () => {
    // Assess: the acknowledgement's planner, which has no behaviour, would silently skip them
    const readOnly = intents.filter((i) => !i.sideEffects);
    expect(readOnly.length).toBeGreaterThan(0);
    for (const definition of readOnly) {
      expect([
        definition.name,
        definition.check,
        definition.checkEarly,
        definition.confirmation,
        definition.choices,
      ]).toEqual([definition.name, undefined, undefined, undefined, undefined]);
    }
  });

  it('declare nothing the edge would run: no handler, policy or confirmation', () => {
    // Assess
    for (const declared of declarations) {
      expect(Object.keys(declared)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(handle|check|checkEarly|confirmation|choices)$/)]),
      );
    }
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

describe('reaction registry', () => {
  const reaction = (name: string, detailType: string) =>
    defineReaction({
      name,
      description: name,
      events: [{ source: 'aws.codepipeline', detailType }],
      handle: async () => undefined,
    });

  it('finds the reaction that claims an event by its source and detail-type', () => {
    // Prepare
    const registry = new ReactionRegistry(reactions);
    const event = { id: '1', source: 'aws.codepipeline', account: '1', region: 'r', time: '', detail: {} };

    // Act
    const found = registry.find({ ...event, 'detail-type': 'CodePipeline Pipeline Execution State Change' });
    const none = registry.find({ ...event, 'detail-type': 'CodePipeline Stage Execution State Change' });

    // Assess
    expect(found?.name).toBe('PipelineFailure');
    expect(found?.matches({ ...event, 'detail-type': 'CodePipeline Action Execution State Change' })).toBe(true);
    expect(none).toBeUndefined();
  });

  it('throws when two reactions claim one event type', () => {
    expect(() => new ReactionRegistry([reaction('A', 'X'), reaction('B', 'X')])).toThrow(
      'The event "X" from aws.codepipeline is claimed by both A and B',
    );
  });

  it('lets a second reaction take the events of a type it narrows to, and the first keep the rest', () => {
    // Prepare
    const general = reaction('General', 'X');
    const narrowed = defineReaction({
      name: 'Narrowed',
      description: 'Narrowed',
      events: [
        {
          source: 'aws.codepipeline',
          detailType: 'X',
          only: (e) => (e.detail as { mine?: boolean } | null)?.mine === true,
        },
      ],
      handle: async () => undefined,
    });
    const event = { id: '1', source: 'aws.codepipeline', 'detail-type': 'X', account: '1', region: 'r', time: '' };

    // Act
    const registry = new ReactionRegistry([general, narrowed]);
    const alone = new ReactionRegistry([narrowed]);

    // Assess
    expect(registry.find({ ...event, detail: { mine: true } })?.name).toBe('Narrowed');
    expect(registry.find({ ...event, detail: { mine: false } })?.name).toBe('General');
    expect(registry.find({ ...event, detail: null })?.name).toBe('General');
    expect(alone.find({ ...event, detail: {} })).toBeUndefined();
    expect(narrowed.matches({ ...event, detail: { mine: true } })).toBe(true);
    expect(narrowed.matches({ ...event, detail: {} })).toBe(false);
    expect(() => new ReactionRegistry([narrowed, { ...narrowed, name: 'Narrowed2' }])).toThrow(
      'The event "X" from aws.codepipeline is claimed by both Narrowed and Narrowed2',
    );
  });

  it('routes opsbot’s own alarms to OpsbotHealth and every other alarm to AlarmRollback', () => {
    // Prepare
    const registry = new ReactionRegistry(reactions);

    // Assess
    expect(registry.find(alarmStateChange('Opsbot-self-watch-worker-errors'))?.name).toBe('OpsbotHealth');
    expect(registry.find(alarmStateChange('api-prod-5xx-errors'))?.name).toBe('AlarmRollback');
    expect(registry.find(alarmStateChange(['Opsbot-self-watch-worker-errors']))?.name).toBe('AlarmRollback');
  });

  it('throws on a duplicate reaction name', () => {
    expect(() => new ReactionRegistry([reaction('A', 'X'), reaction('A', 'Y')])).toThrow('Two reactions are named "A"');
  });
});

describe('the worker router', () => {
  it('logs an event nothing claims at debug and drops it, without an error', async () => {
    // Prepare
    const { createDeps } = await import('../../bot/deps');
    const { readSettings } = await import('../../bot/settings');
    const { handleWorkerInput } = await import('../../bot/worker/router');
    const { MemoryStore } = await import('../../integrations/sandbox/memory-store');
    const log = createMemoryLog();
    const { worker } = createDeps(readSettings({}), parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')), {
      store: new MemoryStore(),
      log,
    });
    const event = {
      version: '0',
      id: 'e-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '123456789012',
      time: '2026-11-23T09:00:00Z',
      region: 'eu-west-1',
      detail: '{}',
    };

    // Act
    await handleWorkerInput(event, worker);

    // Assess
    expect(log.entries).toEqual([
      {
        level: 'debug',
        message: 'event.unclaimed_dropped',
        extra: { source: 'aws.scheduler', detailType: 'Scheduled Event', id: 'e-1' },
      },
    ]);
  });
});
