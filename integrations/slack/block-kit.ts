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

import { SLACK_LIMITS } from './block-limits';

export { SLACK_LIMITS };

/** Button styles: "primary" or "danger", else the default style (…/block-elements/button-element). */
const BUTTON_STYLES: ReadonlySet<unknown> = new Set(['primary', 'danger']);

type JsonObject = Record<string, unknown>;

/** What one check of a message has found so far; ids are unique per message, so they are collected across blocks. */
interface Findings {
  readonly problems: string[];
  readonly actionIds: Set<string>;
  readonly blockIds: Set<string>;
  /** Where the blocks are shown: a message, or a Home tab (`views.publish`). */
  readonly surface: Surface;
  /** Characters in the data tables' cells so far: Slack counts them across the message too. */
  tableCharacters: number;
  charts: number;
}

/** Where blocks are shown: data visualizations only in messages, data tables in messages and Home tabs. */
export type Surface = 'message' | 'home';

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
  const findings: Findings = {
    problems: [],
    actionIds: new Set(),
    blockIds: new Set(),
    surface: 'message',
    tableCharacters: 0,
    charts: 0,
  };
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

/** A Home view's `private_metadata` ("Max length of 3000 characters") and `callback_id` (255): …/views/home-tab-views */
const VIEW_LIMITS = { privateMetadata: 3000, callbackId: 255, bytes: 250 * 1024 } as const;

/**
 * Lists what Slack would refuse in a Home tab's view (`views.publish`): a `home` view of at most 100 blocks, each
 * checked as in a message but for a Home tab (no data visualization there), `private_metadata` and `callback_id`
 * within their lengths, and the whole view within Slack's 250 kB (`view_too_large`).
 */
export function checkHomeView(view: unknown): string[] {
  const findings: Findings = {
    problems: [],
    actionIds: new Set(),
    blockIds: new Set(),
    surface: 'home',
    tableCharacters: 0,
    charts: 0,
  };
  if (!isObject(view)) {
    report(findings, 'must provide an object', '/view');
    return findings.problems;
  }
  if (view.type !== 'home') report(findings, 'must be a `home` view', '/view/type');
  checkKeys(findings, view, '/view', ['type', 'blocks', 'private_metadata', 'callback_id', 'external_id']);
  checkString(findings, view.private_metadata, '/view/private_metadata', VIEW_LIMITS.privateMetadata);
  checkString(findings, view.callback_id, '/view/callback_id', VIEW_LIMITS.callbackId);
  if (!Array.isArray(view.blocks)) report(findings, 'must provide an array', '/view/blocks');
  else {
    if (view.blocks.length > SLACK_LIMITS.homeBlocks)
      report(findings, `no more than ${SLACK_LIMITS.homeBlocks} items allowed`, '/view/blocks');
    view.blocks.forEach((block, i) => {
      checkBlock(findings, block, `/view/blocks/${i}`);
    });
  }
  if (Buffer.byteLength(JSON.stringify(view)) > VIEW_LIMITS.bytes) report(findings, 'view_too_large', '/view');
  checkWellFormed(findings, view, '/view', new Set());
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
    case 'data_visualization':
      checkDataVisualization(findings, block, pointer);
      return;
    case 'data_table':
      checkDataTable(findings, block, pointer);
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

/**
 * A data visualization (…/blocks/data-visualization-block): in messages only, at most two a message; a title of 1 to
 * 50 characters; a pie's segments (label, value above 0), or a line, bar or area chart's series, each with a unique
 * name and exactly one point per category of its axis, labels and categories of at most 20 characters, values that
 * are finite numbers.
 */
function checkDataVisualization(findings: Findings, block: JsonObject, pointer: string): void {
  if (findings.surface !== 'message') report(findings, 'unsupported block type in this surface', `${pointer}/type`);
  findings.charts += 1;
  if (findings.charts > SLACK_LIMITS.chartsPerMessage)
    report(findings, `no more than ${SLACK_LIMITS.chartsPerMessage} data_visualization blocks allowed`, pointer);
  checkKeys(findings, block, pointer, ['type', 'title', 'chart', 'block_id']);
  if (typeof block.title !== 'string') report(findings, 'must provide a string', `${pointer}/title`);
  else if (checkString(findings, block.title, `${pointer}/title`, SLACK_LIMITS.chartTitle) && block.title === '')
    report(findings, 'must be more than 0 characters', `${pointer}/title`);
  const chart = block.chart;
  const at = `${pointer}/chart`;
  if (!isObject(chart)) {
    report(findings, 'must provide an object', at);
    return;
  }
  if (chart.type === 'pie') {
    checkKeys(findings, chart, at, ['type', 'segments']);
    const segments = checkElementList(findings, chart.segments, `${at}/segments`, SLACK_LIMITS.pieSegments);
    segments.forEach((segment, i) => {
      const where = `${at}/segments/${i}`;
      if (!isObject(segment)) {
        report(findings, 'must provide an object', where);
        return;
      }
      checkKeys(findings, segment, where, ['label', 'value']);
      checkLabel(findings, segment.label, `${where}/label`);
      if (!isFiniteNumber(segment.value) || segment.value <= 0)
        report(findings, 'must be a number greater than 0', `${where}/value`);
    });
    return;
  }
  if (chart.type !== 'line' && chart.type !== 'bar' && chart.type !== 'area') {
    report(findings, `unsupported type: ${String(chart.type)} (expected pie, bar, area or line)`, `${at}/type`);
    return;
  }
  checkKeys(findings, chart, at, ['type', 'series', 'axis_config']);
  const axis = chart.axis_config;
  let categories: string[] = [];
  if (!isObject(axis)) report(findings, 'must provide an object', `${at}/axis_config`);
  else {
    checkKeys(findings, axis, `${at}/axis_config`, ['categories', 'x_label', 'y_label']);
    const listed = checkElementList(
      findings,
      axis.categories,
      `${at}/axis_config/categories`,
      SLACK_LIMITS.chartPoints,
    );
    listed.forEach((c, i) => {
      checkLabel(findings, c, `${at}/axis_config/categories/${i}`);
    });
    categories = listed.filter((c): c is string => typeof c === 'string');
    if (new Set(categories).size !== categories.length)
      report(findings, 'categories must be unique', `${at}/axis_config/categories`);
    checkString(findings, axis.x_label, `${at}/axis_config/x_label`, SLACK_LIMITS.chartAxisLabel);
    checkString(findings, axis.y_label, `${at}/axis_config/y_label`, SLACK_LIMITS.chartAxisLabel);
  }
  const series = checkElementList(findings, chart.series, `${at}/series`, SLACK_LIMITS.chartSeries);
  const names = new Set<unknown>();
  series.forEach((one, i) => {
    const where = `${at}/series/${i}`;
    if (!isObject(one)) {
      report(findings, 'must provide an object', where);
      return;
    }
    checkKeys(findings, one, where, ['name', 'data']);
    checkLabel(findings, one.name, `${where}/name`);
    if (names.has(one.name)) report(findings, 'series names must be unique', `${where}/name`);
    names.add(one.name);
    const data = checkElementList(findings, one.data, `${where}/data`, SLACK_LIMITS.chartPoints);
    const labels = data.map((point) => (isObject(point) ? point.label : undefined));
    data.forEach((point, j) => {
      const p = `${where}/data/${j}`;
      if (!isObject(point)) {
        report(findings, 'must provide an object', p);
        return;
      }
      checkKeys(findings, point, p, ['label', 'value']);
      checkLabel(findings, point.label, `${p}/label`);
      if (typeof point.label === 'string' && !categories.includes(point.label))
        report(findings, 'label must match one of axis_config.categories', `${p}/label`);
      if (!isFiniteNumber(point.value)) report(findings, 'must provide a number', `${p}/value`);
    });
    // "Must contain exactly one entry for every label in axis_config.categories."
    if (categories.some((c) => labels.filter((l) => l === c).length !== 1))
      report(findings, 'must contain exactly one entry for every category', `${where}/data`);
  });
}

/** A chart's label, category or series name: a string of 1 to 20 characters. */
function checkLabel(findings: Findings, value: unknown, pointer: string): void {
  if (typeof value !== 'string') report(findings, 'must provide a string', pointer);
  else if (checkString(findings, value, pointer, SLACK_LIMITS.chartLabel) && value === '')
    report(findings, 'must be more than 0 characters', pointer);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A data table (…/blocks/data-table-block): a caption; 2 to 101 rows of the same length, 1 to 20 columns, the first
 * row a header of raw_text or raw_number cells; cells of raw_text, raw_number (text of 1 character or more), rich_text
 * (not in the header) or a button (an action cell, as Slack's SDKs model it); at most 20,000 characters in a table's
 * cells and in all of a message's; a page size of 1 to 100.
 */
function checkDataTable(findings: Findings, block: JsonObject, pointer: string): void {
  checkKeys(findings, block, pointer, ['type', 'rows', 'caption', 'page_size', 'row_header_column_index', 'block_id']);
  if (typeof block.caption !== 'string' || block.caption === '')
    report(findings, 'must provide a non-empty string', `${pointer}/caption`);
  if (block.page_size !== undefined) {
    const size = block.page_size;
    if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > SLACK_LIMITS.tablePageSize)
      report(findings, `must be an integer from 1 to ${SLACK_LIMITS.tablePageSize}`, `${pointer}/page_size`);
  }
  const rows = block.rows;
  if (!Array.isArray(rows)) {
    report(findings, 'must provide an array', `${pointer}/rows`);
    return;
  }
  if (rows.length < 2) report(findings, 'must provide at least 2 items', `${pointer}/rows`);
  if (rows.length > SLACK_LIMITS.tableRows)
    report(findings, `no more than ${SLACK_LIMITS.tableRows} items allowed`, `${pointer}/rows`);
  const width = Array.isArray(rows[0]) ? rows[0].length : 0;
  if (width < 1 || width > SLACK_LIMITS.tableColumns)
    report(findings, `rows must have 1 to ${SLACK_LIMITS.tableColumns} cells`, `${pointer}/rows/0`);
  const index = block.row_header_column_index;
  if (index !== undefined && (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= width))
    report(findings, 'must be the index of a column', `${pointer}/row_header_column_index`);
  let characters = 0;
  rows.forEach((row, i) => {
    const at = `${pointer}/rows/${i}`;
    if (!Array.isArray(row)) {
      report(findings, 'must provide an array', at);
      return;
    }
    if (row.length !== width) report(findings, 'all rows must have the same number of cells', at);
    row.forEach((cell, j) => {
      characters += checkCell(findings, cell, `${at}/${j}`, i === 0);
    });
  });
  if (characters > SLACK_LIMITS.tableCharacters)
    report(findings, `a table's cells must hold no more than ${SLACK_LIMITS.tableCharacters} characters`, pointer);
  findings.tableCharacters += characters;
  if (findings.tableCharacters > SLACK_LIMITS.tableCharacters && characters <= SLACK_LIMITS.tableCharacters)
    report(findings, `the tables' cells must hold no more than ${SLACK_LIMITS.tableCharacters} characters`, pointer);
}

/** What a rich text cell holds that Slack counts: its texts and its links' addresses. */
export function richTextCharacters(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, item) => n + richTextCharacters(item), 0);
  if (!isObject(value)) return 0;
  const own =
    (typeof value.text === 'string' ? value.text.length : 0) + (typeof value.url === 'string' ? value.url.length : 0);
  return own + richTextCharacters(value.elements);
}

/** One cell of a data table; the characters it holds. */
function checkCell(findings: Findings, cell: unknown, pointer: string, header: boolean): number {
  if (!isObject(cell)) {
    report(findings, 'must provide an object', pointer);
    return 0;
  }
  if (cell.type === 'raw_text' || cell.type === 'raw_number') {
    checkKeys(findings, cell, pointer, cell.type === 'raw_number' ? ['type', 'text', 'value'] : ['type', 'text']);
    if (typeof cell.text !== 'string' || cell.text === '')
      report(findings, 'must be more than 0 characters', `${pointer}/text`);
    if (cell.type === 'raw_number' && cell.value !== undefined && !isFiniteNumber(cell.value))
      report(findings, 'must provide a number', `${pointer}/value`);
    return typeof cell.text === 'string' ? cell.text.length : 0;
  }
  if (cell.type === 'rich_text' && !header) return richTextCharacters(cell.elements);
  if (cell.type === 'action_cell' && !header) {
    checkKeys(findings, cell, pointer, ['type', 'element', 'fallback']);
    if (!isObject(cell.element) || cell.element.type !== 'button')
      report(findings, 'must provide a button', `${pointer}/element`);
    else checkButton(findings, cell.element, `${pointer}/element`);
    const text = isObject(cell.element) && isObject(cell.element.text) ? cell.element.text.text : '';
    return typeof text === 'string' ? text.length : 0;
  }
  report(findings, `unsupported type: ${String(cell.type)}${header ? ' in the header row' : ''}`, `${pointer}/type`);
  return 0;
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
