/**
 * Judges a message the way Slack's Web API does before it posts one, by Slack's documented Block Kit limits, so the
 * local stand-in and the tests refuse what Slack would refuse instead of showing it. Problems read like Slack's
 * `invalid_blocks` errors (`must be less than 3001 characters [json-pointer:/blocks/2/text/text]`), as seen in
 * Slack's answers quoted in slackapi/bolt-python#1016 and mozilla-iam/sso-dashboard-configuration#715.
 *
 * Lengths are counted in UTF-16 code units (`String#length`): never fewer than the characters Slack counts, whether
 * it counts code points or code units, so what passes here passes at Slack; the renderer cuts by `length` too.
 *
 * Block and element types this checker does not model are refused rather than waved through: a new one is added
 * here, with its limits, before opsbot sends it.
 */

/**
 * Slack's documented limits for messages, shared with the renderer so that what it cuts and what is checked agree.
 * Each number's source is beside it.
 */
export const SLACK_LIMITS = {
  /** "You can include up to 50 blocks in each message": docs.slack.dev/reference/block-kit/blocks */
  messageBlocks: 50,
  /** Header text, plain_text only, "Maximum length … is 150 characters": …/blocks/header-block */
  headerText: 150,
  /** Section text, "Minimum length … is 1 and maximum length is 3000 characters": …/blocks/section-block */
  sectionText: 3000,
  /** Section fields, "Maximum number of items is 10": …/blocks/section-block */
  sectionFields: 10,
  /** Each section field, "Maximum length for the text in each item is 2000 characters": …/blocks/section-block */
  fieldText: 2000,
  /** Context elements, "Maximum number of items is 10": …/blocks/context-block */
  contextElements: 10,
  /** Actions elements, "There is a maximum of 25 elements in each action block": …/blocks/actions-block */
  actionsElements: 25,
  /** Any text object, "The minimum length is 1 and maximum length is 3000": …/composition-objects/text-object */
  textObject: 3000,
  /** Button text, plain_text only, "Maximum length … is 75 characters": …/block-elements/button-element */
  buttonText: 75,
  /** Button value, "Maximum length is 2000 characters": …/block-elements/button-element */
  buttonValue: 2000,
  /** Button url, "Maximum length is 3000 characters": …/block-elements/button-element */
  buttonUrl: 3000,
  /** Button accessibility_label, "Maximum length … is 75 characters": node-slack-sdk's `Button` type reference */
  buttonAccessibilityLabel: 75,
  /** action_id, "Maximum length is 255 characters": …/block-elements/button-element */
  actionId: 255,
  /** block_id, "Maximum length for this field is 255 characters" (every block's reference page) */
  blockId: 255,
} as const;

/** Button styles: "primary" or "danger", else the default style (…/block-elements/button-element). */
const BUTTON_STYLES: ReadonlySet<unknown> = new Set(['primary', 'danger']);

type JsonObject = Record<string, unknown>;

/** What one check of a message has found so far; ids are unique per message, so they are collected across blocks. */
interface Findings {
  readonly problems: string[];
  readonly actionIds: Set<string>;
  readonly blockIds: Set<string>;
}

/**
 * Lists what Slack would refuse in a message, each problem naming its place as Slack's `invalid_blocks` errors do;
 * empty when Slack would post it.
 *
 * Besides every documented length and count, it checks that the message has text or blocks, that text objects are
 * `plain_text` where Slack requires it (headers, buttons), that `action_id`s and `block_id`s are unique in the
 * message, and that every string is well-formed UTF-16 (a lone surrogate cannot be sent as UTF-8).
 *
 * @example
 * ```ts
 * checkMessage({ text: 'Deploying', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }] });
 * // → ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]']
 * ```
 */
export function checkMessage(message: { text?: unknown; blocks?: unknown }): string[] {
  const findings: Findings = { problems: [], actionIds: new Set(), blockIds: new Set() };
  const { text, blocks } = message;
  if (text !== undefined && typeof text !== 'string') report(findings, 'must provide a string', '/text');
  if (blocks !== undefined && !Array.isArray(blocks)) report(findings, 'must provide an array', '/blocks');
  const wellTyped = (text === undefined || typeof text === 'string') && (blocks === undefined || Array.isArray(blocks));
  const empty =
    (text === undefined || text === '') && (blocks === undefined || (Array.isArray(blocks) && blocks.length === 0));
  // Slack's `no_text`: a message must show something, in its text or its blocks.
  if (wellTyped && empty) report(findings, 'must provide non-empty `text` or `blocks`', '/text');
  if (Array.isArray(blocks)) {
    if (blocks.length > SLACK_LIMITS.messageBlocks)
      report(findings, `no more than ${SLACK_LIMITS.messageBlocks} items allowed`, '/blocks');
    blocks.forEach((block, i) => {
      checkBlock(findings, block, `/blocks/${i}`);
    });
  }
  checkWellFormed(findings, text, '/text', new Set());
  checkWellFormed(findings, blocks, '/blocks', new Set());
  return findings.problems;
}

function report(findings: Findings, message: string, pointer: string): void {
  findings.problems.push(`${message} [json-pointer:${pointer}]`);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks an optional string field's type and length; true when it is present and a string. */
function checkString(findings: Findings, value: unknown, pointer: string, max: number): value is string {
  if (value === undefined) return false;
  if (typeof value !== 'string') {
    report(findings, 'must provide a string', pointer);
    return false;
  }
  if (value.length > max) report(findings, `must be less than ${max + 1} characters`, pointer);
  return true;
}

/** Slack refuses a property it does not know in a block or element ("invalid additional property: disabled"). */
function checkKeys(findings: Findings, object: JsonObject, pointer: string, allowed: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) report(findings, `invalid additional property: ${key}`, pointer);
  }
}

function checkBlockId(findings: Findings, block: JsonObject, pointer: string): void {
  if (!checkString(findings, block.block_id, `${pointer}/block_id`, SLACK_LIMITS.blockId)) return;
  // "block_id should be unique for each message" (every block's reference page); Slack refuses a repeat.
  if (findings.blockIds.has(block.block_id)) {
    report(findings, `\`block_id\` "${block.block_id}" already exists`, `${pointer}/block_id`);
  }
  findings.blockIds.add(block.block_id);
}

/**
 * Slack documents an action_id as unique "among all other action_ids in the containing block" and answers a repeat
 * with `` `action_id` "x" already exists ``. This asks for uniqueness in the whole message: stricter than Slack, so
 * the stand-in never shows what Slack would refuse, and a click names exactly one element of the message.
 */
function checkActionId(findings: Findings, element: JsonObject, pointer: string): void {
  if (!checkString(findings, element.action_id, `${pointer}/action_id`, SLACK_LIMITS.actionId)) return;
  if (findings.actionIds.has(element.action_id)) {
    report(findings, `\`action_id\` "${element.action_id}" already exists`, `${pointer}/action_id`);
  }
  findings.actionIds.add(element.action_id);
}

/** A text object (…/composition-objects/text-object): `plain_text` or `mrkdwn`, 1 to `max` characters. */
function checkTextObject(findings: Findings, value: unknown, pointer: string, max: number, plainOnly = false): void {
  if (!isObject(value)) {
    report(findings, 'must provide an object', pointer);
    return;
  }
  if (value.type === 'plain_text') {
    checkKeys(findings, value, pointer, ['type', 'text', 'emoji']);
    if (value.emoji !== undefined && typeof value.emoji !== 'boolean')
      report(findings, 'must provide a boolean', `${pointer}/emoji`);
  } else if (value.type === 'mrkdwn' && !plainOnly) {
    checkKeys(findings, value, pointer, ['type', 'text', 'verbatim']);
    if (value.verbatim !== undefined && typeof value.verbatim !== 'boolean')
      report(findings, 'must provide a boolean', `${pointer}/verbatim`);
  } else {
    const expected = plainOnly ? 'plain_text' : 'plain_text or mrkdwn';
    report(findings, `unsupported type: ${String(value.type)} (expected ${expected})`, `${pointer}/type`);
  }
  if (value.text === undefined) report(findings, 'must provide a string', `${pointer}/text`);
  else if (checkString(findings, value.text, `${pointer}/text`, max) && value.text === '')
    report(findings, 'must be more than 0 characters', `${pointer}/text`);
}

function checkBlock(findings: Findings, block: unknown, pointer: string): void {
  if (!isObject(block)) {
    report(findings, 'must provide an object', pointer);
    return;
  }
  checkBlockId(findings, block, pointer);
  switch (block.type) {
    case 'header':
      checkKeys(findings, block, pointer, ['type', 'text', 'block_id']);
      checkTextObject(findings, block.text, `${pointer}/text`, SLACK_LIMITS.headerText, true);
      return;
    case 'section':
      checkSection(findings, block, pointer);
      return;
    case 'context':
      checkContext(findings, block, pointer);
      return;
    case 'divider':
      checkKeys(findings, block, pointer, ['type', 'block_id']);
      return;
    case 'actions':
      checkActions(findings, block, pointer);
      return;
    case 'rich_text':
      // Rich text is a tree of its own; it is passed as it is (its strings are still checked for UTF-16).
      return;
    default:
      report(findings, `unsupported type: ${String(block.type)}`, `${pointer}/type`);
  }
}

function checkSection(findings: Findings, block: JsonObject, pointer: string): void {
  checkKeys(findings, block, pointer, ['type', 'text', 'fields', 'accessory', 'block_id', 'expand']);
  const hasFields = Array.isArray(block.fields) && block.fields.length > 0;
  // "fields: Required if no text is provided" (…/blocks/section-block).
  if (block.text === undefined && !hasFields) report(findings, 'must define either `text` or `fields`', pointer);
  if (block.text !== undefined) checkTextObject(findings, block.text, `${pointer}/text`, SLACK_LIMITS.sectionText);
  if (block.fields !== undefined) {
    if (!Array.isArray(block.fields)) report(findings, 'must provide an array', `${pointer}/fields`);
    else {
      if (block.fields.length > SLACK_LIMITS.sectionFields)
        report(findings, `no more than ${SLACK_LIMITS.sectionFields} items allowed`, `${pointer}/fields`);
      block.fields.forEach((field, i) => {
        checkTextObject(findings, field, `${pointer}/fields/${i}`, SLACK_LIMITS.fieldText);
      });
    }
  }
  if (block.expand !== undefined && typeof block.expand !== 'boolean')
    report(findings, 'must provide a boolean', `${pointer}/expand`);
  if (block.accessory !== undefined) checkElement(findings, block.accessory, `${pointer}/accessory`, ['image']);
}

function checkContext(findings: Findings, block: JsonObject, pointer: string): void {
  checkKeys(findings, block, pointer, ['type', 'elements', 'block_id']);
  const elements = checkElementList(findings, block.elements, `${pointer}/elements`, SLACK_LIMITS.contextElements);
  elements.forEach((element, i) => {
    const at = `${pointer}/elements/${i}`;
    // "An array of image elements and text objects" (…/blocks/context-block).
    if (isObject(element) && element.type === 'image') checkImage(findings, element, at);
    else if (isObject(element) && element.type !== 'mrkdwn' && element.type !== 'plain_text')
      report(findings, `unsupported type: ${String(element.type)}`, `${at}/type`);
    else checkTextObject(findings, element, at, SLACK_LIMITS.textObject);
  });
}

function checkActions(findings: Findings, block: JsonObject, pointer: string): void {
  checkKeys(findings, block, pointer, ['type', 'elements', 'block_id']);
  const elements = checkElementList(findings, block.elements, `${pointer}/elements`, SLACK_LIMITS.actionsElements);
  elements.forEach((element, i) => {
    checkElement(findings, element, `${pointer}/elements/${i}`);
  });
}

/** A block's `elements`: a required array of 1 to `max` items; the items to check further. */
function checkElementList(findings: Findings, value: unknown, pointer: string, max: number): unknown[] {
  if (!Array.isArray(value)) {
    report(findings, 'must provide an array', pointer);
    return [];
  }
  if (value.length === 0) report(findings, 'must provide at least 1 item', pointer);
  if (value.length > max) report(findings, `no more than ${max} items allowed`, pointer);
  return value;
}

/**
 * An element of an actions block or a section's accessory: a button, checked in full; a static select, checked
 * loosely (its action_id); an image where `alsoAllowed` says so (a section's accessory).
 */
function checkElement(
  findings: Findings,
  element: unknown,
  pointer: string,
  alsoAllowed: readonly string[] = [],
): void {
  if (!isObject(element)) {
    report(findings, 'must provide an object', pointer);
    return;
  }
  if (element.type === 'button') checkButton(findings, element, pointer);
  else if (element.type === 'static_select') checkActionId(findings, element, pointer);
  else if (element.type === 'image' && alsoAllowed.includes('image')) checkImage(findings, element, pointer);
  else report(findings, `unsupported type: ${String(element.type)}`, `${pointer}/type`);
}

/** A button (…/block-elements/button-element). */
function checkButton(findings: Findings, button: JsonObject, pointer: string): void {
  checkKeys(findings, button, pointer, [
    'type',
    'text',
    'action_id',
    'url',
    'value',
    'style',
    'confirm',
    'accessibility_label',
  ]);
  checkTextObject(findings, button.text, `${pointer}/text`, SLACK_LIMITS.buttonText, true);
  checkActionId(findings, button, pointer);
  checkString(findings, button.url, `${pointer}/url`, SLACK_LIMITS.buttonUrl);
  checkString(findings, button.value, `${pointer}/value`, SLACK_LIMITS.buttonValue);
  checkString(
    findings,
    button.accessibility_label,
    `${pointer}/accessibility_label`,
    SLACK_LIMITS.buttonAccessibilityLabel,
  );
  if (button.style !== undefined && !BUTTON_STYLES.has(button.style))
    report(findings, 'must be a valid enum value', `${pointer}/style`);
  if (button.confirm !== undefined && !isObject(button.confirm))
    report(findings, 'must provide an object', `${pointer}/confirm`);
}

/** An image element: alt text and either an image_url or a slack_file (…/block-elements/image-element). */
function checkImage(findings: Findings, image: JsonObject, pointer: string): void {
  checkKeys(findings, image, pointer, ['type', 'image_url', 'slack_file', 'alt_text']);
  if (typeof image.alt_text !== 'string') report(findings, 'must provide a string', `${pointer}/alt_text`);
  else if (image.alt_text === '') report(findings, 'must be more than 0 characters', `${pointer}/alt_text`);
  if (image.image_url === undefined && image.slack_file === undefined)
    report(findings, 'must define either `image_url` or `slack_file`', pointer);
  if (image.image_url !== undefined && typeof image.image_url !== 'string')
    report(findings, 'must provide a string', `${pointer}/image_url`);
}

/** Every string in the message, rich text included: a lone surrogate has no UTF-8 form, so Slack cannot take it. */
function checkWellFormed(findings: Findings, value: unknown, pointer: string, seen: Set<object>): void {
  if (typeof value === 'string') {
    const at = loneSurrogateAt(value);
    if (at >= 0) report(findings, `must be well-formed UTF-16 (lone surrogate at index ${at})`, pointer);
    return;
  }
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkWellFormed(findings, item, `${pointer}/${i}`, seen);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    checkWellFormed(findings, item, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, seen);
  }
}

/** Index of the first surrogate that is not half of a pair, or -1. */
function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}
