import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * Checks of what opsbot generates against the models AWS and Slack publish, offline:
 *
 * - the Lex V2 bot (`AWS::Lex::Bot` properties) against Lex V2's API model, as aws-sdk v2 ships it;
 * - the Step Functions definitions against the Amazon States Language, with `asl-validator`;
 * - the Slack app manifest against the manifest types of `@schemastore/slack-app-manifest` and `@slack/web-api`,
 *   and the limits Slack documents that types cannot express.
 *
 * Each check returns readable lines, one a violation, so a failing test says what to change where.
 */

const ROOT = join(__dirname, '..', '..');

// ---------------------------------------------------------------------------------------------------------------------
// Lex V2
// ---------------------------------------------------------------------------------------------------------------------

/** A shape of the Lex V2 API model, named as the SDK's typings name it. */
export interface ApiShape {
  readonly name: string;
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'double' | 'boolean' | 'timestamp';
  /** Structure members: their shape's name, and where the HTTP request carries them (`uri`: in the path). */
  readonly members: Readonly<Record<string, { readonly shape: string; readonly location?: string }>>;
  readonly required: readonly string[];
  /** A list's member shape, a map's value shape. */
  readonly member?: string;
  /** The values of a string enum (from the typings: the JSON model aws-sdk v2 ships drops them). */
  readonly enum?: readonly string[];
}

/**
 * Lex V2's API model: its shapes by name, the request shape of each operation.
 *
 * aws-sdk v2 ships the model minified (`apis/models.lex.v2-2020-08-07.min.json`): it keeps each shape's structure,
 * types, `required` members and HTTP locations, but inlines or renumbers shapes (`S6x`) and drops every `min`, `max`,
 * `pattern` and `enum`. Its typings (`clients/lexmodelsv2.d.ts`), generated from the same model, keep the shapes'
 * names and the enums' values. This reads the two together, checks that they agree, and leaves lengths and patterns
 * to {@link LEX_CONSTRAINTS}.
 */
export interface LexModel {
  readonly shapes: ReadonlyMap<string, ApiShape>;
  readonly version: string;
}

interface MinShape {
  readonly type?: string;
  readonly shape?: string;
  readonly members?: Readonly<Record<string, MinShape & { readonly location?: string }>>;
  readonly required?: readonly string[];
  readonly member?: MinShape;
  readonly value?: MinShape;
}

/** A type in the typings: an interface's members' type names, an alias's element or value type, or an enum. */
type TypingsType =
  | { readonly kind: 'interface'; readonly members: ReadonlyMap<string, string> }
  | { readonly kind: 'array' | 'map'; readonly element: string }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'primitive' };

function readTypings(file: string): Map<string, TypingsType> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const types = new Map<string, TypingsType>();
  const nameOf = (node: ts.TypeNode | undefined): string =>
    node !== undefined && ts.isTypeReferenceNode(node) ? node.typeName.getText(source) : 'primitive';
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node)) {
      const members = new Map<string, string>();
      for (const m of node.members) {
        if (ts.isPropertySignature(m)) members.set(m.name.getText(source), nameOf(m.type));
      }
      types.set(node.name.text, { kind: 'interface', members });
    } else if (ts.isTypeAliasDeclaration(node)) {
      const type = node.type;
      if (ts.isArrayTypeNode(type)) {
        types.set(node.name.text, { kind: 'array', element: nameOf(type.elementType) });
      } else if (
        ts.isTypeLiteralNode(type) &&
        type.members.length === 1 &&
        ts.isIndexSignatureDeclaration(type.members[0] as ts.Node)
      ) {
        types.set(node.name.text, {
          kind: 'map',
          element: nameOf((type.members[0] as ts.IndexSignatureDeclaration).type),
        });
      } else if (ts.isUnionTypeNode(type)) {
        // `"Required"|"Optional"|string`: the SDK accepts values newer than itself; the literals are the model's enum.
        const values = type.types.flatMap((t) =>
          ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? [t.literal.text] : [],
        );
        types.set(node.name.text, values.length > 0 ? { kind: 'enum', values } : { kind: 'primitive' });
      } else {
        types.set(node.name.text, { kind: 'primitive' });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return types;
}

let lexModelCache: LexModel | undefined;

/** The Lex V2 model, read once from `aws-sdk` (a devDependency, for its models only). */
export function lexModel(): LexModel {
  if (lexModelCache !== undefined) return lexModelCache;
  const sdk = dirname(require.resolve('aws-sdk/package.json', { paths: [ROOT] }));
  const min = JSON.parse(readFileSync(join(sdk, 'apis', 'models.lex.v2-2020-08-07.min.json'), 'utf8')) as {
    metadata: { apiVersion: string };
    operations: Record<string, { input: MinShape }>;
    shapes: Record<string, MinShape>;
  };
  const typings = readTypings(join(sdk, 'clients', 'lexmodelsv2.d.ts'));
  const shapes = new Map<string, ApiShape>();
  const resolve = (def: MinShape): MinShape => (def.shape === undefined ? def : (min.shapes[def.shape] as MinShape));
  const add = (name: string, raw: MinShape): void => {
    if (shapes.has(name)) return;
    const def = resolve(raw);
    const typed = typings.get(name);
    const type = (def.type ?? 'string') as ApiShape['type'];
    if (type === 'structure') {
      if (typed?.kind !== 'interface') throw new Error(`Lex model: ${name} is a structure, the typings disagree`);
      const members: Record<string, { shape: string; location?: string }> = {};
      shapes.set(name, { name, type, members, required: def.required ?? [] });
      for (const [member, memberDef] of Object.entries(def.members ?? {})) {
        const shape = typed.members.get(member);
        if (shape === undefined) throw new Error(`Lex model: ${name}.${member} is not in the typings`);
        members[member] = { shape, ...(memberDef.location !== undefined && { location: memberDef.location }) };
        add(shape, memberDef);
      }
      return;
    }
    if (type === 'list' || type === 'map') {
      const element = typed?.kind === 'array' || typed?.kind === 'map' ? typed.element : undefined;
      const memberDef = type === 'list' ? def.member : def.value;
      if (element === undefined || memberDef === undefined) throw new Error(`Lex model: ${name}'s ${type} type`);
      shapes.set(name, { name, type, members: {}, required: [], member: element });
      add(element, memberDef);
      return;
    }
    shapes.set(name, {
      name,
      type,
      members: {},
      required: [],
      ...(typed?.kind === 'enum' && { enum: typed.values }),
    });
  };
  for (const operation of LEX_OPERATIONS) {
    const input = min.operations[operation]?.input;
    if (input === undefined) throw new Error(`Lex model: no operation ${operation}`);
    add(`${operation}Request`, input);
  }
  lexModelCache = { shapes, version: min.metadata.apiVersion };
  return lexModelCache;
}

/** The operations whose requests the CloudFormation properties of `AWS::Lex::Bot` stand for. */
const LEX_OPERATIONS = ['CreateBot', 'CreateBotLocale', 'CreateIntent', 'UpdateIntent', 'CreateSlot', 'CreateSlotType'];

/** Lengths (strings), counts (lists) and ranges (numbers), and patterns, of the shapes opsbot's bot reaches. */
export interface ShapeConstraint {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
}

/**
 * What the minified model drops, for every shape a generated bot reaches: copied from the full Lex V2 model, aws-sdk-js
 * `apis/models.lex.v2-2020-08-07.normal.json` (v2.1692.0, the same API version as the installed minified model;
 * aws-sdk-js-v3's `codegen/sdk-codegen/aws-models/lex-models-v2.json` has the same values). `{}`: the model
 * constrains it no further. A shape the walker reaches that is not here is reported, so a generator that starts
 * using a new property cannot pass unchecked: add its shape from that file.
 */
export const LEX_CONSTRAINTS: Readonly<Record<string, ShapeConstraint>> = {
  Name: { min: 1, max: 100, pattern: '^([0-9a-zA-Z][_-]?){1,100}$' },
  Description: { min: 0, max: 200 },
  RoleArn: { min: 32, max: 2048, pattern: '^arn:aws:iam::[0-9]{12}:role/.*$' },
  SessionTTL: { min: 60, max: 86400 },
  LocaleId: {},
  ConfidenceThreshold: { min: 0, max: 1 },
  IntentSignature: {},
  SampleUtterancesList: {},
  Utterance: {},
  SlotPrioritiesList: {},
  PriorityValue: { min: 0, max: 100 },
  BuiltInOrCustomSlotTypeId: { min: 1, max: 25, pattern: '^((AMAZON\\.)[a-zA-Z_]+?|[0-9a-zA-Z]+)$' },
  MessageGroupsList: { min: 1, max: 5 },
  PlainTextMessageValue: { min: 1, max: 1000 },
  PromptMaxRetries: { min: 0, max: 5 },
  SlotTypeValues: { min: 1, max: 10000 },
  SynonymList: { min: 1, max: 10000 },
  Value: { min: 1, max: 140 },
};

/**
 * Enums CloudFormation spells otherwise than the API: `AWS::Lex::Bot`'s `ResolutionStrategy` takes `ORIGINAL_VALUE`
 * where CreateSlotType takes `OriginalValue` (the CloudFormation resource reference lists the upper-case values).
 */
const CFN_ENUM_SPELLING: Readonly<Record<string, (apiValue: string) => string>> = {
  SlotValueResolutionStrategy: (v) => v.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
};

/** How a CloudFormation property maps onto the API: another member's name or shape, a wrapper, or nothing. */
type CfnProperty =
  /** The API member this property stands for, and the shape to check it against when that is not the member's own. */
  | { readonly member: string; readonly of?: string; readonly shape?: (value: unknown) => string | undefined }
  /** A CloudFormation-only list whose items are the request of another operation. */
  | { readonly items: string }
  /** A CloudFormation-only property no API request shape describes. */
  | { readonly skip: string };

/**
 * The CloudFormation properties that are not the API member of the same name in PascalCase (`SampleUtterances` →
 * `sampleUtterances`, `IdleSessionTTLInSeconds` → `idleSessionTTLInSeconds`: matched without regard to case), by the
 * API shape they appear in. CloudFormation nests what the API creates one call at a time: a bot's `BotLocales` are
 * CreateBotLocale requests, a locale's `Intents` CreateIntent requests and `SlotTypes` CreateSlotType requests, an
 * intent's `Slots` CreateSlot requests; and it names where the API takes ids (a slot's type, a slot priority's slot),
 * so those names are checked as the names they are, and {@link lexReferenceViolations} checks what they name.
 */
const CFN_MAPPING: Readonly<Record<string, Readonly<Record<string, CfnProperty>>>> = {
  CreateBotRequest: {
    Name: { member: 'botName' },
    BotLocales: { items: 'CreateBotLocaleRequest' },
    AutoBuildBotLocales: { skip: 'CloudFormation builds the locales after creating them (BuildBotLocale, no fields)' },
    BotFileS3Location: { skip: 'a bot imported from S3 (StartImport), not a request shape' },
    BotTags: { skip: 'CloudFormation tags are a list of Key/Value, the API’s a map' },
    TestBotAliasTags: { skip: 'CloudFormation tags are a list of Key/Value, the API’s a map' },
    TestBotAliasSettings: { skip: 'the TestBotAlias, updated with UpdateBotAlias after creation' },
    Replication: { skip: 'bot replicas (CreateBotReplica), another resource in the API' },
  },
  CreateBotLocaleRequest: {
    NluConfidenceThreshold: { member: 'nluIntentConfidenceThreshold' },
    Intents: { items: 'CreateIntentRequest' },
    SlotTypes: { items: 'CreateSlotTypeRequest' },
    CustomVocabulary: {
      skip: 'the API adds custom vocabulary with BatchCreateCustomVocabularyItem, not CreateBotLocale',
    },
  },
  CreateIntentRequest: {
    Name: { member: 'intentName' },
    Slots: { items: 'CreateSlotRequest' },
    // Set with UpdateIntent once the slots exist.
    SlotPriorities: { member: 'slotPriorities', of: 'UpdateIntentRequest' },
  },
  CreateSlotRequest: {
    Name: { member: 'slotName' },
    // The API takes the slot type's id, or a built-in's name; CloudFormation the slot type's name.
    SlotTypeName: {
      member: 'slotTypeId',
      shape: (value) => (typeof value === 'string' && value.startsWith('AMAZON.') ? undefined : 'Name'),
    },
  },
  CreateSlotTypeRequest: { Name: { member: 'slotTypeName' } },
  // The API takes the slot's id; CloudFormation its name.
  SlotPriority: { SlotName: { member: 'slotId', shape: () => 'Name' } },
  RuntimeSettings: {
    NluImprovementSpecification: {
      skip: 'Assisted NLU (the API’s nluImprovement) is newer than aws-sdk v2’s model: lexLocaleViolations checks it',
    },
  },
  PromptSpecification: { MessageGroupsList: { member: 'messageGroups' } },
};

/** What a model check found, and how much it looked at (so a test can tell it did not pass by looking at nothing). */
export interface ModelCheck {
  readonly violations: string[];
  /** Values visited. */
  nodes: number;
  /** Constraints evaluated: types, required members, lengths, counts, ranges, patterns, enum values, references. */
  constraints: number;
  /** Values CloudFormation resolves at deploy time (`Ref`, `Fn::GetAtt`, …), whose constraints cannot be checked. */
  readonly unresolved: string[];
  /** CloudFormation-only properties present, not checked against the API (see {@link CFN_MAPPING}). */
  readonly skipped: string[];
  /** The API shapes reached. */
  readonly shapes: Set<string>;
}

function newCheck(): ModelCheck {
  return { violations: [], nodes: 0, constraints: 0, unresolved: [], skipped: [], shapes: new Set() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ Ref: … }`, `{ 'Fn::GetAtt': … }`: a value CloudFormation fills in. */
function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0] as string).startsWith('Fn::'));
}

const pascal = (member: string): string => member.charAt(0).toUpperCase() + member.slice(1);
const shown = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
/** A list item's label in a path: its locale or name when it has one, else its index. */
const labelOf = (item: unknown, index: number): string => {
  const label = isRecord(item) ? (item.LocaleId ?? item.Name) : undefined;
  return typeof label === 'string' ? label : String(index);
};
const join2 = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/**
 * Checks the properties of an `AWS::Lex::Bot`, as synthesized, against Lex V2's API model: starting from CreateBot's
 * request, each property is matched to its API member ({@link CFN_MAPPING}) and checked for its type, its
 * structure's required members, its length, count or range and pattern ({@link LEX_CONSTRAINTS}) and its enum values.
 * Not checked: CloudFormation-only properties (reported in `skipped`), values CloudFormation resolves at deploy
 * time (in `unresolved`), members the API carries in the request's path (bot id, version, locale: CloudFormation
 * supplies them), and Lex's account quotas, which are no part of the model (`LEX_LIMITS`, test/infra/lex.test.ts).
 * @example
 * const { violations } = checkLexBot(template.Resources.LexBot.Properties);
 * // ['BotLocales[en_US].SlotTypes[Period].SlotTypeValues[0].Synonyms: 0 items, model requires >= 1 (SynonymList)']
 */
export function checkLexBot(properties: unknown, model: LexModel = lexModel()): ModelCheck {
  const check = newCheck();
  visit(properties, 'CreateBotRequest', '', model, check);
  lexReferenceViolations(properties, check);
  lexLocaleViolations(properties, check);
  return check;
}

function visit(value: unknown, shapeName: string, path: string, model: LexModel, check: ModelCheck): void {
  check.nodes++;
  const shape = model.shapes.get(shapeName);
  if (shape === undefined) {
    check.violations.push(`${path}: no shape ${shapeName} in the Lex V2 model`);
    return;
  }
  check.shapes.add(shapeName);
  if (isIntrinsic(value)) {
    check.unresolved.push(`${path} (${shapeName})`);
    return;
  }
  const fail = (message: string) => check.violations.push(`${path}: ${message} (${shapeName})`);
  check.constraints++;
  const wrong = wrongType(value, shape);
  if (wrong !== undefined) {
    fail(`expected ${wrong}, got ${JSON.stringify(value)}`);
    return;
  }
  switch (shape.type) {
    case 'structure':
      visitStructure(value as Record<string, unknown>, shape, path, model, check);
      return;
    case 'list': {
      const items = value as unknown[];
      limits(items.length, 'items', shape, fail, check);
      items.forEach((item, i) => {
        visit(item, shape.member as string, `${path}[${labelOf(item, i)}]`, model, check);
      });
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      limits(entries.length, 'entries', shape, fail, check);
      for (const [key, item] of entries) visit(item, shape.member as string, `${path}.${key}`, model, check);
      return;
    }
    case 'string': {
      const text = value as string;
      if (shape.enum !== undefined) {
        check.constraints++;
        const spell = CFN_ENUM_SPELLING[shapeName];
        const allowed = spell === undefined ? shape.enum : shape.enum.map(spell);
        if (!allowed.includes(text)) fail(`${shown(text)} is not one of ${allowed.join(', ')}`);
        return;
      }
      // Lengths count characters (Unicode code points), as Smithy's length trait does.
      const constraint = limits([...text].length, 'characters', shape, fail, check, shown(text));
      if (constraint?.pattern !== undefined) {
        check.constraints++;
        if (!new RegExp(constraint.pattern).test(text)) fail(`${shown(text)} does not match ${constraint.pattern}`);
      }
      return;
    }
    case 'integer':
    case 'long':
    case 'double':
      limits(value as number, 'as value', shape, fail, check);
      return;
    case 'boolean':
    case 'timestamp':
      return;
  }
}

/** What a value of the shape's type should have been, when it is not one. */
function wrongType(value: unknown, shape: ApiShape): string | undefined {
  switch (shape.type) {
    case 'structure':
      return isRecord(value) ? undefined : 'an object';
    case 'map':
      return isRecord(value) ? undefined : 'a map';
    case 'list':
      return Array.isArray(value) ? undefined : 'a list';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'double':
      return typeof value === 'number' ? undefined : 'a number';
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? undefined : 'an integer';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'a boolean';
    case 'timestamp':
      return undefined;
  }
}

/** Checks a count, length or number against the shape's recorded constraint; reports a shape with none recorded. */
function limits(
  n: number,
  unit: 'items' | 'entries' | 'characters' | 'as value',
  shape: ApiShape,
  fail: (message: string) => void,
  check: ModelCheck,
  subject?: string,
): ShapeConstraint | undefined {
  const constraint = LEX_CONSTRAINTS[shape.name];
  if (constraint === undefined) {
    fail('no constraints recorded for this shape: add them to LEX_CONSTRAINTS from the full Lex V2 model');
    return undefined;
  }
  const what = unit === 'as value' ? String(n) : `${subject === undefined ? '' : `${subject} is `}${n} ${unit}`;
  if (constraint.min !== undefined) {
    check.constraints++;
    if (n < constraint.min) fail(`${what}, model requires >= ${constraint.min}`);
  }
  if (constraint.max !== undefined) {
    check.constraints++;
    if (n > constraint.max) fail(`${what}, model allows <= ${constraint.max}`);
  }
  return constraint;
}

function visitStructure(
  value: Record<string, unknown>,
  shape: ApiShape,
  path: string,
  model: LexModel,
  check: ModelCheck,
): void {
  const mapping = CFN_MAPPING[shape.name] ?? {};
  /** The CloudFormation property that stands for each API member present. */
  const present = new Set<string>();
  for (const [key, item] of Object.entries(value)) {
    // Absent, as in the template's JSON (an object built in code may carry undefined members).
    if (item === undefined) continue;
    const here = join2(path, key);
    const mapped = mapping[key];
    if (mapped !== undefined && 'skip' in mapped) {
      check.skipped.push(`${here}: ${mapped.skip}`);
      continue;
    }
    if (mapped !== undefined && 'items' in mapped) {
      check.nodes++;
      check.constraints++;
      if (!Array.isArray(item)) {
        check.violations.push(`${here}: expected a list (of ${mapped.items})`);
        continue;
      }
      item.forEach((element, i) => {
        visit(element, mapped.items, `${here}[${labelOf(element, i)}]`, model, check);
      });
      continue;
    }
    const owner = mapped?.of === undefined ? shape : model.shapes.get(mapped.of);
    const member =
      mapped?.member ?? Object.keys(owner?.members ?? {}).find((m) => m.toLowerCase() === key.toLowerCase());
    const definition = member === undefined ? undefined : owner?.members[member];
    if (member === undefined || definition === undefined || definition.location !== undefined) {
      check.violations.push(`${here}: no member ${key} in ${shape.name} (Lex V2 model), and no CloudFormation mapping`);
      continue;
    }
    present.add(member);
    visit(item, mapped?.shape?.(item) ?? definition.shape, here, model, check);
  }
  for (const required of shape.required) {
    // Members the request carries in its path (bot id, version, locale, intent id) come from CloudFormation.
    if (shape.members[required]?.location !== undefined) continue;
    check.constraints++;
    if (present.has(required)) continue;
    const cfnName = Object.entries(mapping).find(([, m]) => 'member' in m && m.member === required)?.[0];
    check.violations.push(
      `${path}: missing ${cfnName ?? pascal(required)}, model requires ${required} (${shape.name})`,
    );
  }
}

/**
 * What the API takes as ids and CloudFormation as names must name something: each slot's `SlotTypeName` a slot type
 * of its locale (or a built-in `AMAZON.` type), each `SlotPriorities[].SlotName` a slot of its intent. And names are
 * unique where Lex looks them up by name: intents and slot types in a locale, slots in an intent.
 */
export function lexReferenceViolations(properties: unknown, check: ModelCheck = newCheck()): ModelCheck {
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);
  const unique = (items: Record<string, unknown>[], path: string) => {
    const names = items.map((i) => i.Name);
    check.constraints++;
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    if (repeated.length > 0) check.violations.push(`${path}: names repeated: ${[...new Set(repeated)].join(', ')}`);
  };
  for (const locale of list(isRecord(properties) ? properties.BotLocales : undefined)) {
    const at = `BotLocales[${String(locale.LocaleId)}]`;
    const slotTypes = list(locale.SlotTypes);
    const intents = list(locale.Intents);
    unique(slotTypes, `${at}.SlotTypes`);
    unique(intents, `${at}.Intents`);
    const typeNames = new Set(slotTypes.map((t) => t.Name));
    for (const intent of intents) {
      const here = `${at}.Intents[${String(intent.Name)}]`;
      const slots = list(intent.Slots);
      unique(slots, `${here}.Slots`);
      for (const slot of slots) {
        const type = slot.SlotTypeName;
        check.constraints++;
        if (!(typeof type === 'string' && (type.startsWith('AMAZON.') || typeNames.has(type)))) {
          check.violations.push(
            `${here}.Slots[${String(slot.Name)}].SlotTypeName: ${JSON.stringify(type)} names no slot type of ${at}`,
          );
        }
      }
      const slotNames = new Set(slots.map((s) => s.Name));
      list(intent.SlotPriorities).forEach((priority, i) => {
        // A missing SlotName is the model's to report (SlotPriority requires slotId).
        if (priority.SlotName === undefined) return;
        check.constraints++;
        if (!slotNames.has(priority.SlotName)) {
          check.violations.push(
            `${here}.SlotPriorities[${i}].SlotName: ${JSON.stringify(priority.SlotName)} names no slot of the intent`,
          );
        }
      });
    }
  }
  return check;
}

/**
 * What Lex V2 supports by locale, which no API model says (the API takes any locale id and slot type name): from the
 * Lex V2 guide, "Languages and locales supported by Amazon Lex V2" (https://docs.aws.amazon.com/lexv2/latest/dg/how-languages.html)
 * and "Improve intent classification and slot resolution in Lex V2 with assisted NLU"
 * (https://docs.aws.amazon.com/lexv2/latest/dg/assisted-nlu.html).
 */
export const LEX_LOCALE_RULES = {
  /** The locales a bot may have. */
  locales: [
    'ar_AE',
    'ca_ES',
    'de_AT',
    'de_DE',
    'en_AU',
    'en_GB',
    'en_IN',
    'en_US',
    'en_ZA',
    'es_419',
    'es_ES',
    'es_US',
    'fi_FI',
    'fr_CA',
    'fr_FR',
    'hi_IN',
    'it_IT',
    'ja_JP',
    'ko_KR',
    'nl_NL',
    'no_NO',
    'pl_PL',
    'pt_BR',
    'pt_PT',
    'sv_SE',
    'zh_CN',
    'zh_HK',
  ],
  /**
   * Built-in slot types a locale does not have: the guide's table lists `AMAZON.AlphaNumeric` in every locale but
   * Korean (a 2025 announcement adds it to ko_KR; the table is kept, as the stricter of the two).
   */
  missingBuiltInSlotTypes: { ko_KR: ['AMAZON.AlphaNumeric'] } as Readonly<Record<string, readonly string[]>>,
  /** The locales Assisted NLU runs in, by prefix (`en_` is every English locale) or in full. */
  assistedNlu: ['en_', 'es_', 'pt_', 'ca_', 'fr_', 'it_', 'de_', 'zh_', 'ja_JP', 'ko_KR'],
  assistedNluModes: ['Primary', 'Fallback'],
} as const;

/**
 * What each locale may have ({@link LEX_LOCALE_RULES}): a supported locale id, the built-in slot types that exist
 * in it, and Assisted NLU (`GenerativeAISettings.RuntimeSettings.NluImprovementSpecification`, which aws-sdk v2's
 * model predates, so its members are checked here: `Enabled` a boolean, `AssistedNluMode` Primary or Fallback) only
 * where Lex runs it.
 */
export function lexLocaleViolations(properties: unknown, check: ModelCheck = newCheck()): ModelCheck {
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);
  for (const locale of list(isRecord(properties) ? properties.BotLocales : undefined)) {
    const id = String(locale.LocaleId);
    const at = `BotLocales[${id}]`;
    check.constraints++;
    if (!(LEX_LOCALE_RULES.locales as readonly string[]).includes(id)) {
      check.violations.push(`${at}.LocaleId: ${JSON.stringify(id)} is not a locale Lex V2 supports`);
    }
    const missing = LEX_LOCALE_RULES.missingBuiltInSlotTypes[id] ?? [];
    for (const intent of list(locale.Intents)) {
      for (const slot of list(intent.Slots)) {
        check.constraints++;
        if (typeof slot.SlotTypeName === 'string' && missing.includes(slot.SlotTypeName)) {
          check.violations.push(
            `${at}.Intents[${String(intent.Name)}].Slots[${String(slot.Name)}].SlotTypeName: ${slot.SlotTypeName} does not exist in ${id}`,
          );
        }
      }
    }
    const runtime = isRecord(locale.GenerativeAISettings) ? locale.GenerativeAISettings.RuntimeSettings : undefined;
    const nlu = isRecord(runtime) ? runtime.NluImprovementSpecification : undefined;
    if (nlu === undefined) continue;
    const here = `${at}.GenerativeAISettings.RuntimeSettings.NluImprovementSpecification`;
    check.nodes++;
    check.constraints++;
    if (!isRecord(nlu)) {
      check.violations.push(`${here}: expected an object, got ${JSON.stringify(nlu)}`);
      continue;
    }
    check.constraints += 4;
    const unknown = Object.keys(nlu).filter(
      (k) => !['Enabled', 'AssistedNluMode', 'IntentDisambiguationSettings'].includes(k),
    );
    if (unknown.length > 0)
      check.violations.push(`${here}: no member ${unknown.join(', ')} in NluImprovementSpecification`);
    if (typeof nlu.Enabled !== 'boolean') {
      check.violations.push(`${here}.Enabled: expected a boolean, got ${JSON.stringify(nlu.Enabled)}`);
    }
    const mode = nlu.AssistedNluMode;
    if (mode !== undefined && !(LEX_LOCALE_RULES.assistedNluModes as readonly unknown[]).includes(mode)) {
      check.violations.push(
        `${here}.AssistedNluMode: ${JSON.stringify(mode)} is not one of ${LEX_LOCALE_RULES.assistedNluModes.join(', ')}`,
      );
    }
    if (
      nlu.Enabled === true &&
      !LEX_LOCALE_RULES.assistedNlu.some((l) => (l.endsWith('_') ? id.startsWith(l) : id === l))
    ) {
      check.violations.push(`${here}: Assisted NLU does not run in ${id}`);
    }
  }
  return check;
}

// ---------------------------------------------------------------------------------------------------------------------
// Step Functions
// ---------------------------------------------------------------------------------------------------------------------

/** Where the synthesized template's tokens are taken to point: an account and region like the example config's. */
export interface DeployTarget {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly stackName: string;
}

const EXAMPLE_TARGET: DeployTarget = {
  partition: 'aws',
  region: 'eu-west-1',
  account: '111111111111',
  stackName: 'Opsbot',
};

/** A template's resources, by logical id. */
export type Resources = Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;

/** How an `Fn::GetAtt <id>.Arn` of each resource type reads: the ARN format of its service (resource name: the id). */
const ARN_FORMATS: Readonly<Record<string, (t: DeployTarget, name: string) => string>> = {
  'AWS::Lambda::Function': (t, n) => `arn:${t.partition}:lambda:${t.region}:${t.account}:function:${n}`,
  'AWS::StepFunctions::StateMachine': (t, n) => `arn:${t.partition}:states:${t.region}:${t.account}:stateMachine:${n}`,
  'AWS::SQS::Queue': (t, n) => `arn:${t.partition}:sqs:${t.region}:${t.account}:${n}`,
  'AWS::SNS::Topic': (t, n) => `arn:${t.partition}:sns:${t.region}:${t.account}:${n}`,
  'AWS::DynamoDB::GlobalTable': (t, n) => `arn:${t.partition}:dynamodb:${t.region}:${t.account}:table/${n}`,
  'AWS::DynamoDB::Table': (t, n) => `arn:${t.partition}:dynamodb:${t.region}:${t.account}:table/${n}`,
  'AWS::IAM::Role': (t, n) => `arn:${t.partition}:iam::${t.account}:role/${n}`,
  'AWS::SecretsManager::Secret': (t, n) =>
    `arn:${t.partition}:secretsmanager:${t.region}:${t.account}:secret:${n}-AbCdEf`,
};

/**
 * A template value with its intrinsic functions evaluated as CloudFormation would in `target`: pseudo parameters,
 * `Ref` (a resource's name; a topic's ARN, a queue's URL), `Fn::GetAtt <id>.Arn` (an ARN in its service's format, named after
 * the logical id), `Fn::Join` and `Fn::Sub`. Anything else throws, so nothing unresolved reaches a validator.
 */
export function resolveIntrinsics(
  value: unknown,
  resources: Resources,
  target: DeployTarget = EXAMPLE_TARGET,
): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': target.partition,
    'AWS::Region': target.region,
    'AWS::AccountId': target.account,
    'AWS::StackName': target.stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const ref = (name: string): string => {
    const p = pseudo[name];
    if (p !== undefined) return p;
    const type = resources[name]?.Type;
    if (type === undefined) throw new Error(`Ref ${name}: no such resource or pseudo parameter`);
    if (type === 'AWS::SNS::Topic') return arnOf(name);
    if (type === 'AWS::SQS::Queue') return `https://sqs.${target.region}.amazonaws.com/${target.account}/${name}`;
    return name;
  };
  const arnOf = (id: string): string => {
    const type = resources[id]?.Type;
    const format = type === undefined ? undefined : ARN_FORMATS[type];
    if (format === undefined)
      throw new Error(`Fn::GetAtt ${id}.Arn: no ARN format for ${type ?? 'a missing resource'}`);
    return format(target, id);
  };
  const getAtt = (id: string, attribute: string): string => {
    if (attribute !== 'Arn') throw new Error(`Fn::GetAtt ${id}.${attribute}: only Arn is resolved`);
    return arnOf(id);
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!isRecord(v)) return v;
    if (!isIntrinsic(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    const [fn, arg] = Object.entries(v)[0] as [string, unknown];
    if (fn === 'Ref') return ref(arg as string);
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] =
        typeof arg === 'string' ? (arg.split(/\.(.*)/) as [string, string]) : (arg as [string, string]);
      return getAtt(id, attribute);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return (resolve(parts) as unknown[]).map(String).join(separator);
    }
    if (fn === 'Fn::Sub') {
      const [text, variables = {}] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
      const bound = resolve(variables) as Record<string, unknown>;
      return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
        if (name in bound) return String(bound[name]);
        const [id, attribute] = name.split(/\.(.*)/) as [string, string | undefined];
        return attribute === undefined || attribute === '' ? ref(id) : getAtt(id, attribute);
      });
    }
    throw new Error(`${fn}: not resolved by resolveIntrinsics`);
  };
  return resolve(value);
}

/** What `asl-validator` returns (it ships no typings). */
interface AslValidation {
  readonly isValid: boolean;
  readonly errors: ReadonlyArray<{ readonly 'Error code': string; readonly Message: string }>;
}

/** asl-validator 4 is CommonJS: `module.exports` is the function. */
const aslValidator = require('asl-validator') as (
  definition: unknown,
  options?: { readonly checkPaths: boolean; readonly checkArn: boolean },
) => AslValidation;

/** What the ASL check found, and how many states it covered. */
export interface AslCheck {
  readonly violations: string[];
  /** The states in the definition, those of Parallel branches and Map iterators included. */
  readonly states: number;
}

/**
 * Validates a state machine definition against the Amazon States Language with `asl-validator`: its JSON schemas
 * (every state type's fields, JSONPath and JSONata), transitions to states that exist and out of Parallel and Map
 * branches only to their own states, a terminal state, unique state names, task ARNs and path syntax (both checks
 * on). Each error is a line: `<asl-validator code>: <message>`.
 */
export function checkStateMachine(definition: string | object): AslCheck {
  let parsed: unknown;
  try {
    parsed = typeof definition === 'string' ? JSON.parse(definition) : definition;
  } catch (error) {
    return { violations: [`not JSON: ${(error as Error).message}`], states: 0 };
  }
  // The validator writes each state's default QueryLanguage into the definition it is given.
  const { isValid, errors } = aslValidator(structuredClone(parsed), { checkPaths: true, checkArn: true });
  const violations = errors.map((e) => `${e['Error code']}: ${e.Message}`);
  if (!isValid && violations.length === 0) violations.push('invalid, with no error given');
  return { violations, states: countStates(parsed) };
}

function countStates(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + countStates(v), 0);
  if (!isRecord(value)) return 0;
  return Object.entries(value).reduce<number>(
    (n, [key, v]) => n + (key === 'States' && isRecord(v) ? Object.keys(v).length : 0) + countStates(v),
    0,
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Slack app manifest
// ---------------------------------------------------------------------------------------------------------------------

/** A manifest to check, and what to call it in a report line. */
export interface NamedManifest {
  readonly name: string;
  readonly manifest: unknown;
}

/** The published manifest types each manifest is type-checked against: `const m: <type> = <manifest JSON>`. */
const MANIFEST_TYPES = [
  { name: 'SlackAppManifest', import: "import type { SlackAppManifest } from '@schemastore/slack-app-manifest';" },
  {
    name: "AppsManifestCreateArguments['manifest']",
    import: "import type { AppsManifestCreateArguments } from '@slack/web-api';",
  },
] as const;

/** Library files parsed once for every type-check in the process (the checker itself runs each time). */
const parsedFiles = new Map<string, ts.SourceFile>();

/**
 * Type-checks each manifest against SchemaStore's `SlackAppManifest` and `@slack/web-api`'s `apps.manifest.create`
 * manifest, with the TypeScript compiler, as a generated module of `const m: <type> = <manifest JSON>;` (never
 * written to disk): an object literal takes no property its type does not declare, so a misspelt or unknown property
 * fails, as does a wrong type, a missing required property, or (with `@slack/web-api`'s unions) a scope or bot event
 * Slack does not have. Each diagnostic is a line naming the manifest, the type and the offending JSON line.
 */
export function typeCheckManifests(manifests: readonly NamedManifest[]): string[] {
  const file = join(ROOT, 'test', 'support', '__manifest-type-check__.ts');
  const lines: Array<{ manifest: string; type: string }> = [];
  const text: string[] = MANIFEST_TYPES.map((t) => t.import);
  manifests.forEach(({ name, manifest }, i) => {
    MANIFEST_TYPES.forEach((type, j) => {
      const json = JSON.stringify(manifest, null, 2).split('\n');
      json[0] = `export const manifest${i}_${j}: ${type.name} = ${json[0]}`;
      for (const line of json) {
        lines[text.length] = { manifest: name, type: type.name };
        text.push(line);
      }
      text[text.length - 1] += ';';
    });
  });
  const source = text.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => f === file || fileExists.call(host, f);
  host.readFile = (f) => (f === file ? source : readFile.call(host, f));
  host.getSourceFile = (f, language, ...rest) => {
    if (f === file) return ts.createSourceFile(f, source, language);
    const cached = parsedFiles.get(f);
    if (cached !== undefined) return cached;
    const parsed = getSourceFile.call(host, f, language, ...rest);
    if (parsed !== undefined) parsedFiles.set(f, parsed);
    return parsed;
  };
  const program = ts.createProgram([file], options, host);
  const checked = program.getSourceFile(file);
  const diagnostics = [...program.getSyntacticDiagnostics(checked), ...program.getSemanticDiagnostics(checked)];
  const sourceLines = source.split('\n');
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file === undefined || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const at = lines[line];
    const where = at === undefined ? `line ${line + 1}` : `${at.manifest} as ${at.type}`;
    return `${where}: ${(sourceLines[line] ?? '').trim()} — ${message}`;
  });
}

/**
 * The limits Slack documents for the manifest that its types cannot express. Sources: Slack's JSON schema for
 * manifests (slackapi/manifest-schema, `schemas/manifest.schema.1.0.0.json`, the schema of `_metadata.major_version`
 * 1), the `@description`s of `@slack/web-api`'s manifest types (`dist/types/request/manifest.d.ts`), which follow
 * the App manifest reference (https://docs.slack.dev/reference/app-manifest), and SchemaStore's
 * `SlackAppManifest`. Where they differ the stricter is kept, and said.
 */
export const SLACK_MANIFEST_LIMITS = {
  /** `display_information.name`: 1–35 characters (schema; web-api: "Maximum length is 35 characters"). */
  appName: { min: 1, max: 35 },
  /** `display_information.description`: 1–140 (schema; web-api). */
  description: { min: 1, max: 140 },
  /**
   * `display_information.long_description`, when present: 175–4000 (schema; the reference's example says 174 is the
   * minimum, the schema 175: the stricter).
   */
  longDescription: { min: 175, max: 4000 },
  /** `display_information.background_color`: 3- or 6-digit hex with its `#` (schema; web-api). */
  backgroundColor: /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/,
  /** `features.bot_user.display_name`: 1–80 (schema; web-api), of `a-z`, `0-9`, `-`, `_` and `.` (web-api, SchemaStore). */
  botDisplayName: { min: 1, max: 80, pattern: /^[a-z0-9._-]+$/ },
  /** `features.slash_commands`: 1–50 commands (schema; web-api: "A maximum of 50"). */
  slashCommands: { min: 1, max: 50 },
  /** A command: 2–32 characters, starting with `/` (schema; web-api). */
  command: { min: 2, max: 32, pattern: /^\// },
  /** A command's description: 1–2000 (schema; web-api). */
  commandDescription: { min: 1, max: 2000 },
  /** A command's usage hint: 1–1000 (schema; web-api). */
  usageHint: { min: 1, max: 1000 },
  /** A command's URL: at most 3000 characters (schema). */
  commandUrl: { max: 3000 },
  /** Event and interactivity request URLs: at most 3500 (schema). */
  requestUrl: { max: 3500 },
  /**
   * Request URLs are https: the web-api's descriptions and the reference say "the full https URL" (the schema's
   * pattern lets http through).
   */
  https: /^https:\/\//,
  /** `oauth_config.scopes.bot`: at most 255 scopes (schema; web-api), each at most 50 characters (schema). */
  scopes: { max: 255, itemMax: 50 },
  /** `settings.event_subscriptions.bot_events`: at most 100 (schema; web-api), unique (schema), each ≤ 50 (schema). */
  botEvents: { max: 100, itemMax: 50 },
} as const;

/** What the manifest limits check found, and how many limits it evaluated. */
export interface ManifestCheck {
  readonly violations: string[];
  constraints: number;
}

/**
 * Checks a manifest against {@link SLACK_MANIFEST_LIMITS}, and for consistency: without Socket Mode each way Slack
 * reaches the app (slash commands, events, interactivity) has its request URL, since HTTP is then Slack's only way
 * in; and each scope is requested once (a repeat says the generator lost track). The types check the rest
 * ({@link typeCheckManifests}): names and types of properties, scope and bot event names.
 */
export function checkManifestLimits(manifest: unknown): ManifestCheck {
  const check: ManifestCheck = { violations: [], constraints: 0 };
  const L = SLACK_MANIFEST_LIMITS;
  const at = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (v, key) => (isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined),
        manifest,
      );
  const length = (path: string, value: unknown, limit: { min?: number; max?: number }, required = false) => {
    if (value === undefined && !required) return;
    check.constraints++;
    if (typeof value !== 'string') {
      check.violations.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
      return;
    }
    const n = [...value].length;
    if (limit.min !== undefined && n < limit.min)
      check.violations.push(`${path}: ${n} characters, Slack requires >= ${limit.min}`);
    if (limit.max !== undefined && n > limit.max)
      check.violations.push(`${path}: ${n} characters, Slack allows <= ${limit.max}`);
  };
  const matches = (path: string, value: unknown, pattern: RegExp, what: string) => {
    if (typeof value !== 'string') return;
    check.constraints++;
    if (!pattern.test(value)) check.violations.push(`${path}: ${JSON.stringify(value)} ${what}`);
  };
  const url = (path: string, value: unknown, limit: { max: number }) => {
    length(path, value, limit);
    matches(path, value, L.https, 'is not an https URL');
  };
  const list = (path: string, value: unknown, limit: { min?: number; max: number; itemMax?: number }) => {
    if (value === undefined) return [];
    check.constraints++;
    if (!Array.isArray(value)) {
      check.violations.push(`${path}: expected a list`);
      return [];
    }
    if (limit.min !== undefined && value.length < limit.min) {
      check.violations.push(`${path}: ${value.length} items, Slack requires >= ${limit.min}`);
    }
    if (value.length > limit.max) check.violations.push(`${path}: ${value.length} items, Slack allows <= ${limit.max}`);
    check.constraints++;
    const repeated = value.filter((v, i) => value.indexOf(v) !== i);
    if (repeated.length > 0) check.violations.push(`${path}: repeated: ${[...new Set(repeated)].join(', ')}`);
    if (limit.itemMax !== undefined) {
      value.forEach((item, i) => {
        length(`${path}[${i}]`, item, { max: limit.itemMax });
      });
    }
    return value as unknown[];
  };

  length('display_information.name', at('display_information.name'), L.appName, true);
  length('display_information.description', at('display_information.description'), L.description);
  length('display_information.long_description', at('display_information.long_description'), L.longDescription);
  matches(
    'display_information.background_color',
    at('display_information.background_color'),
    L.backgroundColor,
    'is not a 3- or 6-digit hex colour',
  );
  if (at('features.bot_user') !== undefined) {
    const name = at('features.bot_user.display_name');
    length('features.bot_user.display_name', name, L.botDisplayName, true);
    matches(
      'features.bot_user.display_name',
      name,
      L.botDisplayName.pattern,
      'has characters other than a-z 0-9 - _ .',
    );
  }
  const socketMode = at('settings.socket_mode_enabled') === true;
  const needsUrl = (path: string, value: unknown) => {
    check.constraints++;
    if (!socketMode && value === undefined) check.violations.push(`${path}: missing, and Socket Mode is off`);
  };
  list('features.slash_commands', at('features.slash_commands'), L.slashCommands).forEach((_, i) => {
    const command = `features.slash_commands.${i}`;
    const p = `features.slash_commands[${i}]`;
    length(`${p}.command`, at(`${command}.command`), L.command, true);
    matches(`${p}.command`, at(`${command}.command`), L.command.pattern, 'does not start with /');
    length(`${p}.description`, at(`${command}.description`), L.commandDescription, true);
    length(`${p}.usage_hint`, at(`${command}.usage_hint`), L.usageHint);
    url(`${p}.url`, at(`${command}.url`), L.commandUrl);
    needsUrl(`${p}.url`, at(`${command}.url`));
  });
  list('oauth_config.scopes.bot', at('oauth_config.scopes.bot'), L.scopes);
  const events = list(
    'settings.event_subscriptions.bot_events',
    at('settings.event_subscriptions.bot_events'),
    L.botEvents,
  );
  url('settings.event_subscriptions.request_url', at('settings.event_subscriptions.request_url'), L.requestUrl);
  if (events.length > 0) {
    needsUrl('settings.event_subscriptions.request_url', at('settings.event_subscriptions.request_url'));
  }
  url('settings.interactivity.request_url', at('settings.interactivity.request_url'), L.requestUrl);
  if (at('settings.interactivity.is_enabled') === true) {
    needsUrl('settings.interactivity.request_url', at('settings.interactivity.request_url'));
  }
  return check;
}
