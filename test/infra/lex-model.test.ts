import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import * as configs from '../support/configs';
import { checkLexBot, LEX_CONSTRAINTS, lexModel } from '../support/published-models';

/**
 * The example configuration and every configuration the infra tests share (test/support/configs.ts), so the richest
 * is always among them, and so is one without pipelines or aliases.
 */
const CONFIGS: Array<[string, string]> = [
  ['the example configuration', readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')],
  ...Object.entries(configs).flatMap(
    ([name, text]): Array<[string, string]> =>
      typeof text === 'string' ? [[`${name} (test/support/configs.ts)`, text]] : [],
  ),
];

/** A small bot that is within the model: each test below breaks one thing in it. */
function validBot(): Record<string, unknown> {
  return {
    Name: 'paint-bot',
    RoleArn: 'arn:aws:iam::111111111111:role/paint-bot',
    DataPrivacy: { ChildDirected: false },
    IdleSessionTTLInSeconds: 300,
    BotLocales: [
      {
        LocaleId: 'en_US',
        NluConfidenceThreshold: 0.4,
        SlotTypes: [
          {
            Name: 'Colour',
            ValueSelectionSetting: { ResolutionStrategy: 'TOP_RESOLUTION' },
            SlotTypeValues: [{ SampleValue: { Value: 'red' }, Synonyms: [{ Value: 'crimson' }] }],
          },
        ],
        Intents: [
          {
            Name: 'Paint',
            SampleUtterances: [{ Utterance: 'paint it {colour}' }],
            Slots: [
              {
                Name: 'colour',
                SlotTypeName: 'Colour',
                ValueElicitationSetting: {
                  SlotConstraint: 'Required',
                  PromptSpecification: {
                    MaxRetries: 2,
                    MessageGroupsList: [{ Message: { PlainTextMessage: { Value: 'Which colour?' } } }],
                  },
                },
              },
            ],
            SlotPriorities: [{ Priority: 1, SlotName: 'colour' }],
          },
          { Name: 'FallbackIntent', ParentIntentSignature: 'AMAZON.FallbackIntent' },
        ],
      },
    ],
  };
}

/**
 * Sets the value at a dotted path (`BotLocales.0.Name`) of a bot's properties, or deletes it when `value` is undefined:
 * the tests break the bot in ways its type would not allow.
 */
function put(bot: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node = bot;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

const LOCALE = 'BotLocales.0';
const PAINT = 'BotLocales[en_US].Intents[Paint]';
const COLOUR = `${PAINT}.Slots[colour]`;
const PROMPT = `${LOCALE}.Intents.0.Slots.0.ValueElicitationSetting.PromptSpecification`;

describe('the Lex V2 model check (test/support/published-models.ts)', () => {
  it('finds nothing wrong with a bot that is within the model, and says what it looked at', () => {
    // Prepare
    const bot = validBot();

    // Act
    const check = checkLexBot(bot);

    // Assess
    expect(check.violations).toEqual([]);
    expect(check.nodes).toBeGreaterThanOrEqual(30);
    expect(check.constraints).toBeGreaterThan(check.nodes);
    expect([...check.shapes]).toEqual(
      expect.arrayContaining(['CreateBotRequest', 'CreateIntentRequest', 'CreateSlotRequest', 'SynonymList', 'Value']),
    );
  });

  it.each<[string, string, unknown, string]>([
    [
      'an empty synonym list',
      `${LOCALE}.SlotTypes.0.SlotTypeValues.0.Synonyms`,
      [],
      'BotLocales[en_US].SlotTypes[Colour].SlotTypeValues[0].Synonyms: 0 items, model requires >= 1 (SynonymList)',
    ],
    [
      'a slot value over 140 characters',
      `${LOCALE}.SlotTypes.0.SlotTypeValues.0.SampleValue.Value`,
      'r'.repeat(141),
      `BotLocales[en_US].SlotTypes[Colour].SlotTypeValues[0].SampleValue.Value: "${'r'.repeat(57)}..." is 141 characters, model allows <= 140 (Value)`,
    ],
    [
      'a prompt without its required MaxRetries',
      `${PROMPT}.MaxRetries`,
      undefined,
      `${COLOUR}.ValueElicitationSetting.PromptSpecification: missing MaxRetries, model requires maxRetries (PromptSpecification)`,
    ],
    [
      'a slot priority without the slot it stands for',
      `${LOCALE}.Intents.0.SlotPriorities.0.SlotName`,
      undefined,
      `${PAINT}.SlotPriorities[0]: missing SlotName, model requires slotId (SlotPriority)`,
    ],
    [
      'six message groups in one prompt',
      `${PROMPT}.MessageGroupsList`,
      Array(6).fill({ Message: { PlainTextMessage: { Value: 'Which colour?' } } }),
      `${COLOUR}.ValueElicitationSetting.PromptSpecification.MessageGroupsList: 6 items, model allows <= 5 (MessageGroupsList)`,
    ],
    [
      'a slot constraint that is no enum value',
      `${LOCALE}.Intents.0.Slots.0.ValueElicitationSetting.SlotConstraint`,
      'Maybe',
      `${COLOUR}.ValueElicitationSetting.SlotConstraint: "Maybe" is not one of Required, Optional (SlotConstraint)`,
    ],
    [
      'the API’s spelling of a resolution strategy, where CloudFormation takes ORIGINAL_VALUE',
      `${LOCALE}.SlotTypes.0.ValueSelectionSetting.ResolutionStrategy`,
      'OriginalValue',
      'BotLocales[en_US].SlotTypes[Colour].ValueSelectionSetting.ResolutionStrategy: "OriginalValue" is not one of ORIGINAL_VALUE, TOP_RESOLUTION, CONCATENATION (SlotValueResolutionStrategy)',
    ],
    [
      'an intent name with a space',
      `${LOCALE}.Intents.1.Name`,
      'Fall back',
      'BotLocales[en_US].Intents[Fall back].Name: "Fall back" does not match ^([0-9a-zA-Z][_-]?){1,100}$ (Name)',
    ],
    [
      'a confidence threshold above 1',
      `${LOCALE}.NluConfidenceThreshold`,
      1.5,
      'BotLocales[en_US].NluConfidenceThreshold: 1.5, model allows <= 1 (ConfidenceThreshold)',
    ],
    [
      'an utterance that is not a string',
      `${LOCALE}.Intents.0.SampleUtterances.0.Utterance`,
      42,
      `${PAINT}.SampleUtterances[0].Utterance: expected a string, got 42 (Utterance)`,
    ],
    [
      'a property the model does not have',
      `${LOCALE}.Intents.0.Utterances`,
      [],
      `${PAINT}.Utterances: no member Utterances in CreateIntentRequest (Lex V2 model), and no CloudFormation mapping`,
    ],
    [
      'a property whose shape has no recorded constraints (so a new property cannot go unchecked)',
      `${LOCALE}.Intents.0.InputContexts`,
      [{ Name: 'painting' }],
      `${PAINT}.InputContexts: no constraints recorded for this shape: add them to LEX_CONSTRAINTS from the full Lex V2 model (InputContextsList)`,
    ],
    [
      'a locale Lex V2 does not support',
      `${LOCALE}.LocaleId`,
      'en_XX',
      'BotLocales[en_XX].LocaleId: "en_XX" is not a locale Lex V2 supports',
    ],
    [
      'an Assisted NLU mode that is neither Primary nor Fallback',
      `${LOCALE}.GenerativeAISettings`,
      { RuntimeSettings: { NluImprovementSpecification: { Enabled: true, AssistedNluMode: 'Always' } } },
      'BotLocales[en_US].GenerativeAISettings.RuntimeSettings.NluImprovementSpecification.AssistedNluMode: "Always" is not one of Primary, Fallback',
    ],
    [
      'Assisted NLU without its required Enabled',
      `${LOCALE}.GenerativeAISettings`,
      { RuntimeSettings: { NluImprovementSpecification: { AssistedNluMode: 'Primary' } } },
      'BotLocales[en_US].GenerativeAISettings.RuntimeSettings.NluImprovementSpecification.Enabled: expected a boolean, got undefined',
    ],
    [
      'a slot of a slot type the locale does not have',
      `${LOCALE}.Intents.0.Slots.0.SlotTypeName`,
      'Color',
      `${COLOUR}.SlotTypeName: "Color" names no slot type of BotLocales[en_US]`,
    ],
  ])('reports %s, in one line', (_, path, value, line) => {
    // Prepare
    const bot = validBot();
    put(bot, path, value);

    // Act
    const { violations } = checkLexBot(bot);

    // Assess
    expect(violations).toEqual([line]);
  });

  it('reports a built-in slot type a locale does not have: AMAZON.AlphaNumeric in ko_KR', () => {
    // Prepare
    const bot = validBot();
    put(bot, `${LOCALE}.LocaleId`, 'ko_KR');
    put(bot, `${LOCALE}.Intents.0.Slots.0.SlotTypeName`, 'AMAZON.AlphaNumeric');

    // Act
    const { violations } = checkLexBot(bot);

    // Assess
    expect(violations).toEqual([
      'BotLocales[ko_KR].Intents[Paint].Slots[colour].SlotTypeName: AMAZON.AlphaNumeric does not exist in ko_KR',
    ]);
  });

  it('reports Assisted NLU in a locale Lex does not run it in', () => {
    // Prepare
    const bot = validBot();
    put(bot, `${LOCALE}.LocaleId`, 'nl_NL');
    put(bot, `${LOCALE}.GenerativeAISettings`, {
      RuntimeSettings: { NluImprovementSpecification: { Enabled: true, AssistedNluMode: 'Fallback' } },
    });

    // Act
    const { violations } = checkLexBot(bot);

    // Assess
    expect(violations).toEqual([
      'BotLocales[nl_NL].GenerativeAISettings.RuntimeSettings.NluImprovementSpecification: Assisted NLU does not run in nl_NL',
    ]);
  });

  it.each(['en_US', 'ko_KR', 'es_ES', 'de_DE'])(
    'takes Assisted NLU in %s, checked by its own rules (it is newer than the model)',
    (localeId) => {
      // Prepare
      const bot = validBot();
      put(bot, `${LOCALE}.LocaleId`, localeId);
      put(bot, `${LOCALE}.GenerativeAISettings`, {
        RuntimeSettings: { NluImprovementSpecification: { Enabled: true, AssistedNluMode: 'Primary' } },
      });

      // Act
      const check = checkLexBot(bot);

      // Assess
      expect(check.violations).toEqual([]);
      expect(check.shapes).toContain('GenerativeAISettings');
      expect(check.skipped).toEqual([
        expect.stringMatching(
          /^BotLocales\[\w+\]\.GenerativeAISettings\.RuntimeSettings\.NluImprovementSpecification: /,
        ),
      ]);
    },
  );

  it('leaves values CloudFormation resolves at deploy time to CloudFormation, and says so', () => {
    // Prepare
    const bot = { ...validBot(), RoleArn: { 'Fn::GetAtt': ['LexRole', 'Arn'] } };

    // Act
    const check = checkLexBot(bot);

    // Assess
    expect(check.violations).toEqual([]);
    expect(check.unresolved).toEqual(['RoleArn (RoleArn)']);
  });

  it('takes a member left undefined, as a bot built in code may have, for an absent one', () => {
    // Prepare
    const bot = { ...validBot(), Description: undefined };

    // Act
    const { violations } = checkLexBot(bot);

    // Assess
    expect(violations).toEqual([]);
  });

  it('reads a model whose typings and minified JSON agree, with constraints for real shapes only', () => {
    // Prepare
    const model = lexModel();

    // Act
    const unknown = Object.keys(LEX_CONSTRAINTS).filter((name) => !model.shapes.has(name));

    // Assess
    expect(model.version).toBe('2020-08-07');
    expect(model.shapes.size).toBeGreaterThan(100);
    expect(unknown).toEqual([]);
    expect(model.shapes.get('SynonymList')).toMatchObject({ type: 'list', member: 'SampleValue' });
    expect(model.shapes.get('SlotTypeValue')?.members.synonyms?.shape).toBe('SynonymList');
  });
});

describe.each(CONFIGS)('the Lex V2 bot the stack generates from %s', (_, configText) => {
  const template = Template.fromStack(new OpsbotStack(new App(), 'Opsbot', { config: parseConfig(configText) }));
  const bots = Object.entries(template.findResources('AWS::Lex::Bot'));

  it('is within Lex V2’s API model in every property', () => {
    // Prepare
    expect(bots).toHaveLength(1);

    // Act
    const checks = bots.map(([id, bot]) => ({ id, check: checkLexBot(bot.Properties) }));

    // Assess
    for (const { id, check } of checks) expect({ id, violations: check.violations }).toEqual({ id, violations: [] });
  });

  it('was checked in full: every utterance, value and prompt visited, and only RoleArn and AutoBuildBotLocales left out', () => {
    // Prepare
    const [[, bot] = []] = bots;
    const locales = (bot?.Properties.BotLocales ?? []) as Array<{
      LocaleId: string;
      Intents: Array<{ SampleUtterances?: unknown[]; Slots?: unknown[] }>;
      SlotTypes: Array<{ SlotTypeValues?: Array<{ Synonyms?: unknown[] }> }>;
    }>;
    const utterances = locales.flatMap((l) => l.Intents.flatMap((i) => i.SampleUtterances ?? []));
    const slots = locales.flatMap((l) => l.Intents.flatMap((i) => i.Slots ?? []));
    const values = locales.flatMap((l) => l.SlotTypes.flatMap((t) => t.SlotTypeValues ?? []));
    const synonyms = values.flatMap((v) => v.Synonyms ?? []);

    // Act
    const check = checkLexBot(bot?.Properties);

    // Assess
    // Each utterance is two values (the SampleUtterance and its string), each slot type value at least three, each
    // synonym two, each slot at least ten (its setting, prompt, message group, message, text…).
    const least = 2 * utterances.length + 3 * values.length + 2 * synonyms.length + 10 * slots.length;
    expect(utterances.length).toBeGreaterThan(100);
    expect(locales.map((l) => l.LocaleId)).toEqual(['en_US', 'ko_KR', 'es_ES', 'de_DE']);
    expect(check.nodes).toBeGreaterThanOrEqual(least);
    expect(check.constraints).toBeGreaterThan(check.nodes);
    expect([...check.shapes]).toEqual(
      expect.arrayContaining([
        'CreateBotRequest',
        'CreateBotLocaleRequest',
        'CreateIntentRequest',
        'CreateSlotRequest',
        'CreateSlotTypeRequest',
        'SampleUtterance',
        'SlotPriority',
        'PromptSpecification',
        'PlainTextMessageValue',
        'SlotValueResolutionStrategy',
        'Value',
      ]),
    );
    expect(check.unresolved).toEqual(['RoleArn (RoleArn)']);
    expect(check.skipped).toEqual([expect.stringMatching(/^AutoBuildBotLocales: /)]);
  });
});
