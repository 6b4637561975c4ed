import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { vocabularyOf } from '../../bot/vocabulary';
import { LEX_LIMITS, lexBotLocale } from '../../infra/lex/bot-definition';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { intents } from '../../intents';
import { TWO_ACCOUNT_DEPLOYS } from '../support/configs';

interface LexSlotType {
  Name: string;
  ValueSelectionSetting: { ResolutionStrategy: string };
  SlotTypeValues: Array<{ SampleValue: { Value: string }; Synonyms?: Array<{ Value: string }> }>;
}
interface LexIntent {
  Name: string;
  ParentIntentSignature?: string;
  SampleUtterances?: Array<{ Utterance: string }>;
  Slots?: Array<{
    Name: string;
    SlotTypeName: string;
    ValueElicitationSetting: {
      SlotConstraint: string;
      PromptSpecification: { MessageGroupsList: Array<{ Message: { PlainTextMessage: { Value: string } } }> };
    };
  }>;
}

describe('the Lex V2 bot generated from the intent declarations', () => {
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  const vocabulary = vocabularyOf(config);
  const template = Template.fromStack(new OpsbotStack(new App(), 'Opsbot', { config }));
  const [bot] = Object.values(template.findResources('AWS::Lex::Bot'));
  const [locale] = (bot?.Properties.BotLocales ?? []) as Array<{
    LocaleId: string;
    Intents: LexIntent[];
    SlotTypes: LexSlotType[];
  }>;
  const lexIntents = locale?.Intents ?? [];
  const slotTypes = locale?.SlotTypes ?? [];

  it('has one en_US locale with every declared intent and its sample utterances', () => {
    expect(locale?.LocaleId).toBe('en_US');
    for (const intent of intents.filter((i) => i.name !== 'FallbackIntent')) {
      const lex = lexIntents.find((i) => i.Name === intent.name);
      expect(lex?.SampleUtterances?.map((u) => u.Utterance)).toEqual(intent.utterances);
      expect(lex?.Slots?.map((s) => [s.Name, s.SlotTypeName]) ?? []).toEqual(
        Object.entries(intent.slots).map(([n, d]) => [n, d.type]),
      );
    }
    expect(lexIntents.find((i) => i.Name === 'FallbackIntent')?.ParentIntentSignature).toBe('AMAZON.FallbackIntent');
  });

  it('asks for required slots with the declarations’ prompts', () => {
    const environment = lexIntents.find((i) => i.Name === 'Deploy')?.Slots?.find((s) => s.Name === 'environment');
    expect(environment?.ValueElicitationSetting.SlotConstraint).toBe('Required');
    expect(
      environment?.ValueElicitationSetting.PromptSpecification.MessageGroupsList[0]?.Message.PlainTextMessage.Value,
    ).toBe('Which environment should I deploy to?');
  });

  it('carries every configured name as a slot value and every alias as a synonym', () => {
    const synonyms = (type: string, value: string) =>
      slotTypes
        .find((t) => t.Name === type)
        ?.SlotTypeValues.find((v) => v.SampleValue.Value === value)
        ?.Synonyms?.map((s) => s.Value) ?? [];
    for (const s of vocabulary.services)
      expect(synonyms('Service', s.name)).toEqual(s.aliases.map((a) => a.toLowerCase()));
    for (const e of vocabulary.environments)
      expect(synonyms('Environment', e.name)).toEqual(e.aliases.map((a) => a.toLowerCase()));
    expect(synonyms('Pipeline', 'web-pipeline')).toEqual(['web', 'frontend', 'website']);
    expect(slotTypes.find((t) => t.Name === 'Version')?.ValueSelectionSetting.ResolutionStrategy).toBe(
      'ORIGINAL_VALUE',
    );
  });

  it('gives maintenance questions their period, service and account slots: accounts by name or id, periods as said', () => {
    const slots = lexIntents
      .find((i) => i.Name === 'MaintenanceNotices')
      ?.Slots?.map((slot) => [slot.Name, slot.SlotTypeName]);
    expect(slots).toEqual([
      ['period', 'Period'],
      ['service', 'Service'],
      ['account', 'Account'],
    ]);
    const account = slotTypes.find((t) => t.Name === 'Account');
    expect(account?.SlotTypeValues.map((v) => [v.SampleValue.Value, v.Synonyms?.map((x) => x.Value)])).toEqual([
      ['tools', ['111111111111']],
      ['prod', ['222222222222']],
    ]);
    const period = slotTypes.find((t) => t.Name === 'Period');
    expect(period?.ValueSelectionSetting.ResolutionStrategy).toBe('ORIGINAL_VALUE');
    expect(period?.SlotTypeValues.map((v) => v.SampleValue.Value)).toEqual(
      expect.arrayContaining(['today', 'tomorrow', 'this week', 'next month', '3 days']),
    );
  });

  it('has no utterance naming a slot its intent does not declare', () => {
    for (const intent of lexIntents) {
      const declared = new Set((intent.Slots ?? []).map((s) => s.Name));
      for (const { Utterance } of intent.SampleUtterances ?? []) {
        for (const [, slot] of Utterance.matchAll(/\{(\w+)\}/g))
          expect({ Utterance, slot, declared: declared.has(slot as string) }).toMatchObject({ declared: true });
      }
    }
  });

  it('stays within Lex V2 build-time quotas', () => {
    expect(lexIntents.length).toBeLessThanOrEqual(LEX_LIMITS.intentsPerLocale);
    expect(slotTypes.length).toBeLessThanOrEqual(LEX_LIMITS.slotTypesPerLocale);
    const utterances = lexIntents.flatMap((i) => (i.SampleUtterances ?? []).map((u) => u.Utterance));
    expect(new Set(utterances.map((u) => u.toLowerCase())).size).toBe(utterances.length);
    for (const intent of lexIntents) {
      expect(intent.Name).toMatch(/^[0-9a-zA-Z_-]{1,100}$/);
      expect((intent.SampleUtterances ?? []).length).toBeLessThanOrEqual(LEX_LIMITS.utterancesPerIntent);
      expect((intent.Slots ?? []).length).toBeLessThanOrEqual(LEX_LIMITS.slotsPerIntent);
      for (const slot of intent.Slots ?? []) {
        expect(
          slot.ValueElicitationSetting.PromptSpecification.MessageGroupsList[0]?.Message.PlainTextMessage.Value.length,
        ).toBeLessThanOrEqual(LEX_LIMITS.messageCharacters);
      }
    }
    for (const u of utterances) expect(u.length).toBeLessThanOrEqual(LEX_LIMITS.utteranceCharacters);
    for (const t of slotTypes) {
      const values = t.SlotTypeValues.flatMap((v) => [v.SampleValue.Value, ...(v.Synonyms ?? []).map((s) => s.Value)]);
      expect(values.length).toBeLessThanOrEqual(LEX_LIMITS.valuesPerSlotType);
      for (const v of values) expect(v.length).toBeLessThanOrEqual(LEX_LIMITS.valueCharacters);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it('has a version and a live alias, and lets the worker call RecognizeText on that alias only', () => {
    template.resourceCountIs('AWS::Lex::BotVersion', 1);
    template.hasResourceProperties('AWS::Lex::BotAlias', { BotAliasName: 'live' });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    );
    const lex = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('lex:')));
    expect(lex).toHaveLength(1);
    expect(lex[0]?.Action).toBe('lex:RecognizeText');
    expect(JSON.stringify(lex[0]?.Resource)).toMatch(/:bot-alias\/.*LexBot.*BotAliasId/);
  });
});

describe('the Lex V2 bot of a configuration that names no pipelines', () => {
  it('has no pipeline slot type to resolve to nothing, and no slot or utterance that would name one', () => {
    // Prepare
    const config = parseConfig(TWO_ACCOUNT_DEPLOYS);

    // Act
    const locale = lexBotLocale(intents, vocabularyOf(config));

    // Assess
    const used = intents.flatMap((i) => Object.values(i.slots).map((s) => s.type));
    expect(used).toContain('Pipeline');
    expect((locale.slotTypes as Array<{ name: string }>).map((t) => t.name)).not.toContain('Pipeline');
    const lexIntents = (locale.intents ?? []) as Array<{
      name: string;
      slots?: Array<{ slotTypeName: string }>;
      sampleUtterances?: Array<{ utterance: string }>;
    }>;
    expect(lexIntents.flatMap((i) => i.slots ?? []).filter((s) => s.slotTypeName === 'Pipeline')).toEqual([]);
    expect(
      lexIntents.flatMap((i) => i.sampleUtterances ?? []).filter((u) => u.utterance.includes('{pipeline}')),
    ).toEqual([]);
    // The pipeline questions are still understood, without a name: "are the pipelines green?"
    expect(lexIntents.find((i) => i.name === 'PipelineStatus')?.sampleUtterances?.length).toBeGreaterThan(0);
  });
});
